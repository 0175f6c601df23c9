"""Many users at once: 10 browser sessions on one server for 60 seconds.

One Chromium, ten contexts (so ten Streamlit sessions), driven concurrently
(asyncio). Each session keeps changing its filters, by URL (a fresh page load)
or through the sidebar's search and minimum-fatalities fields, and toggles
"▶ Play" for a few seconds now and then. Two sessions first import their own
small ACLED file under distinct layer names (into the shared store, and switch
their own layer on). Every filter value a session sets is its own
(search words carry the session's number), so leakage is visible.

After every action, each session checks: no traceback, no uncaught JS error,
no console error, no request left the machine; its map summary shows exactly
the counts its own filters give (computed here with panjmap.query); its URL
and search box hold only its own values; and it never draws or counts a layer
another session imported (the store shares imports; switching one on is each
session's own choice). The server's RSS is sampled every 2 s.

Numbers go to test-artifacts/load.json and are printed. Every loop is bounded
by a count and by the clock, so the test ends by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psutil
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from panjmap.data import load_dataset
from panjmap.importers import import_file
from panjmap.layers import curated_layer, imported_layer
from panjmap.paths import SEEDS_DIR
from panjmap.state import ViewState
from tests import hostile as H
from tests.conftest import ARTIFACTS, CHROMIUM_ARGS
from tests.offline import is_local
from tests.settling import settle_async
from tests.uploading import choose_import_file_async

SESSIONS = 10
IMPORTERS = {8: "LoadAlpha", 9: "LoadBravo"}  # session number -> its layer name (also its records' tag)
DURATION_S = 60.0
MAX_ACTIONS = 60  # per session, whatever the clock says
ACTION_TIMEOUT_S = 40.0
PLAY_S = 4.0
SAMPLE_EVERY_S = 2.0
RSS_LIMIT = int(2.5 * 1024**3)
ACTION_KINDS = ("sidebar-search", "sidebar-fatalities", "play", "url")
SUMMARY = re.compile(r"^(.+?): (\d+) of (\d+) records")
# Real search words (they match curated records) and this session's own word (matches nothing).
SEARCH_WORDS = ("kabul", "drone", "dushanbe", "")
DATASET = load_dataset(SEEDS_DIR)  # what the test server's fresh store is filled from (collected before its data dir is set)
SEEDS_BEFORE = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(SEEDS_DIR.iterdir()) if p.is_file()}
CURATED = curated_layer(DATASET)


def own_word(k: int, i: int) -> str:
    return f"zq{k}x{i % 3}"


def import_layers(k: int) -> list:
    if k not in IMPORTERS:
        return []
    tag = IMPORTERS[k]
    result = import_file(H.small_acled_csv(tag), f"{tag}.csv", dataset_name=tag)
    return [imported_layer(tag, result.records, 0)]


def expected_summary(view: ViewState, imports: list) -> dict[str, tuple[int, int]]:
    """What the map's summary lines must say for ``view``: label -> (shown, total)."""
    layers = [*imports, CURATED] if "incidents" in view.layers else imports
    return {layer.label: (len(layer.filtered(view)), len(layer.records.records)) for layer in layers}


@dataclass
class Stats:
    k: int
    actions: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    latency_by_kind: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    words: set[str] = field(default_factory=set)  # every search word this session set


# Every request that does not go to loopback is sent to a proxy that is not there, so it fails
# (Chromium never proxies loopback). This costs nothing per request, unlike routing every
# request and WebSocket frame of ten sessions through Playwright; attempts are still recorded.
OFFLINE_ARGS = ["--proxy-server=http://127.0.0.1:9"]


async def guarded_context(browser: Browser, stats: Stats) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(viewport={"width": 1100, "height": 900}, service_workers="block")
    page = await context.new_page()
    page.on("requestfailed", lambda request: None if is_local(request.url) else stats.blocked.append(request.url))
    page.on("websocket", lambda ws: None if is_local(ws.url) else stats.blocked.append(ws.url))
    page.on("pageerror", lambda exc: stats.js_errors.append(str(exc)[:300]))
    page.on("console", lambda msg: stats.console_errors.append(f"{msg.text[:200]} @ {msg.location.get('url', '')[:80]}")
            if msg.type == "error" else None)
    return context, page


async def guard_works(browser: Browser) -> list[str]:
    """The offline guard itself: an outside fetch and WebSocket fail, and both are recorded."""
    stats = Stats(-1)
    context, page = await guarded_context(browser, stats)
    try:
        result = await page.evaluate(
            """async () => { let r; try { await fetch('https://tile.openstreetmap.org/7/88/49.png'); r = 'loaded'; }
                             catch (e) { r = 'failed'; }
                             await new Promise(done => { const ws = new WebSocket('wss://example.org/socket');
                               ws.onclose = ws.onerror = () => done(); setTimeout(done, 5000); });
                             return r; }""")
        assert result == "failed", result
        return sorted(stats.blocked)
    finally:
        await context.close()


async def summary(page: Page) -> dict[str, tuple[int, int]]:
    found = {}
    for text in await page.locator("[data-testid='stMarkdownContainer']").all_inner_texts():
        if m := SUMMARY.match(" ".join(text.split())):
            found[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return found


async def wait_for(page: Page, predicate, what: str, timeout_s: float = ACTION_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        try:
            last = await predicate()
            if last is True:
                return
        except Exception as exc:  # page navigating mid-read: read again
            last = repr(exc)[:200]
        await asyncio.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; last seen: {last}")


async def wait_summary(page: Page, want: dict[str, tuple[int, int]]) -> None:
    async def ok():
        got = await summary(page)
        return True if got == want else got
    await wait_for(page, ok, f"summary {want}")


async def idle(page: Page) -> None:
    await settle_async(page, ACTION_TIMEOUT_S)


async def nav(page: Page, title: str, heading: str) -> None:
    """Switch page within the session; the new page must stay (panjmap/ui/streamlit_fixes.py)."""
    await page.locator("[data-testid='stSidebarNavLink']", has_text=title).click()
    await page.locator("h1", has_text=heading).wait_for(timeout=ACTION_TIMEOUT_S * 1000)
    await idle(page)
    await asyncio.sleep(1.0)
    assert await page.locator("h1", has_text=heading).count(), f"the {title} page went blank"


async def check(page: Page, stats: Stats, view: ViewState, imports: list) -> None:
    """The invariants every session must hold after every action."""
    assert await page.locator("[data-testid='stException']").count() == 0, \
        await page.locator("[data-testid='stException']").first.inner_text()
    own = {layer.label for layer in imports}
    foreign = set(IMPORTERS.values()) - own
    # Imports are shared through the store (every session may list and switch on any of them), but a
    # layer another session imported is never drawn or counted here unless this session switched it on.
    shown = set(await summary(page))
    assert not shown & foreign, f"another session's layer is drawn here: {shown & foreign}"
    records = []
    for frame in page.frames:
        if frame is not page.main_frame and not frame.is_detached():
            try:
                records += await frame.evaluate(
                    "() => Array.from(document.querySelectorAll('.panj-incident [data-record]')).map(e => e.dataset.record)")
            except Exception:
                continue
    assert not [r for r in records if r.split("-")[0] in foreign], f"another session's records on the map: {records}"
    params = parse_qs(urlsplit(page.url).query)
    text = params.get("text", [""])[-1]
    assert text in stats.words | {""}, f"URL search {text!r} was never set by this session"
    box = page.get_by_label("Search location, notes and quotes")

    async def box_shows_own_search():  # the widget is redrawn on reruns: its settled value counts
        value = await box.input_value()
        return True if value == view.text else f"search box holds {value!r}, this session set {view.text!r}"
    await wait_for(page, box_shows_own_search, "the search box to show this session's search", 15)
    assert await summary(page) == expected_summary(view, imports)


async def run_session(k: int, browser: Browser, base: str, deadline: float, stats: Stats) -> None:
    imports = import_layers(k)
    context, page = await guarded_context(browser, stats)
    try:
        view = ViewState()
        t0 = time.monotonic()
        await page.goto(base + "/", timeout=ACTION_TIMEOUT_S * 1000)
        await wait_summary(page, expected_summary(view, []))
        stats.latencies.append(time.monotonic() - t0)
        stats.actions["open"] = 1
        if imports:
            t0 = time.monotonic()
            await nav(page, "Data and import", "Data")
            await choose_import_file_async(
                page, {"name": f"{IMPORTERS[k]}.csv", "mimeType": "text/csv", "buffer": H.small_acled_csv(IMPORTERS[k])},
                ACTION_TIMEOUT_S * 1000)
            await page.get_by_label("Layer name (optional)").fill(IMPORTERS[k])
            await page.get_by_label("Layer name (optional)").press("Tab")  # committed, as a user's next click does
            await idle(page)  # a click while the upload's rerun draws the page can be lost
            await page.get_by_role("button", name="Import", exact=True).click()
            # An import writes to the store while nine other sessions read it on a loaded machine:
            # it has longer than one filter change.
            await page.locator("[data-testid='stExpander'] summary", has_text=IMPORTERS[k]).wait_for(
                timeout=2 * ACTION_TIMEOUT_S * 1000)
            view = view.replace(layers=view.layers + (imports[0].key,))
            await nav(page, "Border map", "Panj border incidents")
            await wait_summary(page, expected_summary(view, imports))
            stats.latencies.append(time.monotonic() - t0)
            stats.actions["import"] = 1
        await check(page, stats, view, imports)

        for i in range(MAX_ACTIONS):
            if i and time.monotonic() >= deadline:  # the first action runs even on a slow start
                break
            kind = ACTION_KINDS[(i + k) % (3 if imports else 4)]
            t0 = time.monotonic()
            view = await asyncio.wait_for(act(page, base, kind, k, i, view, imports, stats), ACTION_TIMEOUT_S)
            stats.latencies.append(time.monotonic() - t0)
            stats.latency_by_kind.setdefault(kind, []).append(stats.latencies[-1])
            stats.actions[kind] = stats.actions.get(kind, 0) + 1
            await asyncio.wait_for(idle(page), ACTION_TIMEOUT_S)
            await asyncio.wait_for(check(page, stats, view, imports), ACTION_TIMEOUT_S)
    except Exception as exc:  # recorded, asserted on below with every other session's
        stats.errors.append(f"{type(exc).__name__}: {str(exc)[:600]}")
        with contextlib.suppress(Exception):  # what the session saw, for the report
            await page.screenshot(path=str(ARTIFACTS / f"load-session-{k}-error.png"), full_page=True)
    finally:
        await context.close()


async def act(page: Page, base: str, kind: str, k: int, i: int, view: ViewState, imports: list,
              stats: Stats) -> ViewState:
    """Session ``k``'s action number ``i``; returns the view it set."""
    if kind == "url":
        word = own_word(k, i) if i % 2 else SEARCH_WORDS[(i + k) % len(SEARCH_WORDS)]
        stats.words.add(word)
        view = ViewState(text=word, min_fatalities=(i + k) % 3,
                         date_from=dt.date(2025, 11, 1) if i % 3 == 0 else None)
        await page.goto(base + "/?" + view.query_string(), timeout=ACTION_TIMEOUT_S * 1000)
        await wait_summary(page, expected_summary(view, imports))
    elif kind == "sidebar-search":
        word = own_word(k, i) if i % 3 == 1 else SEARCH_WORDS[(i + k) % len(SEARCH_WORDS)]
        stats.words.add(word)
        box = page.get_by_label("Search location, notes and quotes")
        await box.fill(word)
        await box.press("Enter")
        view = view.replace(text=word)
        await wait_summary(page, expected_summary(view, imports))
    elif kind == "sidebar-fatalities":
        value = (i * 7 + k) % 4
        number = page.get_by_label("Minimum fatalities")
        await number.fill(str(value))
        await number.press("Enter")
        view = view.replace(min_fatalities=value)
        await wait_summary(page, expected_summary(view, imports))
    else:  # play for a few seconds, then stop: the summary returns to the whole window
        toggle = page.locator("[data-testid='stSidebar'] label", has_text="▶ Play")
        await toggle.click()
        playing = page.locator("[data-testid='stCaptionContainer']", has_text="Playing: window")
        await playing.first.wait_for(timeout=ACTION_TIMEOUT_S * 1000)
        await asyncio.sleep(PLAY_S)
        await toggle.click()
        await wait_for(page, lambda: _gone(playing), "playback to stop")
        await wait_summary(page, expected_summary(view, imports))
    return view


async def _gone(locator) -> bool:
    return await locator.count() == 0


def server_process(base: str) -> psutil.Process:
    port = str(urlsplit(base).port)
    for proc in psutil.Process().children(recursive=True):
        try:
            cmd = proc.cmdline()
        except psutil.Error:
            continue
        if any("streamlit" in part for part in cmd) and port in cmd:
            return proc
    raise AssertionError(f"no streamlit process serving port {port}")


async def sample_rss(proc: psutil.Process, samples: list[tuple[float, int]], stop: asyncio.Event, t0: float) -> None:
    while not stop.is_set():
        samples.append((round(time.monotonic() - t0, 1), proc.memory_info().rss))
        try:
            await asyncio.wait_for(stop.wait(), SAMPLE_EVERY_S)
        except asyncio.TimeoutError:
            pass


def cpu_seconds(proc: psutil.Process) -> tuple[float, float]:
    """CPU seconds used so far: by the server process, and by the whole machine (busy, all cores)."""
    own, machine = proc.cpu_times(), psutil.cpu_times()
    not_busy = ("idle", "iowait", "guest", "guest_nice")  # guest time is already counted in user
    return own.user + own.system, sum(v for k, v in machine._asdict().items() if k not in not_busy)


async def load(base: str, chromium: str) -> dict:
    proc = server_process(base)
    samples: list[tuple[float, int]] = []
    stop = asyncio.Event()
    t0 = time.monotonic()
    server_cpu0, machine_cpu0 = cpu_seconds(proc)
    sampler = asyncio.create_task(sample_rss(proc, samples, stop, t0))
    stats = [Stats(k) for k in range(SESSIONS)]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS + OFFLINE_ARGS)
        try:
            guard = await guard_works(browser)
            deadline = time.monotonic() + DURATION_S
            await asyncio.wait_for(
                asyncio.gather(*(run_session(s.k, browser, base, deadline, s) for s in stats)),
                timeout=DURATION_S + 5 * ACTION_TIMEOUT_S,  # a last resort: each step has its own limit
            )
            under_load = len(samples)
            server_cpu1, machine_cpu1 = cpu_seconds(proc)
            loaded_s = time.monotonic() - t0
            await asyncio.sleep(3 * SAMPLE_EVERY_S)  # sessions closed: does memory stay put?
        finally:
            await browser.close()
    stop.set()
    await sampler
    rss = [r for _, r in samples]
    loaded = rss[:under_load]
    third = loaded[-max(3, len(loaded) // 3):]
    latencies = [x for s in stats for x in s.latencies]
    mib = lambda b: round(b / 1024**2, 1)  # noqa: E731
    return {
        "offline_guard_recorded": guard,
        "sessions": SESSIONS,
        "importing_sessions": sorted(IMPORTERS.values()),
        "duration_s": round(time.monotonic() - t0, 1),
        "actions": sum(sum(s.actions.values()) for s in stats),
        "actions_per_session": [sum(s.actions.values()) for s in stats],
        "actions_by_kind": {kind: sum(s.actions.get(kind, 0) for s in stats)
                            for kind in ("open", "import", *ACTION_KINDS)},
        "errors": [f"session {s.k}: {e}" for s in stats for e in s.errors],
        "js_errors": [f"session {s.k}: {e}" for s in stats for e in s.js_errors],
        "console_errors": [f"session {s.k}: {e}" for s in stats for e in s.console_errors],
        "blocked_requests": [f"session {s.k}: {e}" for s in stats for e in s.blocked],
        "mean_action_latency_s": round(statistics.mean(latencies), 2) if latencies else None,
        "mean_latency_by_kind_s": {kind: round(statistics.mean(values), 2) for kind, values in sorted(
            {kind: [x for s in stats for x in s.latency_by_kind.get(kind, [])] for kind in ACTION_KINDS}.items()) if values},
        # Where the machine's CPU went while the sessions ran: the server's share against
        # the ten browser sessions (and this driver) on the same cores.
        "cpu_capacity_s": round(loaded_s * psutil.cpu_count(), 1),
        "machine_busy_cpu_s": round(machine_cpu1 - machine_cpu0, 1),
        "server_cpu_s": round(server_cpu1 - server_cpu0, 1),
        "max_action_latency_s": round(max(latencies), 2) if latencies else None,
        "rss_start_mib": mib(rss[0]),
        "rss_peak_mib": mib(max(rss)),
        "rss_end_mib": mib(rss[-1]),
        "rss_last_third_rise_mib": mib(third[-1] - third[0]),
        "rss_samples_mib": [(t, mib(r)) for t, r in samples],
    }


def test_ten_concurrent_sessions_stay_correct_isolated_and_bounded(app_url: str, chromium: str, artifacts: Path) -> None:
    result = asyncio.run(load(app_url, chromium))
    (artifacts / "load.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print("\nload:", json.dumps({k: v for k, v in result.items() if k != "rss_samples_mib"}, ensure_ascii=False))

    assert result["offline_guard_recorded"] == ["https://tile.openstreetmap.org/7/88/49.png", "wss://example.org/socket"]
    assert result["errors"] == []
    assert result["js_errors"] == []
    assert result["console_errors"] == []
    assert result["blocked_requests"] == []
    by_kind = result["actions_by_kind"]
    assert by_kind["open"] == SESSIONS and by_kind["import"] == len(IMPORTERS)
    assert min(by_kind[k] for k in ACTION_KINDS) >= 1, by_kind
    # every session got past opening (and importing) to change its filters or play at least once
    assert min(n - (1 if k not in IMPORTERS else 2) for k, n in enumerate(result["actions_per_session"])) >= 1, \
        result["actions_per_session"]
    # memory: bounded, and no longer growing by the last third of the run
    assert result["rss_end_mib"] * 1024**2 < RSS_LIMIT and result["rss_peak_mib"] * 1024**2 < RSS_LIMIT
    assert result["rss_last_third_rise_mib"] < max(200.0, 0.25 * result["rss_start_mib"]), result["rss_samples_mib"]
    # ten sessions, two imports: the curated files are untouched
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(SEEDS_DIR.iterdir()) if p.is_file()} \
        == SEEDS_BEFORE

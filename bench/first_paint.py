"""First paint in the real app: page.goto to the first incident symbol on the map.

    python -m bench.first_paint [--sizes 0,100000] [--warm 5] [--out docs/first_paint.json]

For each data set (0: the seed data alone; N: the seeds plus a synthetic
ACLED-shaped import of N events, written by ``bench.run.acled_csv`` — every
actor, place and note invented) it makes a temporary ``PANJ_DATA_DIR``, seeds
the store (and imports with ``python -m panjmap import``) *before* the server
starts, starts a real ``streamlit run panjmap/server.py`` on a free loopback port and
measures in Debian Chromium (1440x900, every non-loopback request fails):

* cold: the first navigation after the server start (the script's first run
  imports the app's modules and loads the store);
* warm: the median of ``--warm`` navigations, each in a new browser context
  (empty HTTP cache, new Streamlit session);
* returning: the median of ``--warm`` second navigations in a browser context
  that has loaded the app once (HTTP cache warm, new tab, new Streamlit
  session): a colleague who opens the app every day.

The time is taken inside the browser: an init script (it runs in every frame)
stamps, on the shared epoch clock ``performance.timeOrigin + now()``, the
moment a ``.panj-incident`` or ``.panj-count`` element with a box first exists
in the map's frame and the animation frame after it (the paint), and in the page
itself the moment the sidebar's last widget exists (``sidebar_s``). Navigation
start is the main page's ``timeOrigin``. The breakdown comes from Chromium's
own timeline: the main page's and the map frame's ``performance`` entries
(navigation, resources) and, through a CDP session, the websocket frames with
Chromium's timestamps, decoded as Streamlit's protobuf messages (rerun
request sent, component delta received, script finished).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from panjmap import app_process
from panjmap.paths import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [  # as tests/conftest.py
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Every request that is not to loopback goes to a proxy that does not exist, so it fails (Chromium
# never sends loopback through a proxy). Not Playwright's request routing, which earlier rounds
# used: routing turns the browser's HTTP cache off (the "returning browser" runs then fetched
# everything again) and sends every request through the driver and back before it may go on.
OFFLINE_ARGS = ["--proxy-server=http://127.0.0.1:9"]
VIEWPORT = {"width": 1440, "height": 900}
# The requests that were not to loopback (data:/blob:/about: are not requests to anyone): listed, and failed by the proxy.
NON_LOCAL = re.compile(r"^(?!(data|blob|about):)(?!(https?|wss?)://(127\.0\.0\.1|localhost|\[::1\])[:/])")

# Runs in every frame before its own scripts. Stamps on the epoch clock shared by all frames.
STAMPS_JS = """(() => {
  const T = window.__panjT = {};
  const stamp = (k) => { if (!(k in T)) T[k] = performance.timeOrigin + performance.now(); };
  window.addEventListener("message", (e) => {
    if (e.data && e.data.type === "streamlit:render") stamp("render_args");
  }, true);
  // Looked for every animation frame (a query per frame, until found); then the
  // frame after it has a box is the paint.
  const look = () => {
    const el = document.querySelector(".panj-incident, .panj-count");
    if (!el) { requestAnimationFrame(look); return; }
    stamp("symbol_in_dom");
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) { requestAnimationFrame(look); return; }
    stamp("symbol_box");
    requestAnimationFrame(() => stamp("symbol_painted"));
  };
  // In the page itself: when the sidebar's last widget (its reset button) is in the page.
  const lookSidebar = () => {
    if (document.querySelector('[data-testid="stSidebar"] [data-testid="stButton"]')) stamp("sidebar_drawn");
    else requestAnimationFrame(lookSidebar);
  };
  if (window.parent === window) requestAnimationFrame(lookSidebar);
  // The map lives in an iframe. The script first runs in the iframe's initial
  // about:blank document; its window (and these listeners) live on in the component's page.
  if (window.parent !== window) window.addEventListener("DOMContentLoaded", () => {
    if (location.href !== "about:blank") requestAnimationFrame(look);
  });
})();"""

TIMELINE_JS = """() => ({
  origin: performance.timeOrigin,
  stamps: window.__panjT || {},
  nav: performance.getEntriesByType("navigation").map(e => e.toJSON()),
  resources: performance.getEntriesByType("resource").map(e => ({
    name: e.name, start: e.startTime, end: e.responseEnd, bytes: e.encodedBodySize,
    type: e.initiatorType})),
  paint: performance.getEntriesByType("paint").map(e => ({name: e.name, start: e.startTime})),
})"""


def prepare_data_dir(data_dir: Path, n_import: int) -> dict[str, Any]:
    """Seed the store (as a server restart finds it) and import ``n_import`` synthetic events."""
    env = {**os.environ, "PANJ_DATA_DIR": str(data_dir)}
    subprocess.run([sys.executable, "-c", "from panjmap.store import open_store; open_store()"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    info: dict[str, Any] = {"import_events": n_import}
    if n_import:
        from bench.run import acled_csv

        path = data_dir / f"synthetic_acled_{n_import}.csv"
        path.write_bytes(acled_csv(n_import))
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "panjmap", "import", str(path), "--name", f"Synthetic {n_import}"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        info["import_s"] = round(time.perf_counter() - t0, 1)
        path.unlink()
        # What a process's first run pays for the import: its layer built from the store.
        probe = ("import time; from panjmap.store.layers import stored_layers; from panjmap.store import open_store; "
                 "open_store(); t = time.perf_counter(); stored_layers(); print(time.perf_counter() - t)")
        done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        info["store_layer_load_s"] = round(float(done.stdout.strip().splitlines()[-1]), 2)
    return info


class Server:
    """``streamlit run panjmap/server.py`` on a free loopback port (the repository's .streamlit/config.toml applies)."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self._log = open(log, "w")
        self.proc, self.url = app_process.start({**os.environ, "PANJ_DATA_DIR": str(data_dir)}, self._log)

    def cpu_s(self) -> float:
        """CPU seconds (user + system) the server process has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        app_process.stop(self.proc)
        self._log.close()


def _decode_ws(frames: list[dict[str, Any]], wall_offset: float) -> dict[str, float]:
    """Epoch ms of Streamlit's messages: rerun request sent, first delta, the map's delta, script finished."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    out: dict[str, float] = {}
    for f in frames:
        at = (f["timestamp"] + wall_offset) * 1000
        data = f["response"]
        if data.get("opcode") != 2:
            continue
        raw = base64.b64decode(data["payloadData"])
        if f["sent"]:
            msg = BackMsg()
            msg.ParseFromString(raw)
            if msg.WhichOneof("type") == "rerun_script":
                out.setdefault("rerun_sent", at)
            continue
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            out.setdefault("new_session", at)
        elif kind == "delta":
            out.setdefault("first_delta", at)
            if (msg.delta.WhichOneof("type") == "new_element"
                    and msg.delta.new_element.WhichOneof("type") == "component_instance"
                    and "folium" in msg.delta.new_element.component_instance.component_name):
                out.setdefault("map_delta", at)
                out.setdefault("map_delta_bytes", len(raw))
        elif kind == "script_finished":
            out.setdefault("script_finished", at)
    return out


def _map_frame(page: Any) -> Any:
    for frame in page.frames:
        if frame is not page.main_frame and not frame.is_detached():
            try:
                if frame.evaluate("() => !!document.querySelector('.leaflet-container')"):
                    return frame
            except Exception:  # navigating or detached: not it
                continue
    return None


def new_context(browser: Any) -> tuple[Any, list[str]]:
    """A browser context (empty HTTP cache) that lists every non-loopback request (the browser's proxy fails them)."""
    context = browser.new_context(viewport=VIEWPORT)
    blocked: list[str] = []
    context.on("request", lambda request: blocked.append(request.url) if NON_LOCAL.match(request.url) else None)
    context.add_init_script(STAMPS_JS)
    return context, blocked


def navigate(browser: Any, server: Server, returning: bool = False) -> dict[str, Any]:
    """One navigation in a new context (``returning``: its second, in a new tab, after a first
    navigation filled the context's HTTP cache); the first symbol's time and the breakdown, in seconds."""
    context, blocked = new_context(browser)
    try:
        if returning:
            _navigate_page(context, server, blocked)
        return _navigate_page(context, server, blocked)
    finally:
        context.close()


def _navigate_page(context: Any, server: Server, blocked: list[str], timeout_s: float = 60) -> dict[str, Any]:
    url = server.url
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    frames: list[dict[str, Any]] = []
    doc: dict[str, float] = {}
    cdp.on("Network.webSocketFrameSent", lambda e: frames.append({**e, "sent": True}))
    cdp.on("Network.webSocketFrameReceived", lambda e: frames.append({**e, "sent": False}))
    cdp.on("Network.requestWillBeSent",
           lambda e: doc.setdefault("offset", e["wallTime"] - e["timestamp"]) if e.get("type") == "Document" else None)
    cdp.send("Network.enable", {"maxTotalBufferSize": 200_000_000})
    cdp.send("Performance.enable")
    try:
        cpu0 = server.cpu_s()
        t0 = time.time()
        page.goto(url + "/", wait_until="commit")
        deadline = time.monotonic() + timeout_s
        frame = None
        while True:
            frame = frame or _map_frame(page)
            if (frame is not None and frame.evaluate("() => !!(window.__panjT && window.__panjT.symbol_painted)")
                    and page.evaluate("() => !!window.__panjT.sidebar_drawn")):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"no incident symbol and sidebar within {timeout_s} s")
            page.wait_for_timeout(50)
        wall = time.time() - t0
        server_cpu = server.cpu_s() - cpu0
        # Task time of the page's renderer main thread (the map's same-origin iframe runs on it).
        # It is wall time inside tasks, so it too grows when the machine makes the thread wait.
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        main, inner = page.evaluate(TIMELINE_JS), frame.evaluate(TIMELINE_JS)
        page.wait_for_timeout(300)  # let the script_finished frame arrive if the paint came first
    finally:
        ws = _decode_ws(list(frames), doc.get("offset", 0.0))
        page.close()
    out = breakdown(main, inner, ws, wall, blocked)
    out["server_cpu_s"] = round(server_cpu, 3)
    out["renderer_task_s"] = round(metrics.get("TaskDuration", 0.0), 3)
    out["renderer_script_s"] = round(metrics.get("ScriptDuration", 0.0), 3)
    return out


def breakdown(main: dict[str, Any], inner: dict[str, Any], ws: dict[str, float], wall: float,
              blocked: list[str]) -> dict[str, Any]:
    """Seconds since navigation start (the main page's timeOrigin) of each step."""
    o = main["origin"]

    def since(epoch_ms: float | None) -> float | None:
        return None if epoch_ms is None else round((epoch_ms - o) / 1000, 3)

    nav = main["nav"][0]

    def res(entries: dict[str, Any], frame_origin: float, needle: str) -> dict[str, Any] | None:
        for r in entries["resources"]:
            if needle in r["name"]:
                return {"start": since(frame_origin + r["start"]), "end": since(frame_origin + r["end"]),
                        "bytes": r["bytes"]}
        return None

    main_js = [r for r in main["resources"] if r["type"] == "script" and "/static/js/" in r["name"]]
    fonts = [r for r in main["resources"] if r["name"].endswith((".woff2", ".woff", ".ttf"))]
    out = {
        "first_symbol_s": since(inner["stamps"].get("symbol_painted")),
        "symbol_in_dom_s": since(inner["stamps"].get("symbol_in_dom")),
        "symbol_box_s": since(inner["stamps"].get("symbol_box")),
        "sidebar_s": since(main["stamps"].get("sidebar_drawn")),
        "wall_s": round(wall, 3),
        "html_response_end_s": round(nav["responseEnd"] / 1000, 3),
        "dom_content_loaded_s": round(nav["domContentLoadedEventEnd"] / 1000, 3),
        "streamlit_js_end_s": round(max((r["end"] for r in main_js), default=0) / 1000, 3),
        "streamlit_js_bytes": sum(r["bytes"] for r in main_js),
        "fonts": len(fonts),
        "fonts_end_s": round(max((r["end"] for r in fonts), default=0) / 1000, 3),
        "rerun_sent_s": since(ws.get("rerun_sent")),
        "first_delta_s": since(ws.get("first_delta")),
        "map_delta_s": since(ws.get("map_delta")),
        "map_delta_bytes": ws.get("map_delta_bytes"),
        "script_finished_s": since(ws.get("script_finished")),
        "iframe_start_s": since(inner["origin"]),
        "component_js": res(inner, inner["origin"], "/static/js/main."),
        "render_args_s": since(inner["stamps"].get("render_args")),
        "leaflet_js": res(inner, inner["origin"], "vendor/leaflet.js"),
        "leaflet_css": res(inner, inner["origin"], "vendor/leaflet.css"),
        "blocked": sorted(set(blocked)),
    }
    if out["rerun_sent_s"] is not None and out["script_finished_s"] is not None:
        out["script_run_s"] = round(out["script_finished_s"] - out["rerun_sent_s"], 3)
    return out


def measure(n_import: int, warm: int, browser: Any, workdir: Path) -> dict[str, Any]:
    data_dir = workdir / f"data_{n_import}"
    data_dir.mkdir()
    result = prepare_data_dir(data_dir, n_import)
    # A throwaway context first, so the cold run does not pay for the browser's own warm-up.
    warmup = browser.new_context()
    warmup.new_page().goto("about:blank")
    warmup.close()
    server = Server(data_dir, workdir / f"streamlit_{n_import}.log")
    try:
        result["cold"] = navigate(browser, server)
        # Alternating, so that both cases see the same stretch of machine load.
        for _ in range(warm):
            result.setdefault("warm_runs", []).append(navigate(browser, server))
            result.setdefault("returning_runs", []).append(navigate(browser, server, returning=True))
    finally:
        server.stop()
    for case in ("warm", "returning"):
        runs = result[f"{case}_runs"]
        result[case] = {key: round(statistics.median(r[key] for r in runs), 3)
                        for key, value in result["cold"].items()
                        if isinstance(value, (int, float)) and all(r.get(key) is not None for r in runs)}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.first_paint", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0,100000", help="events imported besides the seeds, comma-separated")
    parser.add_argument("--warm", type=int, default=5, help="warm and returning navigations each (medians reported)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {"load_before": os.getloadavg(), "python": platform.python_version(), "runs": {}}
    with sync_playwright() as pw, tempfile.TemporaryDirectory(prefix="panj-first-paint-") as tmp:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + OFFLINE_ARGS)
        results["chromium"] = browser.version
        for n in (int(s) for s in args.sizes.split(",")):
            run = measure(n, args.warm, browser, Path(tmp))
            results["runs"][str(n)] = run
            label = "seed data" if n == 0 else f"seeds + {n} imported"
            print(f"{label}: cold {run['cold']['first_symbol_s']} s, warm median {run['warm'].get('first_symbol_s')} s "
                  f"(runs {[r['first_symbol_s'] for r in run['warm_runs']]}), returning median "
                  f"{run['returning'].get('first_symbol_s')} s (runs {[r['first_symbol_s'] for r in run['returning_runs']]})",
                  flush=True)
            for name in ("cold", "warm", "returning"):
                print(f"  {name}: " + json.dumps({k: v for k, v in run[name].items() if k != "blocked"}), flush=True)
            blocked = sorted({url for r in [run["cold"], *run["warm_runs"], *run["returning_runs"]] for url in r["blocked"]})
            print(f"  blocked requests: {len(blocked)} {blocked}", flush=True)
        browser.close()
    results["load_after"] = os.getloadavg()
    if args.out:
        args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

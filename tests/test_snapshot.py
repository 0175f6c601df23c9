"""Snapshots: the standalone HTML works with no network, and the PNG renderers (headless Chromium and
the matplotlib fallback) draw the incidents in their symbol colours, at the asked size, and say who drew.

Browser checks use Debian's Chromium through Playwright (``executable_path``);
every http(s) request is aborted and recorded, and none may be attempted.
PNGs are saved to test-artifacts/ for a human look.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from panjmap import cli, export, snapshot
from panjmap.assets import VENDOR_FILES
from panjmap.data import load_dataset
from panjmap.layers import curated_layer
from panjmap.mapview.style import EVENT_SYMBOLS
from panjmap.paths import ROOT, SEEDS_DIR
from panjmap.state import DEFAULT_LAYERS, ViewState
from panjmap.static_map import view_extent

D = dt.date
STATE = ViewState(date_from=D(2025, 11, 1), date_to=D(2025, 12, 31))
NO_INCIDENTS = STATE.replace(layers=tuple(layer for layer in DEFAULT_LAYERS if layer != "incidents"))
NOW = dt.datetime(2026, 1, 5, 9, 30, 15, tzinfo=dt.timezone.utc)
WIDTH, HEIGHT = 1600, 900
COLOUR_TOLERANCE = 30  # RGB distance; the nearest other map colour to any symbol colour is > 60 away
SEARCH_RADIUS = 40  # px around a record's point
COUNT_INK = "#222222"  # the ring of a count symbol (several records at one point)


def incidents() -> list[dict[str, str]]:
    with open(SEEDS_DIR / "incidents.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def shown_located(state: ViewState) -> list[dict[str, str]]:
    """Located records whose span meets the state's window and its scope (computed from the CSV)."""
    start = state.date_from.isoformat() if state.date_from else "0000"
    end = state.date_to.isoformat() if state.date_to else "9999"
    return [r for r in incidents() if r["latitude"] and r["end_date"] >= start and r["event_date"] <= end
            and (state.context or r["scope"] == "border")]


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


def meta_for(state: ViewState, dataset) -> export.Metadata:
    return export.metadata(state, dataset, curated_layer(dataset).filtered(state), now=NOW)


@pytest.fixture(scope="module")
def html(dataset) -> str:
    return snapshot.standalone_html(STATE, dataset, meta_for(STATE, dataset))


# --------------------------------------------------------------------------- standalone HTML

_TAGS = re.compile(r"<(script|link)\b[^>]*>", re.IGNORECASE)


def test_html_references_nothing_on_the_network(html: str) -> None:
    for match in _TAGS.finditer(html):
        tag = match.group(0)
        assert not re.search(r"\b(src|href)\s*=", tag, re.IGNORECASE), tag
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html, re.IGNORECASE)
    assert not re.search(r"@import", html)


def test_html_inlines_leaflet(html: str) -> None:
    leaflet_js = VENDOR_FILES["leaflet.js"].read_text(encoding="utf-8").replace("</script", "<\\/script")
    assert leaflet_js in html
    assert ".leaflet-container" in html and "<style>" in html
    # Leaflet's marker images come as data URIs.
    assert "data:image/png;base64," in html


def test_html_carries_title_and_metadata(html: str, dataset) -> None:
    assert "<title>Panj border incidents</title>" in html
    assert 'name="panj-metadata"' in html
    assert STATE.describe() in html


def open_offline(browser, page_html: str) -> tuple[object, list[str], list[str]]:
    """The page loaded with every http(s) request aborted; (page, requested URLs, page errors)."""
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    requests: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def handle(route) -> None:
        url = route.request.url
        requests.append(url)
        if url.startswith(("http:", "https:")):
            route.abort()
        else:
            route.continue_()

    page.route("**/*", handle)
    page.set_content(page_html, wait_until="load")
    page.wait_for_selector(".leaflet-container", timeout=15_000)
    return page, requests, errors


@pytest.mark.parametrize("state", [STATE, ViewState(), ViewState(date_from=D(2025, 11, 26), date_to=D(2025, 11, 26))],
                         ids=["nov-dec-2025", "everything", "26-nov"])
def test_html_renders_offline_in_chromium(browser, dataset, state: ViewState) -> None:
    page_html = snapshot.standalone_html(state, dataset, meta_for(state, dataset))
    expected = len(shown_located(state))
    assert expected > 0
    page, requests, errors = open_offline(browser, page_html)
    try:
        page.wait_for_function("n => document.querySelectorAll('.panj-incident').length >= n",
                               arg=expected, timeout=15_000)
        assert page.locator(".leaflet-container").count() == 1
        assert page.locator(".panj-incident").count() == expected
        assert page.locator(".panj-legend").count() >= 2  # legend and title box
        assert [u for u in requests if u.startswith(("http:", "https:"))] == []
        assert [u for u in requests if not u.startswith("data:")] == []
        assert errors == []
    finally:
        page.close()


# --------------------------------------------------------------------------- PNG


def hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def chromium_px(lat: float, lon: float, state: ViewState) -> tuple[float, float]:
    """Leaflet's Web Mercator pixel of a point, the map filling the viewport."""
    def world(la: float, lo: float) -> tuple[float, float]:
        scale = 256 * 2 ** state.zoom
        s = math.sin(math.radians(la))
        return (lo + 180) / 360 * scale, (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale

    x, y = world(lat, lon)
    cx, cy = world(*state.center)
    return x - cx + WIDTH / 2, y - cy + HEIGHT / 2


def matplotlib_px(lat: float, lon: float, state: ViewState) -> tuple[float, float]:
    west, south, east, north = view_extent(state, WIDTH, HEIGHT)
    return (lon - west) / (east - west) * WIDTH, (north - lat) / (north - south) * HEIGHT


def pixels_near(image: np.ndarray, xy: tuple[float, float], colour: str) -> int:
    x, y = (int(round(v)) for v in xy)
    box = image[max(0, y - SEARCH_RADIUS): y + SEARCH_RADIUS, max(0, x - SEARCH_RADIUS): x + SEARCH_RADIUS, :3]
    distance = np.sqrt(((box.astype(float) - hex_rgb(colour)) ** 2).sum(axis=2))
    return int((distance <= COLOUR_TOLERANCE).sum())


def changed_near(a: np.ndarray, b: np.ndarray, xy: tuple[float, float]) -> int:
    x, y = (int(round(v)) for v in xy)
    box = (slice(max(0, y - SEARCH_RADIUS), y + SEARCH_RADIUS), slice(max(0, x - SEARCH_RADIUS), x + SEARCH_RADIUS))
    return int((np.abs(a[box][..., :3].astype(int) - b[box][..., :3].astype(int)).sum(axis=2) > 60).sum())


def _as_array(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _check_png(png: snapshot.Png, renderer: str) -> np.ndarray:
    assert png.renderer == renderer
    image = Image.open(io.BytesIO(png.data))
    assert image.format == "PNG"
    assert image.size == (WIDTH, HEIGHT)
    assert image.text["panj:renderer"] == renderer
    assert image.text["panj:title"] == "Panj border incidents"
    array = np.asarray(image.convert("RGB"))
    packed = (array[..., 0].astype(np.int32) << 16) | (array[..., 1].astype(np.int32) << 8) | array[..., 2]
    _, counts = np.unique(packed, return_counts=True)
    assert len(counts) > 200, f"only {len(counts)} colours: blank?"
    # No colour covers (nearly) everything: something was drawn.
    assert counts.max() < 0.6 * WIDTH * HEIGHT
    return array


RENDERERS = {"chromium": chromium_px, "matplotlib": matplotlib_px}


@pytest.fixture(scope="module")
def pngs(dataset, chromium: str, artifacts: Path) -> dict[tuple[str, str], snapshot.Png]:
    """(renderer, "incidents" | "no-incidents") -> the slide PNG of STATE."""
    out = {}
    for renderer in RENDERERS:
        for label, state in (("incidents", STATE), ("no-incidents", NO_INCIDENTS)):
            png = snapshot.render_png(state, dataset, meta_for(state, dataset), size="slide", renderer=renderer)
            (artifacts / f"snapshot-{renderer}-{label}.png").write_bytes(png.data)
            out[renderer, label] = png
    return out


@pytest.mark.parametrize("renderer", list(RENDERERS))
def test_png_size_content_and_renderer_metadata(pngs, renderer: str) -> None:
    _check_png(pngs[renderer, "incidents"], renderer)
    image = Image.open(io.BytesIO(pngs[renderer, "incidents"].data))
    assert image.text["panj:filters"] == STATE.describe()
    assert image.text["panj:generated"] == NOW.isoformat()


@pytest.mark.parametrize("renderer", list(RENDERERS))
def test_png_draws_each_incident_in_its_symbol_colour(pngs, renderer: str) -> None:
    to_px = RENDERERS[renderer]
    with_incidents = _as_array(pngs[renderer, "incidents"].data)
    without = _as_array(pngs[renderer, "no-incidents"].data)
    located = shown_located(STATE)
    # The November 26 drone attack is in view; its type must be among those checked.
    assert "Explosions/Remote violence" in {r["event_type"] for r in located}
    at_point: dict[tuple[str, str], int] = {}
    for record in located:
        at_point[record["latitude"], record["longitude"]] = at_point.get((record["latitude"], record["longitude"]), 0) + 1
    for record in located:
        colour = EVENT_SYMBOLS[record["event_type"]].color
        xy = to_px(float(record["latitude"]), float(record["longitude"]), STATE)
        if at_point[record["latitude"], record["longitude"]] > 1:
            # records sharing a point are one count symbol there (issue 11, point 1): its dark ring
            # is drawn at the point, and the picture there differs from the one without incidents
            assert pixels_near(with_incidents, xy, COUNT_INK) >= 8, record["event_id_cnty"]
            assert changed_near(with_incidents, without, xy) >= 20, record["event_id_cnty"]
            continue
        assert 0 <= xy[0] < WIDTH and 0 <= xy[1] < HEIGHT, record["event_id_cnty"]
        found = pixels_near(with_incidents, xy, colour)
        assert found >= 8, f"{record['event_id_cnty']} ({record['event_type']}, {colour}): {found} px near {xy}"
        # Without the incident layer that colour is not there: it is the incident's.
        assert pixels_near(without, xy, colour) <= 2, record["event_id_cnty"]


@pytest.mark.parametrize("renderer", list(RENDERERS))
def test_png_without_incidents_is_still_a_map(pngs, renderer: str) -> None:
    _check_png(pngs[renderer, "no-incidents"], renderer)


def test_auto_falls_back_to_matplotlib_without_chromium(dataset, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PANJ_CHROMIUM", str(tmp_path / "no-such-chromium"))
    assert snapshot.find_chromium() is None
    state = ViewState(date_from=D(2025, 11, 26), date_to=D(2025, 11, 30))
    png = snapshot.render_png(state, dataset, meta_for(state, dataset), renderer="auto")
    _check_png(png, "matplotlib")
    with pytest.raises(RuntimeError, match="no Chromium found"):
        snapshot.render_png(state, dataset, meta_for(state, dataset), renderer="chromium")


def test_matplotlib_legend_has_one_row_per_symbol(dataset, monkeypatch) -> None:
    import matplotlib.axes

    labels: list[list[str]] = []
    original = matplotlib.axes.Axes.legend

    def spy(self, *args, **kwargs):
        labels.append([h.get_label() for h in kwargs.get("handles", [])])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(matplotlib.axes.Axes, "legend", spy)
    state = ViewState(date_from=D(2025, 11, 26), date_to=D(2025, 11, 30))
    snapshot.render_png(state, dataset, meta_for(state, dataset), renderer="matplotlib")
    assert len(labels) == 1
    assert len(labels[0]) == len(set(labels[0])), labels[0]
    assert {s.label for s in EVENT_SYMBOLS.values()} <= set(labels[0])


def test_panj_chromium_override_is_used(monkeypatch, chromium: str) -> None:
    monkeypatch.setenv("PANJ_CHROMIUM", chromium)
    assert snapshot.find_chromium() == chromium


# --------------------------------------------------------------------------- the command line

CLI_FILTERS = ["--from", "2025-11-01", "--to", "2025-12-31"]


def _snapshot_cli(fmt: str, output: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "panjmap", "snapshot", "--format", fmt, *extra, *CLI_FILTERS,
                           "-o", str(output)], cwd=ROOT, capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def cli_outputs(tmp_path_factory, artifacts: Path) -> dict[str, tuple[Path, subprocess.CompletedProcess[str]]]:
    folder = tmp_path_factory.mktemp("snapshot-cli")
    jobs = {"png": ("png", folder / "cli.png", "--renderer", "matplotlib"), "html": ("html", folder / "cli.html")}
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(_snapshot_cli, *job) for key, job in jobs.items()}
        results = {key: (jobs[key][1], future.result()) for key, future in futures.items()}
    png_path = results["png"][0]
    if png_path.exists():
        (artifacts / "snapshot-cli-matplotlib.png").write_bytes(png_path.read_bytes())
    return results


def test_cli_png_with_matplotlib(cli_outputs) -> None:
    path, result = cli_outputs["png"]
    assert result.returncode == 0, result.stderr
    window = [r for r in incidents() if r["end_date"] >= "2025-11-01" and r["event_date"] <= "2025-12-31"
              and r["scope"] == "border"]  # the CLI, like the app, shows border records unless --context
    located = sum(1 for r in window if r["latitude"])
    assert f"PNG rendered by matplotlib, {len(window)} records, {located} on the map" in result.stderr
    image = Image.open(path)
    assert image.size == (WIDTH, HEIGHT)
    assert image.text["panj:renderer"] == "matplotlib"
    assert image.text["panj:filters"] == STATE.describe()
    assert image.text["panj:count"] == str(len(window))
    assert image.text["panj:located"] == str(located)


def test_cli_html(cli_outputs) -> None:
    path, result = cli_outputs["html"]
    assert result.returncode == 0, result.stderr
    assert "standalone HTML" in result.stderr
    page = path.read_text(encoding="utf-8")
    assert "<title>Panj border incidents</title>" in page
    assert STATE.describe() in page
    for match in _TAGS.finditer(page):
        assert not re.search(r"\b(src|href)\s*=", match.group(0), re.IGNORECASE), match.group(0)


def test_cli_default_file_name_says_what_it_holds(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["snapshot", "--format", "html", *CLI_FILTERS, "--actor", "Taliban"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["panj-incidents_2025-11-01_2025-12-31_actor-taliban.html"]

"""Issue 11, point 1: every symbol is drawn at its record's place, at every zoom.

Records that share a point (five incidents and three sites at Shŭrobod) are one
count symbol at that point, opened into a spider whose legs start at the true
point. Checked in Chromium, in the app (streamlit-folium's iframe) and in the
standalone HTML, by comparing each drawn element with Leaflet's own projection
(map.latLngToContainerPoint) of the coordinates in the seed CSVs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from panjmap import export, snapshot
from panjmap.data import load_dataset
from panjmap.layers import curated_layer
from panjmap.paths import SEEDS_DIR
from panjmap.state import ViewState
from tests.test_browser import (  # noqa: F401  (fixtures)
    INC, LOCATED, WAIT_MS, Session, assert_offline_and_clean, open_app_with_every_icon, session,
    settle,
)

ZOOMS = (5, 7, 9, 12)
TOLERANCE_PX = 2
SHUROBOD = (37.84137, 70.04865)
SITES = pd.read_csv(SEEDS_DIR / "sites.csv", dtype=str, keep_default_na=False, encoding="utf-8")


def coordinates() -> dict[str, tuple[float, float]]:
    """Symbol id ("incidents/<id>" or "site/<id>") -> (lat, lon), from the seed CSVs."""
    out = {f"incidents/{r.event_id_cnty}": (float(r.latitude), float(r.longitude))
           for r in INC[LOCATED].itertuples()}
    out.update({f"site/{r.site_id}": (float(r.latitude), float(r.longitude))
                for r in SITES[(SITES["latitude"] != "") & (SITES["geometry_ref"] == "")].itertuples()})  # lines: roads
    return out


# For each visible symbol: where it is drawn against where its record's coordinates project.
# A count symbol stands for every record in its group; a symbol on a spider leg is measured
# at its leader line's origin (and the line must end at the symbol's centre).
MEASURE = """coords => {
  const map = window.map || Object.values(window).find(v => v instanceof L.Map);
  const box = map.getContainer().getBoundingClientRect();
  const at = id => { const p = map.latLngToContainerPoint(coords[id]); return [box.left + p.x, box.top + p.y]; };
  const client = (line, x, y) => { const pt = line.ownerSVGElement.createSVGPoint(); pt.x = x; pt.y = y;
                                    const q = pt.matrixTransform(line.getScreenCTM()); return [q.x, q.y]; };
  const out = [];
  for (const el of document.querySelectorAll('.panj-incident, .panj-site, .panj-count')) {
    if (getComputedStyle(el).visibility === 'hidden') continue;
    const b = el.getBoundingClientRect(), centre = [b.left + b.width / 2, b.top + b.height / 2];
    // an open count symbol stays at the shared point (its records are on the legs)
    const open = el.matches('.panj-open'), group = el.matches('.panj-count') && el.dataset.group.split('|');
    const ids = group ? (open ? group.slice(0, 1) : group) : [el.dataset.symbol];
    const line = el.querySelector(':scope > .panj-leg line');
    let origin = centre, kind = group ? (open ? 'open-count' : 'count') : 'symbol', end = null;
    if (line) {
      origin = client(line, line.x1.baseVal.value, line.y1.baseVal.value);
      end = client(line, line.x2.baseVal.value, line.y2.baseVal.value);
      kind = 'leg';
    }
    for (const id of ids) {
      const p = at(id);
      out.push({id, kind, dx: origin[0] - p[0], dy: origin[1] - p[1],
                end: end && Math.hypot(end[0] - centre[0], end[1] - centre[1])});
    }
  }
  return out;
}"""

SET_VIEW = "([c, z]) => { const map = window.map || Object.values(window).find(v => v instanceof L.Map);" \
           " map.setView(c, z, {animate: false}); }"


def set_view(where: Page | Frame, zoom: int) -> None:
    """Centre Shŭrobod at ``zoom``; in the app, wait until the app has redrawn the layers."""
    where.evaluate(SET_VIEW, [list(SHUROBOD), zoom])
    if isinstance(where, Frame):
        settle(where.page, where)
    else:
        where.wait_for_timeout(150)


def check_every_symbol_in_place(where: Page | Frame, coords: dict[str, tuple[float, float]], zoom: int) -> list[dict]:
    set_view(where, zoom)
    rows = where.evaluate(MEASURE, {k: list(v) for k, v in coords.items()})
    off = [r for r in rows if abs(r["dx"]) > TOLERANCE_PX or abs(r["dy"]) > TOLERANCE_PX]
    assert off == [], f"zoom {zoom}: symbols away from their coordinates: {off}"
    bad_legs = [r for r in rows if r["kind"] == "leg" and r["end"] > 1.5]
    assert bad_legs == [], f"zoom {zoom}: leader lines not ending at their symbol: {bad_legs}"
    # every record on the map is represented once: by its own symbol or by its group's count
    assert sorted(r["id"] for r in rows if r["kind"] != "open-count") == sorted(coords), zoom
    return rows


def open_spider_and_check(where: Page | Frame, page: Page, coords: dict[str, tuple[float, float]]) -> None:
    """At Shŭrobod: the count symbol says 8; a click opens 8 legs from the true point; Enter and Space too."""
    set_view(where, 9)
    count = where.locator(".panj-count", has_text="8")
    expect(count).to_have_count(1)
    expect(count).to_have_attribute("aria-label", "8 records at one point (Shamsiddin Shohin district): 5 incidents, 3 sites. Enter shows them.")
    rows = where.evaluate(MEASURE, {k: list(v) for k, v in coords.items()})
    assert len([r for r in rows if r["kind"] == "count" and r["id"].startswith("incidents/")]) >= 5
    count.click()
    expect(where.locator(".panj-leg")).to_have_count(8)
    expect(count).to_have_attribute("aria-expanded", "true")
    legs = [r for r in check_every_symbol_in_place(where, coords, 9) if r["kind"] == "leg"]
    assert {r["id"] for r in legs} >= {"incidents/PNJ019", "site/SITE-SHOHIN-SM-CAMP"} and len(legs) == 8
    # an open spider stays open and anchored as the map zooms in
    check_every_symbol_in_place(where, coords, 12)
    expect(where.locator(".panj-leg")).to_have_count(8)
    # a click on the map's background closes it
    where.evaluate("() => (window.map || Object.values(window).find(v => v instanceof L.Map)).fire('click')")
    expect(where.locator(".panj-leg")).to_have_count(0)
    # the keyboard: Enter opens it and takes the focus to its first symbol; Space works as well
    set_view(where, 9)
    count.focus()
    page.keyboard.press("Enter")
    expect(where.locator(".panj-leg")).to_have_count(8)
    assert where.evaluate("() => document.activeElement.dataset.symbol") == "incidents/PNJ007"
    count.focus()
    page.keyboard.press(" ")
    expect(where.locator(".panj-leg")).to_have_count(0)
    page.keyboard.press(" ")
    expect(where.locator(".panj-leg")).to_have_count(8)
    for r in check_every_symbol_in_place(where, coords, 9):
        if r["kind"] == "leg":
            assert abs(r["dx"]) <= TOLERANCE_PX and abs(r["dy"]) <= TOLERANCE_PX
    # Tab goes on to the group's first record; Escape closes the group and returns to its count symbol
    count.focus()
    page.keyboard.press("Tab")
    assert where.evaluate("() => document.activeElement.dataset.symbol") == "incidents/PNJ007"
    page.keyboard.press("Escape")
    expect(where.locator(".panj-leg")).to_have_count(0)
    assert where.evaluate("() => document.activeElement.dataset.group || ''").startswith("incidents/PNJ007|")


@pytest.fixture(scope="module")
def standalone_file(tmp_path_factory) -> str:
    dataset = load_dataset()
    state = ViewState()
    meta = export.metadata(state, dataset, curated_layer(dataset).filtered(state))
    path = tmp_path_factory.mktemp("standalone") / "map.html"
    path.write_text(snapshot.standalone_html(state, dataset, meta), encoding="utf-8")
    return path.as_uri()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


def test_standalone_html_every_symbol_at_its_place_at_every_zoom(page: Page, standalone_file: str) -> None:
    page.goto(standalone_file)
    expect(page.locator(".panj-incident")).to_have_count(int(LOCATED.sum()), timeout=WAIT_MS)
    coords = coordinates()
    for zoom in ZOOMS:
        check_every_symbol_in_place(page, coords, zoom)
    open_spider_and_check(page, page, coords)


def test_app_every_symbol_at_its_place_at_every_zoom(session: Session, app_url: str) -> None:
    frame = open_app_with_every_icon(session, app_url)
    coords = coordinates()
    for zoom in ZOOMS:
        check_every_symbol_in_place(frame, coords, zoom)
    open_spider_and_check(frame, session.page, coords)
    assert_offline_and_clean(session)


# --------------------------------------------------------------------------- issue 11, point 9: labels

LABEL_BOXES = """() => Array.from(document.querySelectorAll('.panj-label, .panj-region-label span'))
  .filter(el => getComputedStyle(el).visibility !== 'hidden' && getComputedStyle(el).opacity !== '0')
  .map(el => { const b = el.getBoundingClientRect(); return {name: el.textContent, l: b.left, t: b.top, r: b.right, b: b.bottom}; })"""


def overlapping_labels(boxes: list[dict]) -> list[tuple[str, str]]:
    return [(a["name"], b["name"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]]


def test_region_names_show_and_no_two_labels_overlap_at_any_zoom(page: Page, standalone_file: str) -> None:
    page.goto(standalone_file)
    expect(page.locator(".panj-incident")).to_have_count(int(LOCATED.sum()), timeout=WAIT_MS)
    # the opening view names the three regions on the map itself, not only on hover
    for name in ("Khatlon", "GBAO", "Badakhshan"):
        expect(page.locator(".panj-region-label span", has_text=name)).to_be_visible()
    seen: set[str] = set()
    for zoom in range(5, 13):
        for centre in ((37.9, 70.4), (36.7, 67.5), (36.9, 69.0), SHUROBOD):
            page.evaluate(SET_VIEW, [list(centre), zoom])
            page.wait_for_timeout(50)
            boxes = page.evaluate(LABEL_BOXES)
            assert boxes, (zoom, centre)
            assert overlapping_labels(boxes) == [], (zoom, centre)
            seen |= {b["name"] for b in boxes}
    # dropping is per zoom: the names dropped at low zoom come back when there is room
    assert {"Balkh", "Mazār-e Sharīf", "Khanabad", "Kunduz", "Taloqan"} <= seen, seen

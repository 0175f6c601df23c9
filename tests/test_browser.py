"""The real thing: `streamlit run panjmap/server.py` in Debian's Chromium, fully offline.

Every request that leaves the loopback interface (http(s), ws(s)) is aborted
and recorded; each test ends by asserting that list is empty. The map lives
in streamlit-folium's iframe: tests find the frame holding `.leaflet-container`
and read Leaflet's own `window.map` there. Expected numbers come straight from
seeds/incidents.csv with pandas.

Screenshots land in test-artifacts/ (browser-map.png, browser-map-clicked.png).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from panjmap.paths import SEEDS_DIR
from tests.offline import cut_off
from tests import settling

FIRST_LOAD_MS = 60_000
WAIT_MS = 30_000
SUMMARY = re.compile(r"Curated incidents \(seed articles\): \d+ of \d+ records")


# --------------------------------------------------------------------------
# Expectations, from the CSV alone

INC = pd.read_csv(SEEDS_DIR / "incidents.csv", dtype=str, keep_default_na=False, encoding="utf-8")
CLAIMS = pd.read_csv(SEEDS_DIR / "claims.csv", dtype=str, keep_default_na=False, encoding="utf-8")
EVIDENCE = pd.read_csv(SEEDS_DIR / "evidence.csv", dtype=str, keep_default_na=False, encoding="utf-8")
START = pd.to_datetime(INC["event_date"])
END = pd.to_datetime(INC["end_date"])
BORDER = INC["scope"] == "border"  # the default view: wider context is one toggle away
LOCATED = (INC["latitude"] != "") & (INC["longitude"] != "") & BORDER  # drawn in the default view
TOTAL = len(INC)


def overlapping(date_from: str | None = None, date_to: str | None = None) -> pd.Series:
    mask = BORDER.copy()
    if date_from:
        mask &= END >= pd.Timestamp(date_from)
    if date_to:
        mask &= START <= pd.Timestamp(date_to)
    return mask


# --------------------------------------------------------------------------
# Browser plumbing


@dataclass
class Session:
    page: Page
    blocked: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)


@pytest.fixture
def session(browser: Browser) -> Iterator[Session]:
    """A fresh browser context (so a fresh Streamlit session) with the network cut at loopback."""
    context = browser.new_context(viewport={"width": 1400, "height": 1300}, service_workers="block")
    page = context.new_page()
    s = Session(page)

    cut_off(context, s.blocked, s.requested)
    page.on("pageerror", lambda exc: s.js_errors.append(str(exc)))
    yield s
    context.close()


def open_app(s: Session, base_url: str, query: str = "") -> Frame:
    """Load the page, wait for the map's frame and its incident icons; return the frame."""
    s.page.goto(base_url + "/" + query, timeout=FIRST_LOAD_MS)
    expect(summary_line(s.page)).to_be_visible(timeout=FIRST_LOAD_MS)
    frame = map_frame(s.page)
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=WAIT_MS)
    return frame


def map_frame(page: Page, timeout_s: float = FIRST_LOAD_MS / 1000) -> Frame:
    """The frame that holds the Leaflet map (streamlit-folium's iframe)."""
    deadline = time.monotonic() + timeout_s
    while True:
        for frame in page.frames:
            if frame is page.main_frame or frame.is_detached():
                continue
            try:
                if frame.query_selector(".leaflet-container"):
                    return frame
            except Exception:  # frame navigating or detached mid-check: look again
                continue
        assert time.monotonic() < deadline, "no frame with a .leaflet-container appeared"
        page.wait_for_timeout(250)


def open_app_with_every_icon(s: Session, base_url: str) -> Frame:
    """The default view, once every located incident's icon is drawn and the page is idle."""
    frame = open_app(s, base_url)
    expect(frame.locator(".panj-incident")).to_have_count(int(LOCATED.sum()), timeout=WAIT_MS)
    settle(s.page, frame)
    return frame


def summary_line(page: Page):
    return page.locator("[data-testid='stMarkdownContainer']", has_text=SUMMARY)


def expect_summary(page: Page, shown: int) -> None:
    expect(summary_line(page)).to_contain_text(f"{shown} of {TOTAL} records", timeout=WAIT_MS)


def map_view(frame: Frame) -> dict:
    return frame.evaluate(
        """() => { const m = window.map, c = m.getCenter();
                   return {lat: c.lat, lng: c.lng, zoom: m.getZoom(),
                           pane: document.querySelector('.leaflet-map-pane').style.transform}; }"""
    )


def settle(page: Page, frame: Frame | None = None, timeout_s: float = 30) -> None:
    """Wait until Streamlit is idle and the URL (and the map view) stop changing."""
    settling.settle(page, timeout_s, interval_ms=300, also=(lambda: map_view(frame)) if frame else None)


def url_params(page: Page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def assert_url_centre_is(page: Page, view: dict) -> None:
    """The URL's centre (4 decimals) is the map's."""
    lat, lng = (float(v) for v in url_params(page)["center"].split(","))
    assert abs(lat - view["lat"]) < 1e-3 and abs(lng - view["lng"]) < 1e-3, (url_params(page), view)


def date_thumbs(page: Page):
    slider = page.locator("[data-testid='stSidebar'] [data-testid='stSlider']", has_text="Date window")
    return slider.get_by_role("slider")


def detail_column(page: Page, record_id: str):
    heading = page.locator("[data-testid='stHeading']", has_text=record_id)
    return page.locator("[data-testid='stColumn']").filter(has=heading)


def icon(frame: Frame, record_id: str):
    """An incident icon, by its accessible name, which starts with the record id."""
    return frame.get_by_role("button", name=re.compile(rf"^{re.escape(record_id)}(?:\b|$)"))


def group_of(frame: Frame, record_id: str):
    """The count symbol standing for the records at ``record_id``'s point."""
    member = f"incidents/{record_id}"
    return frame.locator(f".panj-count[data-group*='{member}|'], .panj-count[data-group$='{member}']")


def icon_ids(frame: Frame) -> list[str]:
    return sorted(frame.eval_on_selector_all(
        ".panj-incident", "els => els.map(e => (e.getAttribute('aria-label') || '').split(':')[0])"))


def assert_offline_and_clean(s: Session) -> None:
    assert s.blocked == [], f"requests left the machine: {s.blocked}"
    assert s.js_errors == [], f"uncaught JS errors: {s.js_errors}"


# --------------------------------------------------------------------------
# Tests


def test_the_network_guard_blocks_and_records(session: Session) -> None:
    """The guard the other tests rely on really aborts and records outside requests."""
    page = session.page
    page.goto("about:blank")
    result = page.evaluate(
        """async () => { try { await fetch('https://tile.openstreetmap.org/7/88/49.png'); return 'loaded'; }
                         catch (e) { return 'failed'; } }"""
    )
    page.evaluate("() => new Promise(done => { const ws = new WebSocket('wss://example.org/socket');"
                  " ws.onclose = ws.onerror = () => done(); setTimeout(done, 5000); })")
    assert result == "failed"
    assert session.blocked == ["https://tile.openstreetmap.org/7/88/49.png", "wss://example.org/socket"]


def test_map_renders_offline_with_every_located_incident(session: Session, app_url: str, artifacts) -> None:
    page = session.page
    frame = open_app(session, app_url)
    located = int(LOCATED.sum())
    expect(frame.locator(".panj-incident")).to_have_count(located, timeout=WAIT_MS)
    expect_summary(page, int(BORDER.sum()))

    box = frame.locator(".leaflet-container").bounding_box()
    assert box and box["width"] > 300 and box["height"] > 300, box
    # the Panj border is drawn as an SVG path in its red, over the other GeoJSON layers (in the app
    # they come from static files, drawn in their own pane under the road and the symbols)
    geography = frame.locator(".leaflet-panjGeography-pane svg path")
    border = geography.and_(frame.locator("[stroke='#C00000']"))
    expect(border.first).to_be_attached(timeout=WAIT_MS)
    assert len(border.first.get_attribute("d") or "") > 100
    assert geography.count() > 10  # countries, regions, rivers...
    assert frame.evaluate("() => [...document.querySelectorAll('.leaflet-panjGeography-pane svg path')]"
                          ".at(-1).getAttribute('stroke')") == "#C00000"  # drawn last: on top
    # the map's controls, and a legend (in the map or beside it) whose every row shows its symbol
    expect(frame.locator(".leaflet-control-zoom-in")).to_be_visible()
    deadline = time.monotonic() + WAIT_MS / 1000
    while page.locator(".panj-legend").count() + frame.locator(".panj-legend").count() == 0:
        assert time.monotonic() < deadline, "no legend, neither in the map nor beside it"
        page.wait_for_timeout(200)
    legend = page.locator(".panj-legend") if page.locator(".panj-legend").count() else frame.locator(".panj-legend")
    expect(legend.first).to_be_visible()
    swatches = legend.first.evaluate(
        """el => Array.from(el.querySelectorAll('.row')).map(row => {
             const s = row.querySelector('svg, img'), r = s && s.getBoundingClientRect();
             const drawn = s && (s.tagName !== 'IMG' || (s.complete && s.naturalWidth > 0));
             return [row.textContent, drawn && r.width > 0 && r.height > 0 ? r.width : 0]; })""")
    assert len(swatches) >= 6, swatches
    assert [label for label, width in swatches if not width] == [], "legend rows without a symbol"
    # Leaflet came from the app's own static folder
    assert frame.evaluate("() => typeof L === 'object' && window.map instanceof L.Map")
    assert any(u.endswith("/app/static/vendor/leaflet.js") for u in session.requested)
    assert any(u.endswith("/app/static/vendor/leaflet.css") for u in session.requested)
    # every incident icon is named by its record id, for screen readers (and for these tests)
    assert icon_ids(frame) == sorted(INC.loc[LOCATED, "event_id_cnty"])

    settle(page, frame)
    page.screenshot(path=str(artifacts / "browser-map.png"), full_page=True)
    assert_offline_and_clean(session)


def test_url_window_shows_only_overlapping_records(session: Session, app_url: str) -> None:
    page = session.page
    frame = open_app(session, app_url, "?date_from=2025-11-01&date_to=2025-11-30")
    mask = overlapping("2025-11-01", "2025-11-30")
    want_icons = int((mask & LOCATED).sum())
    assert 0 < want_icons < int(LOCATED.sum())
    expect(frame.locator(".panj-incident")).to_have_count(want_icons, timeout=WAIT_MS)
    expect_summary(page, int(mask.sum()))
    assert icon_ids(frame) == sorted(INC.loc[mask & LOCATED, "event_id_cnty"])
    thumbs = date_thumbs(page)
    expect(thumbs).to_have_count(2)
    expect(thumbs.nth(0)).to_have_attribute("aria-valuetext", "2025-11-01")
    expect(thumbs.nth(1)).to_have_attribute("aria-valuetext", "2025-11-30")
    settle(page, frame)
    assert url_params(page)["date_from"] == "2025-11-01" and url_params(page)["date_to"] == "2025-11-30"
    assert_offline_and_clean(session)


def test_selecting_incidents_shows_their_details(session: Session, app_url: str, artifacts) -> None:
    page = session.page
    frame = open_app_with_every_icon(session, app_url)
    expect(page.locator("[data-testid='stAlertContentInfo']", has_text="Click an incident")).to_be_visible()

    # A mouse click on PNJ019, the 26 Nov 2025 drone attack at Shŭrobod (four other records share its
    # point): the point's count symbol opens into a spider first.
    group_of(frame, "PNJ019").click(timeout=WAIT_MS)
    icon(frame, "PNJ019").click(timeout=WAIT_MS)
    column = detail_column(page, "PNJ019")
    expect(column).to_have_count(1, timeout=WAIT_MS)
    # Titled by the place the sources name; the point is a stand-in (Shŭrobod, the district centre).
    expect(column.locator("[data-testid='stHeading']")).to_contain_text("PNJ019: Shamsiddin Shohin district")
    expect(column.locator("[data-testid='stAlertContentWarning']")).to_contain_text(
        "No group has claimed responsibility")
    record = INC.set_index("event_id_cnty").loc["PNJ019"]
    expect(column).to_contain_text(f"{int(record['fatalities'])} killed")
    expect(column).to_contain_text("victims: Chinese")
    first_evidence = EVIDENCE.loc[EVIDENCE["record_id"] == "PNJ019", "quote"].iloc[0]
    expect(column).to_contain_text(first_evidence[:60])
    expect(frame.locator(".leaflet-popup-content")).to_contain_text("ID: PNJ019")
    settle(page, frame)
    assert_popup_points_at(frame, "PNJ019")  # its icon is on a spider leg from the shared point
    page.screenshot(path=str(artifacts / "browser-map-clicked.png"), full_page=True)
    # claims.csv: who says what about whom, each claim with its verbatim quote
    claims = CLAIMS[CLAIMS["incident_id"] == "PNJ019"]
    assert len(claims) > 1
    for _, claim in claims.iterrows():
        expect(column).to_contain_text(claim["claimant"])
        expect(column).to_contain_text(claim["quote"][:60])
    expect(page).to_have_url(re.compile(r"selected=incidents%2FPNJ019"), timeout=WAIT_MS)
    # the map still shows every record
    expect(frame.locator(".panj-incident")).to_have_count(int(LOCATED.sum()))

    # The keyboard way: focus another icon (PNJ029, Qalaikhumb) and press Enter.
    target = icon(frame, "PNJ029")
    target.focus()
    target.press("Enter")
    column = detail_column(page, "PNJ029")
    expect(column).to_have_count(1, timeout=WAIT_MS)
    expect(column).to_contain_text("Qalaikhumb")
    expect(page).to_have_url(re.compile(r"selected=incidents%2FPNJ029"), timeout=WAIT_MS)
    expect(frame.locator(".leaflet-popup-content")).to_contain_text("ID: PNJ029")
    # One popup, and one ring, for the one selected record.
    expect(frame.locator(".leaflet-popup")).to_have_count(1, timeout=WAIT_MS)
    expect(frame.locator(".panj-selected")).to_have_count(1, timeout=WAIT_MS)
    assert_ring_around(frame, "PNJ029")
    settle(page, frame)
    assert_popup_points_at(frame, "PNJ029")

    page.get_by_role("button", name="Close details").click()
    expect(page.locator("[data-testid='stAlertContentInfo']", has_text="Click an incident")).to_be_visible(
        timeout=WAIT_MS)
    expect(page).not_to_have_url(re.compile(r"selected="), timeout=WAIT_MS)
    # Closing the details closes the record's popup and drops the ring.
    expect(frame.locator(".leaflet-popup")).to_have_count(0, timeout=WAIT_MS)
    expect(frame.locator(".panj-selected")).to_have_count(0)
    assert_offline_and_clean(session)


def assert_ring_around(frame: Frame, record_id: str) -> None:
    centres = frame.evaluate(
        """id => [document.querySelector('.panj-selected'), document.querySelector(`[data-record="${id}"]`)]
                  .map(e => { const b = e.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; })""",
        record_id)
    (rx, ry), (ix, iy) = centres
    assert abs(rx - ix) < 1.5 and abs(ry - iy) < 1.5, centres


def assert_popup_points_at(frame: Frame, record_id: str) -> None:
    """The popup's tip is centred over the record's icon and touches its top (within a few pixels)."""
    tip, mark = frame.evaluate(
        """id => [document.querySelector('.leaflet-popup-tip'), document.querySelector(`[data-record="${id}"] svg`)]
                  .map(e => { const b = e.getBoundingClientRect(); return [b.x + b.width / 2, b.top, b.bottom]; })""",
        record_id)
    assert abs(tip[0] - mark[0]) < 2, (tip, mark)
    assert mark[1] - 8 < tip[2] < mark[1] + 8, (tip, mark)


def test_the_popup_follows_the_selection(session: Session, app_url: str) -> None:
    page = session.page
    # Selected in the URL (as the Sources page links do): the map opens with the record's popup and ring.
    frame = open_app(session, app_url, "?selected=incidents%2FPNJ019&zoom=10&center=37.8414,70.0487")
    expect(frame.locator(".leaflet-popup-content")).to_contain_text("ID: PNJ019", timeout=WAIT_MS)
    expect(frame.locator(".panj-selected")).to_have_count(1)
    assert_ring_around(frame, "PNJ019")
    settle(page, frame)
    assert_popup_points_at(frame, "PNJ019")
    view = map_view(frame)
    # not panned to fit the popup (a pixel at zoom 10 is about 0.0014 degrees)
    assert abs(view["lat"] - 37.8414) < 0.002 and abs(view["lng"] - 70.0487) < 0.002 and view["zoom"] == 10, view

    # A popup the user closes stays closed when the filters change but the record stays shown.
    frame.locator(".leaflet-popup-close-button").click()
    expect(frame.locator(".leaflet-popup")).to_have_count(0)
    page.get_by_label("Minimum fatalities").fill("1")
    page.get_by_label("Minimum fatalities").press("Enter")
    expect(page).to_have_url(re.compile(r"min_fatalities=1"), timeout=WAIT_MS)
    settle(page, frame)
    expect(frame.locator(".leaflet-popup")).to_have_count(0)
    expect(frame.locator(".panj-selected")).to_have_count(1)

    # Clicked again, then filtered out of the map: its popup and ring go with it.
    icon(frame, "PNJ019").click(timeout=WAIT_MS)
    expect(frame.locator(".leaflet-popup-content")).to_contain_text("ID: PNJ019")
    settle(page, frame)
    page.get_by_label("Minimum fatalities").fill("10")
    page.get_by_label("Minimum fatalities").press("Enter")
    expect(page).to_have_url(re.compile(r"min_fatalities=10"), timeout=WAIT_MS)
    expect(frame.locator("[data-record='PNJ019']")).to_have_count(0, timeout=WAIT_MS)
    expect(frame.locator(".leaflet-popup")).to_have_count(0, timeout=WAIT_MS)
    expect(frame.locator(".panj-selected")).to_have_count(0)
    assert_offline_and_clean(session)


def test_slider_filters_and_the_map_keeps_its_view_without_remounting(session: Session, app_url: str) -> None:
    page = session.page
    frame = open_app_with_every_icon(session, app_url)

    # the user drags the map, zooms in, drags again; each move reaches the app and its URL
    def drag(dx: float, dy: float) -> None:
        box = frame.locator(".leaflet-container").bounding_box()
        x, y = box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.25
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + dx, y + dy, steps=10)
        page.mouse.up()

    drag(-140, 90)
    settle(page, frame)
    frame.locator(".leaflet-control-zoom-in").click()
    expect(page).to_have_url(re.compile(r"zoom=8"), timeout=WAIT_MS)
    settle(page, frame)
    drag(60, -40)
    settle(page, frame)  # fails if the map and the app keep moving each other
    before = map_view(frame)
    assert before["zoom"] == 8
    assert_url_centre_is(page, before)

    # a marker on the map's window and its frame element: both must survive the filter change
    frame.evaluate("() => { window.__panjProbe = 'still-here'; }")
    iframe_element = frame.frame_element()
    navigations: list[str] = []
    page.on("framenavigated", lambda f: navigations.append(f.url) if f is frame else None)

    # move the end of the date window with the keyboard
    # (first take the focus back from the map's iframe: Leaflet pans on arrow keys)
    page.get_by_role("heading", level=1).first.click()
    end = date_thumbs(page).nth(1)
    end.focus()
    expect(end).to_be_focused()
    for key in ("PageDown", "PageDown", "ArrowLeft", "ArrowLeft"):
        end.press(key)
    expect(end).not_to_have_attribute("aria-valuetext", INC["end_date"].max())
    settle(page, frame)
    new_end = end.get_attribute("aria-valuetext")
    assert new_end and new_end < INC["end_date"].max(), new_end
    mask = overlapping(None, new_end)
    want_icons = int((mask & LOCATED).sum())
    assert want_icons < int(LOCATED.sum()), "the window must hide some located records for this test to mean anything"
    expect_summary(page, int(mask.sum()))
    expect(frame.locator(".panj-incident")).to_have_count(want_icons, timeout=WAIT_MS)
    assert url_params(page)["date_to"] == new_end

    after = map_view(frame)
    assert after["zoom"] == before["zoom"]
    assert abs(after["lat"] - before["lat"]) < 1e-9 and abs(after["lng"] - before["lng"]) < 1e-9, (before, after)
    assert after["pane"] == before["pane"]
    assert url_params(page)["zoom"] == "8"
    # not remounted: same frame, same window, same element
    assert map_frame(page) is frame
    assert frame.evaluate("() => window.__panjProbe") == "still-here"
    assert navigations == []
    assert iframe_element.evaluate("el => el.isConnected")
    assert any(iframe_element.evaluate("(a, b) => a === b", other) for other in page.locator("iframe").element_handles())

    # To another page and back: the new map opens where this one was, filters kept.
    page.locator("[data-testid='stSidebarNavLink']", has_text="Sources").click()
    expect(page.locator("h1", has_text="Sources")).to_be_visible(timeout=WAIT_MS)
    settle(page)
    page.locator("[data-testid='stSidebarNavLink']", has_text="Border map").click()
    expect_summary(page, int(mask.sum()))
    settle(page)
    back = map_frame(page)
    assert back is not frame
    expect(back.locator(".panj-incident")).to_have_count(want_icons, timeout=WAIT_MS)
    settle(page, back)
    again = map_view(back)
    assert again["zoom"] == 8
    assert abs(again["lat"] - after["lat"]) < 1e-3 and abs(again["lng"] - after["lng"]) < 1e-3, (after, again)
    assert url_params(page)["zoom"] == "8" and url_params(page)["date_to"] == new_end
    assert_offline_and_clean(session)


# In one task, as when a pan's report crosses the user's click: the map reports a view
# (the message streamlit-component-lib's setComponentValue posts), then "Data and import" is clicked.
REPORT_THEN_SWITCH = """() => {
    window.parent.postMessage({isStreamlitMessage: true, apiVersion: 1, type: 'streamlit:setComponentValue',
        dataType: 'json', value: {last_object_clicked_tooltip: null, last_object_clicked_count: 0, zoom: 9,
                                  center: {lat: 37.5, lng: 70.5}}}, '*');
    Array.from(window.parent.document.querySelectorAll("[data-testid='stSidebarNavLink']"))
         .find(a => a.textContent.includes('Data and import')).click(); }"""


def test_a_map_report_crossing_a_page_switch_does_not_blank_the_new_page(session: Session, app_url: str) -> None:
    """Streamlit 1.67 ran such a report as a fragment rerun of the page just left and blanked the
    new page (panjmap/ui/streamlit_fixes.py); without the fix this fails every time."""
    page = session.page
    frame = open_app(session, app_url)
    settle(page, frame)
    frame.evaluate(REPORT_THEN_SWITCH)
    expect(page.locator("h1", has_text="Data")).to_be_visible(timeout=WAIT_MS)
    settle(page)
    page.wait_for_timeout(1000)  # the stale run came after the new page had finished
    expect(page.locator("h1", has_text="Data")).to_be_visible()
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
    assert urlsplit(page.url).path == "/data"
    assert_offline_and_clean(session)


def test_the_map_still_reports_its_view_after_the_app_switched_page(session: Session, app_url: str) -> None:
    """A record opened from the Sources page (st.switch_page, no browser request names the map page):
    the map's reports are not taken for stale ones; a pan reaches the URL."""
    page = session.page
    open_app(session, app_url)
    page.locator("[data-testid='stSidebarNavLink']", has_text="Sources").click()
    expect(page.locator("h1", has_text="Sources")).to_be_visible(timeout=WAIT_MS)
    settle(page)
    page.get_by_text("Open a record on the map").click()
    page.get_by_role("button", name="PNJ019", exact=True).click()
    expect(detail_column(page, "PNJ019")).to_be_visible(timeout=WAIT_MS)
    frame = map_frame(page)
    settle(page, frame)
    frame.evaluate("() => window.map.panBy([120, 0], {animate: false})")
    settle(page, frame)
    view = map_view(frame)
    assert_url_centre_is(page, view)
    assert_offline_and_clean(session)


def test_every_incident_icon_can_be_reached_by_the_mouse(session: Session, app_url: str) -> None:
    """Records at the same point (Kabul, Dushanbe, Shŭrobod) must not hide one another."""
    page = session.page
    frame = open_app_with_every_icon(session, app_url)
    frame.evaluate("""() => { const pts = [];
        window.map.eachLayer(l => { const el = l.getElement && l.getElement();
                                    if (el && el.matches('.panj-incident')) pts.push(l.getLatLng()); });
        window.map.fitBounds(L.latLngBounds(pts), {padding: [60, 60], animate: false}); }""")
    settle(page, frame)
    # Records at one point are one count symbol: open each into its spider.
    for count in frame.locator(".panj-count").all():
        count.click()
    expect(frame.locator(".panj-grouped")).to_have_count(0)
    # An icon is unreachable when every sample point inside it that lands on an incident icon lands on another one.
    unreachable = frame.evaluate(
        """() => Array.from(document.querySelectorAll('.panj-incident')).filter(el => {
             const r = el.getBoundingClientRect();
             let seen = 0;
             for (let i = 1; i < 8; i++) for (let j = 1; j < 8; j++) {
               const hit = document.elementFromPoint(r.left + r.width * i / 8, r.top + r.height * j / 8);
               const icon = hit && hit.closest('.panj-incident');
               if (!icon) continue;
               if (icon === el) return false;
               seen++;
             }
             return seen > 0;
           }).map(el => el.getAttribute('aria-label')).sort()"""
    )
    assert unreachable == []
    assert_offline_and_clean(session)

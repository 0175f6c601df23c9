"""Issue 11, "Phone and keyboard": the map by keyboard and screen reader, and on a phone.

Keyboard: a skip link takes the user past the filters to the records; geography
is not in the tab order; every symbol is named; the 26 November attack (PNJ019,
in the Shŭrobod group) is reached in fewer than 15 Tab presses from the top of
the page; the selected record is announced by a live region.

Phone (390x844, touch): a one-finger swipe over the map scrolls the page and
leaves the map where it was; the first tap on a symbol selects it and brings its
details into view; "reset view" brings the border back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from panjmap import geodata
from tests.offline import cut_off
from tests.test_browser import (  # noqa: F401  (fixtures)
    WAIT_MS, Session, assert_offline_and_clean, detail_column, group_of, icon, map_view,
    open_app, open_app_with_every_icon, session, settle, summary_line,
)

# The element that has the focus, looking into (same-origin) iframes.
ACTIVE = """() => { let el = document.activeElement;
  while (el && el.tagName === 'IFRAME') { try { el = el.contentDocument.activeElement; } catch (e) { break; } }
  return el ? {tag: el.tagName.toLowerCase(), label: el.getAttribute('aria-label') || el.textContent.trim().slice(0, 80),
               symbol: el.dataset ? (el.dataset.symbol || el.dataset.group || '') : ''} : null; }"""
NAME = re.compile(r"^PNJ\d{3}: \d{1,2} [A-Z][a-z]{2} \d{4}( to \d{1,2} [A-Z][a-z]{2} \d{4})?, .+, .+$")


def test_keyboard_reaches_the_26_november_attack_in_fewer_than_15_tabs(session: Session, app_url: str) -> None:
    page = session.page
    open_app_with_every_icon(session, app_url)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    tabs, path = 0, []
    while tabs < 15:
        page.keyboard.press("Tab")
        tabs += 1
        active = page.evaluate(ACTIVE)
        path.append(active["label"])
        assert active["tag"] not in ("path", "svg"), f"geography in the tab order: {path}"
        if active["label"].startswith("PNJ019:"):
            break
        # as a keyboard user would: take the skip link, open the group holding the record
        if active["label"].startswith("Skip the filters"):
            page.keyboard.press("Enter")
        elif "incidents/PNJ019" in active["symbol"].split("|"):
            page.keyboard.press("Enter")
    assert path[-1].startswith("PNJ019:"), path
    assert tabs < 15, path
    assert NAME.match(path[-1]) and "26 Nov 2025" in path[-1] and "Shamsiddin Shohin district" in path[-1], path[-1]
    # Enter selects it: details beside the map, and announced
    page.keyboard.press("Enter")
    expect(detail_column(page, "PNJ019")).to_have_count(1, timeout=WAIT_MS)
    live = page.locator("[role='status'][aria-live='polite']")
    expect(live).to_have_count(1)
    expect(live).to_contain_text("Details of PNJ019: Shamsiddin Shohin district, 2025-11-26", timeout=WAIT_MS)
    assert_offline_and_clean(session)


def test_geography_is_not_in_the_tab_order_and_every_symbol_is_named(session: Session, app_url: str) -> None:
    frame = open_app_with_every_icon(session, app_url)
    for count in frame.locator(".panj-count").all():
        count.click()
    settle(session.page, frame)
    stops = frame.evaluate("""() => Array.from(document.querySelectorAll('.leaflet-container *'))
        .filter(el => el.tabIndex >= 0 && !el.closest('.leaflet-control-container') && getComputedStyle(el).visibility !== 'hidden')
        .map(el => ({tag: el.tagName.toLowerCase(), cls: String(el.className.baseVal ?? el.className),
                     label: el.getAttribute('aria-label') || ''}))""")
    assert [s for s in stops if s["tag"] in ("path", "svg", "g")] == []
    assert all(s["label"] for s in stops), stops
    incidents = [s["label"] for s in stops if "panj-incident" in s["cls"]]
    sites = [s["label"] for s in stops if "panj-site" in s["cls"]]
    assert len(incidents) == frame.locator(".panj-incident").count() and len(sites) == 3
    assert [n for n in incidents if not NAME.match(n)] == []
    assert all(s.startswith("Site: ") and "(" in s for s in sites), sites
    assert_offline_and_clean(session)


# --------------------------------------------------------------------------- phone

PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0 Mobile Safari/537.36")


@pytest.fixture
def phone(browser: Browser) -> Iterator[Session]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, user_agent=PHONE_UA, service_workers="block")
    page = context.new_page()
    s = Session(page)
    cut_off(context, s.blocked, s.requested)
    page.on("pageerror", lambda exc: s.js_errors.append(str(exc)))
    yield s
    context.close()


def page_scroll(page: Page) -> float:
    """How far the page is scrolled (Streamlit scrolls its main section, not the window)."""
    return page.evaluate("() => window.scrollY + (document.querySelector('[data-testid=stMain]')?.scrollTop || 0)")


def swipe_up(page: Page, x: float, y: float, distance: float) -> None:
    """One finger, as the touch screen reports it."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for k in range(1, 11):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y - distance * k / 10}]})
        page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def tap(page: Page, x: float, y: float) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_phone_one_finger_swipe_over_the_map_scrolls_the_page(phone: Session, app_url: str) -> None:
    page = phone.page
    frame = open_app(phone, app_url)
    settle(page, frame)
    frame.frame_element().scroll_into_view_if_needed()
    before_view, before_scroll = map_view(frame), page_scroll(page)
    box = frame.frame_element().bounding_box()
    swipe_up(page, box["x"] + box["width"] / 2, min(box["y"] + box["height"] / 2, 700), 300)
    page.wait_for_timeout(600)
    assert page_scroll(page) > before_scroll + 150, "the swipe did not scroll the page"
    after = map_view(frame)
    assert (after["lat"], after["lng"], after["zoom"]) == (before_view["lat"], before_view["lng"], before_view["zoom"])
    # the map says how to move it: a tap on it, then one finger moves the map, not the page
    expect(frame.locator(".panj-touch-hint")).to_have_text("Tap the map to move it with one finger; pinch to zoom")
    box = frame.frame_element().bounding_box()
    x, y = box["x"] + box["width"] - 60, min(box["y"] + box["height"] / 2, 600)  # no symbol there
    settle(page, frame)
    tap(page, x, y)
    active = frame.locator(".leaflet-container.panj-active")
    if not active.count():  # a touch can be lost while the page still lays out; a user taps again
        page.wait_for_timeout(1000)
        tap(page, x, y)
    expect(active).to_have_count(1)
    scrolled = page_scroll(page)
    swipe_up(page, x, y, -120)  # a swipe down
    settle(page, frame)
    moved = map_view(frame)
    assert moved["lat"] > after["lat"] + 0.1, (after, moved)  # dragged down: the map shows what is north
    assert abs(page_scroll(page) - scrolled) < 5
    # a touch on the page outside the map gives one-finger swipes back to the page
    summary = summary_line(page).bounding_box()
    if summary["y"] < 0:
        page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollBy(0, -200)")
        summary = summary_line(page).bounding_box()
    tap(page, summary["x"] + 10, summary["y"] + summary["height"] / 2)
    expect(frame.locator(".leaflet-container.panj-active")).to_have_count(0)
    box = frame.frame_element().bounding_box()
    scrolled, view = page_scroll(page), map_view(frame)
    swipe_up(page, box["x"] + box["width"] / 2, min(box["y"] + box["height"] / 2, 700), 200)
    page.wait_for_timeout(600)
    assert page_scroll(page) > scrolled + 100 and map_view(frame)["lat"] == view["lat"]
    assert_offline_and_clean(phone)


def test_phone_first_tap_selects_and_details_come_into_view(phone: Session, app_url: str) -> None:
    page = phone.page
    frame = open_app(phone, app_url)
    settle(page, frame)
    frame.frame_element().scroll_into_view_if_needed()
    icon(frame, "PNJ029").tap()
    column = detail_column(page, "PNJ029")
    expect(column).to_have_count(1, timeout=WAIT_MS)
    expect(page).to_have_url(re.compile(r"selected=incidents%2FPNJ029"), timeout=WAIT_MS)
    settle(page, frame)
    heading = column.locator("[data-testid='stHeading']")
    expect(heading).to_be_in_viewport(timeout=WAIT_MS)
    # a record inside a group: tap the group, then the record
    frame.frame_element().scroll_into_view_if_needed()
    group_of(frame, "PNJ019").tap()
    icon(frame, "PNJ019").tap()
    column = detail_column(page, "PNJ019")
    expect(column).to_have_count(1, timeout=WAIT_MS)
    settle(page, frame)
    expect(column.locator("[data-testid='stHeading']")).to_be_in_viewport(timeout=WAIT_MS)
    assert_offline_and_clean(phone)


def test_phone_reset_view_brings_the_border_back(phone: Session, app_url: str) -> None:
    page = phone.page
    frame = open_app(phone, app_url, "?zoom=11&center=34.5,69.2")  # Kabul, far from the border
    settle(page, frame)
    west, south, east, north = geodata.load_layer("border").total_bounds
    inside = f"() => map.getBounds().pad(0.02).contains([[{south}, {west}], [{north}, {east}]])"
    assert not frame.evaluate(inside)
    frame.frame_element().scroll_into_view_if_needed()
    frame.get_by_role("button", name="Reset view: the whole border").tap()
    settle(page, frame)
    assert frame.evaluate(inside)
    assert_offline_and_clean(phone)

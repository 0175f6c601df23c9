"""The map page's load order in Debian's Chromium: the map first, the sidebar after it, always.

The page draws its sidebar only in the run that the map's first report asks for, so that the
sidebar's widget chunks do not load while the map's frame does (docs/benchmarks.md, first paint);
a map that never reports still gets the sidebar, from a timed fallback. The times are the
browser's own stamps (bench.first_paint's init script), compared for order only.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Page, expect

from bench.first_paint import STAMPS_JS, TIMELINE_JS, VIEWPORT, find_map_frame
from tests.offline import cut_off

WAIT_MS = 60_000
SIDEBAR_SLIDER = "[data-testid='stSidebar'] [data-testid='stSlider']"


@pytest.fixture
def context(browser: Browser) -> Iterator[tuple[BrowserContext, list[str]]]:
    """A fresh context (a new Streamlit session, empty cache), cut off at loopback, stamping."""
    context = browser.new_context(viewport=VIEWPORT)
    blocked: list[str] = []
    cut_off(context, blocked)
    context.add_init_script(STAMPS_JS)
    yield context, blocked
    context.close()


def map_frame(page: Page) -> Frame:
    deadline = time.monotonic() + WAIT_MS / 1000
    while (frame := find_map_frame(page)) is None:
        assert time.monotonic() < deadline, "no map frame"
        page.wait_for_timeout(100)
    return frame


def stamps(page: Page | Frame) -> dict[str, float]:
    return page.evaluate(TIMELINE_JS)["stamps"]


def test_the_sidebar_comes_after_the_maps_first_symbol(context, app_url: str) -> None:
    ctx, blocked = context
    page = ctx.new_page()
    page.goto(app_url + "/", timeout=WAIT_MS)
    expect(page.locator(SIDEBAR_SLIDER)).to_be_visible(timeout=WAIT_MS)
    page.wait_for_function("() => window.__panjT && window.__panjT.sidebar_box", timeout=WAIT_MS)
    frame = map_frame(page)
    frame.wait_for_function("() => window.__panjT && window.__panjT.symbol_in_dom", timeout=WAIT_MS)
    symbol, sidebar = stamps(frame)["symbol_in_dom"], stamps(page)["sidebar_box"]
    assert symbol < sidebar, "the sidebar was drawn before the map's first symbol"
    # The sidebar drawn late is the whole sidebar, and it works.
    for label in ("Event type", "Region", "Basemap", "Search location, notes and quotes"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    page.get_by_role("button", name="Reset filters and layers").click()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    assert blocked == []


def test_a_map_that_never_reports_still_gets_its_sidebar(context, app_url: str) -> None:
    ctx, blocked = context
    ctx.route("**/component/streamlit_folium.st_folium/**", lambda route: route.abort())
    page = ctx.new_page()
    page.goto(app_url + "/", timeout=WAIT_MS)
    expect(page.locator(SIDEBAR_SLIDER)).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_label("Event type", exact=True)).to_be_visible()
    assert find_map_frame(page) is None  # it really had no map to report
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    assert blocked == []

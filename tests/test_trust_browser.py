"""Trust at a glance (issue 11) in a real browser: what only the browser can judge.

- Typing "ISKP" in the actor filter and pressing Enter selects ISKP (Streamlit 1.67's
  default multiselect offers "Select 3 matches" there: its fuzzy filter matches
  "ISKP" as a subsequence of several actor names, and Enter picks the bulk entry).
- The timeline opens on the time window, zooms with the wheel, and the dense
  Nov-Dec 2025 period is readable at 1440 px (screenshot in test-artifacts/).

Offline like test_browser.py: every non-loopback request is aborted and fails the test.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.offline import cut_off
from tests.settling import settle

LOAD_MS = 60_000
WAIT_MS = 30_000
ISKP = "Islamic State Khorasan Province (ISKP)"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh session at 1440x900, cut off at loopback; fails on any outside request or JS error."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, service_workers="block")
    blocked: list[str] = []
    errors: list[str] = []
    cut_off(context, blocked)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert blocked == [], f"requests left the machine: {blocked}"
    assert errors == [], f"uncaught JS errors: {errors}"


def params(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def summary(page: Page):
    return page.locator("[data-testid='stMarkdownContainer']", has_text="Curated incidents (seed articles):")


def test_typing_iskp_and_enter_selects_iskp(page: Page, app_url: str, artifacts) -> None:
    page.goto(app_url + "/", timeout=LOAD_MS)
    expect(summary(page)).to_be_visible(timeout=LOAD_MS)
    settle(page)
    actor_filter = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']",
                                has_text="Actor (involved, attributed or suspected)")
    box = actor_filter.locator("input")
    box.click()
    box.press_sequentially("ISKP")
    options = page.get_by_role("option")
    expect(options).to_have_count(1, timeout=WAIT_MS)  # one actor, one entry; no bulk "Select N matches"
    expect(options.first).to_contain_text(f"{ISKP} (3)")
    page.screenshot(path=str(artifacts / "trust-actor-filter-iskp.png"))
    box.press("Enter")
    settle(page)
    expect(actor_filter).to_contain_text(f"{ISKP} (3)")
    assert params(page).get("actors") == [ISKP]
    # PNJ002 (rockets into Tajikistan, 2022) and the attacks of 26 and 30 November 2025 it is suspected of.
    expect(summary(page)).to_contain_text("3 of 40 records", timeout=WAIT_MS)


def _chart(page: Page):
    return page.locator("[data-testid='stVegaLiteChart']").first


def _tooltip_over_marks(page: Page, box: dict, y_from: float, y_to: float) -> str:
    """Hover along the plot until Vega shows a record's tooltip; its text ("" if none)."""
    tooltip = page.locator("#vg-tooltip-element")
    for y in range(int(y_from), int(y_to), 6):
        for x in range(int(box["x"] + 30), int(box["x"] + box["width"] - 30), 9):
            page.mouse.move(x, y)
            if tooltip.is_visible() and "ID" in tooltip.inner_text():
                return tooltip.inner_text()
    return ""


def test_timeline_follows_the_window_zooms_and_reads_at_1440(page: Page, app_url: str, artifacts) -> None:
    page.goto(app_url + "/timeline", timeout=LOAD_MS)
    chart = _chart(page)
    expect(chart).to_be_visible(timeout=LOAD_MS)
    settle(page)
    before = chart.screenshot()

    # The wheel zooms the axis (the brush and the shared window are untouched).
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.3)
    for _ in range(6):
        page.mouse.wheel(0, -240)
        page.wait_for_timeout(120)
    zoomed = chart.screenshot()
    assert zoomed != before, "the wheel did not zoom the chart"
    assert "date_from" not in params(page)

    # One click to the dense period: the shared window follows, and the chart opens on it.
    page.get_by_role("button", name="Zoom to the densest period").click()
    settle(page)
    assert params(page).get("date_from") == ["2025-11-01"] and params(page).get("date_to") == ["2025-12-31"]
    chart = _chart(page)
    expect(chart).to_be_visible(timeout=WAIT_MS)
    settle(page)
    chart.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "trust-timeline-1440.png"))
    box = chart.bounding_box()
    assert box["width"] > 900, box  # the window's 61 days get the chart's full width
    text = _tooltip_over_marks(page, box, box["y"] + 10, box["y"] + box["height"] * 0.6)
    assert text and "PNJ0" in text, "no record's tooltip found over the dense period"
    assert "killed" in text and " 0 killed" not in text


def _map_frame(page: Page):
    deadline = time.monotonic() + LOAD_MS / 1000
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame is not page.main_frame and not frame.is_detached():
                try:
                    if frame.query_selector(".leaflet-container"):
                        return frame
                except Exception:  # navigating: look again
                    continue
        page.wait_for_timeout(250)
    raise AssertionError("no map frame")


def test_a_citation_opens_the_sources_reader_at_its_passage(page: Page, app_url: str) -> None:
    """Point 6: citations read "004_6807ccbb9dd62dbb.txt"; now outlet, date and title, linked to the passage.
    Points 3 and 7 in the popup: the reported place, the stand-in, and "not reported" for the injured."""
    page.goto(app_url + "/?selected=incidents%2FPNJ029", timeout=LOAD_MS)
    detail = page.locator("[data-testid='stVerticalBlock']", has=page.get_by_role("heading", name="PNJ029: Shodaki"))
    expect(detail.last).to_be_visible(timeout=LOAD_MS)
    settle(page)
    # The map's popup says the same (text made in Python, not numbers formatted in JS).
    popup = _map_frame(page).locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Shodaki", timeout=WAIT_MS)
    expect(popup).to_contain_text("2 killed; 2 injured")  # the Border Troops' figure (round-2 sources)
    expect(popup).to_contain_text("Shodaki: not in open gazetteers; placed at Qalaikhumb, district centre")
    links = page.get_by_role("link", name="Caliber.az, 2026-01-02: “Chinese investments under fire")
    expect(links.first).to_be_visible(timeout=WAIT_MS)
    assert page.get_by_text(re.compile(r"00[034]_[0-9a-f]{16}\.txt")).count() == 0  # no file hash shown
    link = links.first
    if link.get_attribute("target") == "_blank":
        with page.context.expect_page() as opened:
            link.click()
        reader = opened.value
    else:
        link.click()
        reader = page
    reader.wait_for_load_state()
    expect(reader.get_by_role("heading", name="Sources")).to_be_visible(timeout=LOAD_MS)
    cited = reader.locator("[data-testid='stAlertContentInfo']", has_text="Cited passage")
    expect(cited).to_be_visible(timeout=WAIT_MS)
    expect(reader.locator("mark.panj-cited")).to_have_count(1, timeout=WAIT_MS)

"""Provenance by selection (issue 13): in the real browser, an editor selects a passage of a
Russian source's text in the Edit records page's reader and it becomes the quote, exactly as
written, with that source; the same works for a claim's own quote."""

from __future__ import annotations

import re
from pathlib import Path
from playwright.sync_api import Browser, Page, expect

from panjmap.paths import SEEDS_DIR
from tests.offline import cut_off
from tests.test_editorial_browser import choose

WAIT_MS = 60_000
SOURCE = "014_3b5ceadc5c00d7b3.txt"  # Gazeta.ru, citing Interfax (Russian)
NEEDLE = "Отмечается, что инцидент произошел 30 ноября"


def _line_with(needle: str) -> str:
    text = (SEEDS_DIR / SOURCE).read_text(encoding="utf-8")
    return next(line for line in text.splitlines() if needle in line).strip()


def _open_reader(page: Page) -> None:
    page.get_by_text("Select the quote in a source's text").click()
    choose(page.locator("body"), "Source to read", "Gazeta.ru")


def _triple_click_on(page: Page, needle: str) -> None:
    """A user's triple click on the passage (it selects its paragraph), at its place on screen."""
    reader = page.locator("iframe[title*='quote_picker']")
    frame = reader.content_frame
    expect(frame.locator("#text")).to_contain_text(needle, timeout=WAIT_MS)
    spot = frame.locator("#text").evaluate(
        """(box, needle) => { const node = box.firstChild, at = node.data.indexOf(needle);
             const range = document.createRange(); range.setStart(node, at); range.setEnd(node, at + 1);
             range.startContainer.parentElement.scrollTop = 0;
             const r = range.getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; }""",
        needle)
    frame_box = reader.bounding_box()
    page.mouse.click(frame_box["x"] + spot["x"], frame_box["y"] + spot["y"], click_count=3)


def test_a_selected_passage_becomes_the_quote_with_its_source(app_url: str, browser: Browser, artifacts: Path) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1300}, service_workers="block")
    blocked: list[str] = []
    cut_off(context, blocked)
    page = context.new_page()
    try:
        page.goto(app_url + "/editor", timeout=WAIT_MS)
        _open_reader(page)
        _triple_click_on(page, NEEDLE)
        expected = _line_with(NEEDLE)
        expect(page.get_by_label("Quote 1")).to_have_value(expected, timeout=WAIT_MS)
        assert expected in (SEEDS_DIR / SOURCE).read_text(encoding="utf-8")  # verbatim, as validate checks
        expect(page.get_by_role("combobox", name="Source 1", exact=True)).to_have_value(re.compile(r"^Gazeta\.ru"))
        page.get_by_label("Quote 1").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "quote-picker.png"), full_page=True)

        # A claim quotes its own source.
        page.get_by_role("radiogroup", name="Record type").get_by_text("Claim", exact=True).click()
        expect(page.get_by_label("quote", exact=True)).to_be_visible(timeout=WAIT_MS)
        _open_reader(page)
        choose(page.locator("body"), "The selection goes into", "The claim's quote")
        _triple_click_on(page, NEEDLE)
        expect(page.get_by_label("quote", exact=True)).to_have_value(expected, timeout=WAIT_MS)
        assert page.locator("[data-testid='stException']").count() == 0
        assert blocked == []
    finally:
        context.close()

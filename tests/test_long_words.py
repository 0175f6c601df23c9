"""A 10,000-character word stays inside the map (issue 17, point 5).

An imported record whose place, actor and layer name are each one unbroken
10,000-character word: its tooltip and popup stay narrow and short (wrapped,
each field cut after three lines with an ellipsis) and inside the map, and so
do the legend and the layer list. Checked in Chromium on the standalone map,
which carries the same styles as the app's map.

Screenshot: test-artifacts/long-word-popup.png.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser

from panjmap import export, snapshot
from panjmap.data import load_dataset
from panjmap.importers import import_file
from panjmap.layers import curated_layer, imported_layer
from panjmap.state import GEOGRAPHY_LAYERS, ViewState
from tests import importer_fixtures as F

WORD = "W" * 10_000


FITS = "e => e.scrollWidth <= e.clientWidth + 1"  # nothing spills out sideways (a box's size ignores overflow)


def _inside(box: dict, frame: dict) -> bool:
    return (box["x"] >= frame["x"] and box["y"] >= frame["y"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
            and box["y"] + box["height"] <= frame["y"] + frame["height"])


def test_a_10000_character_word_stays_inside_tooltip_popup_legend_and_layer_list(browser: Browser, artifacts: Path) -> None:
    result = import_file(F.acled_csv([F.acled_row(1, location=WORD, actor1="A" * 10_000, latitude=37.9, longitude=70.4)]),
                         "long.csv", dataset_name="L" * 10_000)
    layer = imported_layer(result.dataset_name, result.records, 0)
    dataset = load_dataset()
    view = ViewState(layers=GEOGRAPHY_LAYERS + (layer.key,))
    meta = export.metadata(view, dataset, curated_layer(dataset).filtered(view), imported=[(layer.label, layer.filtered(view))])
    page_html = snapshot.standalone_html(view, dataset, meta, (layer,))
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    try:
        page.route("**/*", lambda route: route.abort() if route.request.url.startswith(("http:", "https:"))
                   else route.continue_())
        page.set_content(page_html, wait_until="load")
        frame = page.locator(".leaflet-container").bounding_box()
        page.locator(".panj-incident").hover()
        tooltip = page.locator(".leaflet-tooltip:has(.panj-tip)")
        box = tooltip.bounding_box()
        assert box["width"] <= 300 and box["height"] <= 250 and _inside(box, frame), box
        assert tooltip.evaluate(FITS)
        assert WORD[:20] in tooltip.text_content()  # cut, not dropped
        page.locator(".panj-incident").click()
        popup = page.locator(".leaflet-popup")
        popup.wait_for()
        page.wait_for_timeout(300)  # autopan
        box = popup.bounding_box()
        assert box["width"] <= 340 and box["height"] <= 400 and _inside(box, frame), box
        assert page.locator(".leaflet-popup-content").evaluate(FITS)
        clamped = page.locator(".leaflet-popup .panj-tip b bdi")
        assert clamped.evaluate("e => e.scrollHeight > e.clientHeight && getComputedStyle(e).webkitLineClamp === '3'")
        for selector in (".panj-legend:not(.panj-title):not(.panj-sources)", ".panj-title"):
            assert _inside(page.locator(selector).bounding_box(), frame), selector
            assert page.locator(selector).evaluate(FITS), selector
        page.locator(".leaflet-control-layers").hover()
        layers = page.locator(".leaflet-control-layers-list")
        assert layers.bounding_box()["width"] <= 340 and layers.bounding_box()["height"] <= 400
        page.screenshot(path=str(artifacts / "long-word-popup.png"))
    finally:
        page.close()

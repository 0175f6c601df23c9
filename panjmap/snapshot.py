"""Map snapshots of a view state: a standalone HTML file and a PNG.

The HTML is the app's map in one file (scripts, styles and data inlined), so it
opens with no network and no server. The PNG is that HTML rendered by headless
Chromium, the faithful renderer; without a Chromium it falls back to a
geopandas/matplotlib drawing of the same features. The PNG says which was used.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import html
import io
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import folium
from branca.element import MacroElement
from jinja2 import Template
from PIL import Image, PngImagePlugin

import pandas as pd

from panjmap import assets
from panjmap.data import Dataset, located
from panjmap.export import Metadata
from panjmap.layers import MapLayer, visible_layers
from panjmap.mapview.elements import TextBox, js_json
from panjmap.mapview.full import build_full_map
from panjmap.sources import shown_sources
from panjmap.state import ViewState

if TYPE_CHECKING:
    from playwright.sync_api import Page

SIZES: dict[str, tuple[int, int, int]] = {
    # name -> (CSS width, CSS height, device scale): slide 1600x900, print A4 landscape at ~300 dpi
    "slide": (1600, 900, 1),
    "print": (1754, 1240, 2),
}
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
_NETWORK_REF = re.compile(r"<(?:script|link)[^>]+(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.IGNORECASE)


class TitleBox(MacroElement):
    """Title, time window and filters in words, in the map's top-right corner."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var box = L.control({position: "topright"});
  box.onAdd = function () {
    var div = L.DomUtil.create("div", "panj-legend panj-title");
    div.style.maxWidth = "460px";
    div.innerHTML = {{ this.content }};
    return div;
  };
  box.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""
    )

    def __init__(self, meta: Metadata, renderer_note: str = ""):
        super().__init__()
        self._name = "TitleBox"
        lines = [f"<b style='font-size:15px'>{html.escape(meta.title)}</b>", html.escape(meta.filters),
                 html.escape(meta.contents[:1].upper() + meta.contents[1:]),
                 f"data {html.escape(meta.data_version)} · generated {html.escape(meta.generated)}"]
        if renderer_note:
            lines.append(html.escape(renderer_note))
        self.content = js_json("".join(f"<div>{line}</div>" for line in lines))  # each line cut after three (CSS)


def sources_line(state: ViewState, dataset: Dataset, imports: tuple[MapLayer, ...] = ()) -> str:
    """Who reported the records on the map, as a snapshot says it under the map."""
    shown = [located(layer.filtered(state)) for layer in visible_layers(state, dataset, imports)]
    labels = shown_sources(pd.concat(shown)) if shown else []
    return ("Sources of the records shown: " + "; ".join(labels)) if labels else "Sources: no records on the map"


def standalone_map(state: ViewState, dataset: Dataset, meta: Metadata, imports: tuple[MapLayer, ...] = (),
                   renderer_note: str = "", additions: tuple[MacroElement, ...] = ()) -> folium.Map:
    """The full map with its title box and sources line; the selected record ringed, its popup
    open; ``additions`` (e.g. playback's script) are added last."""
    m = build_full_map(state, dataset, imports)
    TitleBox(meta, renderer_note).add_to(m)
    TextBox([sources_line(state, dataset, imports)], "bottomright", "panj-sources").add_to(m)
    for element in additions:
        element.add_to(m)
    return m


def standalone_html(state: ViewState, dataset: Dataset, meta: Metadata, imports: tuple[MapLayer, ...] = (),
                    renderer_note: str = "", additions: tuple[MacroElement, ...] = ()) -> str:
    """One HTML file, all assets inlined; raises if anything would still load from the network."""
    page = standalone_map(state, dataset, meta, imports, renderer_note, additions).get_root().render()
    page = page.replace("<head>", "<head>\n<title>" + html.escape(meta.title) + "</title>"
                        + f"\n<meta name=\"panj-metadata\" content=\"{html.escape(js_json(meta.as_dict()))}\">", 1)
    page = assets.inline_assets(page)
    if _NETWORK_REF.search(page):
        raise ValueError("standalone HTML still references a network script or stylesheet")
    return page


def find_chromium() -> str | None:
    override = os.environ.get("PANJ_CHROMIUM")
    if override:
        return override if os.path.exists(override) else None
    for path in CHROMIUM_CANDIDATES:
        if os.path.exists(path):
            return path
    return shutil.which("chromium")


@dataclass(frozen=True)
class Png:
    data: bytes
    renderer: str  # "chromium" or "matplotlib"


@contextlib.contextmanager
def chromium_map_page(page_html: str, viewport: tuple[int, int, int], executable: str,
                      expected_markers: int) -> Iterator[Page]:
    """A headless Chromium page showing ``page_html``, drawn and without buttons; closed on exit.

    Every http(s) request is aborted: the file is self-contained. Snapshots and
    playback videos (panjmap.playback_video) take their pictures from it.
    """
    from playwright.sync_api import sync_playwright

    width, height, scale = viewport
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=scale)
            page.route("**/*", lambda route: route.abort() if route.request.url.startswith(("http:", "https:")) else route.continue_())
            page.set_content(page_html, wait_until="load")
            page.wait_for_selector(".leaflet-container", timeout=15_000)
            page.wait_for_function(
                "n => document.querySelectorAll('.panj-incident').length + "
                "document.querySelectorAll('canvas').length >= Math.min(n, 1)",
                arg=expected_markers, timeout=15_000,
            )
            # A picture needs no buttons: hide zoom, fullscreen and layer controls.
            page.add_style_tag(content=".leaflet-control-zoom,.panj-fs,.leaflet-control-layers{display:none!important}")
            page.wait_for_timeout(300)  # let the tiles of vector layers settle
            yield page
        finally:
            browser.close()


def _chromium_screenshot(page_html: str, size: str, executable: str, expected_markers: int) -> bytes:
    with chromium_map_page(page_html, SIZES[size], executable, expected_markers) as page:
        return page.screenshot(type="png", full_page=False)


def _with_metadata(png: bytes, meta: Metadata, renderer: str) -> bytes:
    image = Image.open(io.BytesIO(png))
    info = PngImagePlugin.PngInfo()
    for key, value in meta.as_dict().items():
        info.add_itxt(f"panj:{key}", js_json(value) if not isinstance(value, str) else value)
    info.add_itxt("panj:renderer", renderer)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def render_png(state: ViewState, dataset: Dataset, meta: Metadata, imports: tuple[MapLayer, ...] = (),
               size: str = "slide", renderer: str = "auto") -> Png:
    """The view as PNG: Chromium when present (or asked), else matplotlib."""
    executable = find_chromium() if renderer in ("auto", "chromium") else None
    if renderer == "chromium" and executable is None:
        raise RuntimeError("no Chromium found (set PANJ_CHROMIUM or install Debian's chromium)")
    if executable:
        expected = sum(len(l.filtered(state)) for l in visible_layers(state, dataset, imports))
        page = standalone_html(state, dataset, meta, imports, renderer_note="Rendered by headless Chromium")
        # Playwright's sync API refuses to run inside an asyncio loop; a worker thread has none.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            data = pool.submit(_chromium_screenshot, page, size, executable, expected).result()
        return Png(_with_metadata(data, meta, "chromium"), "chromium")
    from panjmap.static_map import render_static_png

    note = "Rendered by matplotlib" + (" (no Chromium found)" if renderer == "auto" else "")
    data = render_static_png(state, dataset, meta, imports, SIZES[size], note)
    return Png(_with_metadata(data, meta, "matplotlib"), "matplotlib")

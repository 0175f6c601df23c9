"""The map's own JavaScript and CSS, kept as files in this package (js/, css/).

They are read once per process and inlined into every map page, so a map
(and a standalone export) needs no server and no network. Data never enters
these files: it reaches the page as JSON (``elements.js_json``) and becomes
HTML only through ``PANJ.esc`` in the browser.
"""

from __future__ import annotations

import functools
from pathlib import Path

_HERE = Path(__file__).parent

# core.js defines window.PANJ; the others add to it, so it comes first.
MAP_SCRIPTS = ("core.js", "spider.js", "incident_layer.js", "selection.js", "sites.js",
               "place_labels.js", "controls.js")
MAP_STYLES = ("map.css", "legend.css")


@functools.cache
def script(names: tuple[str, ...] = MAP_SCRIPTS) -> str:
    """The named js/ files, joined in order."""
    return "\n".join((_HERE / "js" / name).read_text(encoding="utf-8") for name in names)


@functools.cache
def stylesheet(names: tuple[str, ...] = MAP_STYLES) -> str:
    """The named css/ files, joined in order (the text of a <style> element)."""
    return "\n".join((_HERE / "css" / name).read_text(encoding="utf-8") for name in names)

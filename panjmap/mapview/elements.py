"""Our own Leaflet elements, as folium MacroElements.

Their JavaScript and CSS live in js/ and css/ (see ``scripts``): each element's
template only calls its ``window.PANJ`` function with its data.

Data reaches the page only as JSON (``js_json``, safe inside a <script>), and
every string from data becomes HTML only through ``PANJ.esc`` in the browser.
The incident layer sends compact columns, not one GeoJSON feature per event,
and draws SVG icons for small layers and canvas circles for large ones, so a
large layer never creates one DOM element per event.
"""

from __future__ import annotations

import json
import re
from typing import Any

from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from panjmap.mapview import scripts
from panjmap.mapview.style import PRECISION_RING_M


# The one rule for text from data, files, file names, layer names, URLs or users on the
# map page: it reaches the page only through ``js_json``, inside one of our elements here,
# and becomes HTML only in the browser (PANJ.esc / PANJ.bdi). folium's own elements
# (LayerControl, GeoJson, Tooltip, Popup, ...) never receive it: branca renders each
# MacroElement's output a second time as a Jinja template (MacroElement.render wraps it in
# Element(text)), and folium's ``tojson`` leaves "{{" intact, so a layer named
# "{{lipsum.__globals__.os.getcwd()}}" would run as template code on the server. js_json
# writes the "{" of "{{", "{%" and "{#" as \u007b: still "{" to JavaScript, inert to Jinja
# (JSON's own braces are never followed by these). See docs/security.md.
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


def js_json(value: Any) -> str:
    """JSON that is also safe to embed in an HTML <script> element and in a folium/branca template.

    The only way user or data text may enter a map element (see the rule above)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace(
        "\u2028", "\\u2028"
    ).replace("\u2029", "\\u2029")
    return _JINJA_OPEN.sub(r"\\u007b", text)


LEGEND_CSS = "<style>" + scripts.stylesheet(("legend.css",)) + "</style>"


class Helpers(MacroElement):
    """Our JavaScript (window.PANJ: helpers and every element's drawing code) and CSS,
    from the files in js/ and css/; added once to every map, before the elements that use it."""

    # streamlit-folium takes each element's ``script`` macro; the code goes in as a value,
    # never compiled as template text.
    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self) -> None:
        super().__init__()
        self._name = "Helpers"
        self.code = scripts.script()

    def render(self, **kwargs: Any) -> None:
        """Added as plain text: branca would compile the code as a Jinja template."""
        figure = self.get_root()
        assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
        figure.header.add_child(_Text("<style>" + scripts.stylesheet() + "</style>"), name=self.get_name())
        figure.script.add_child(_Text(self.code), name=self.get_name())


class _PlainScript(MacroElement):
    """A MacroElement whose large data payload is never compiled as a template."""

    def render(self, **kwargs: Any) -> None:
        """As MacroElement.render, but the rendered script goes in as plain text: branca's
        ``Element(text)`` would compile it as a Jinja template, which for a large layer
        means tokenizing megabytes of data on every render (~0.6 s per 100k records)."""
        figure = self.get_root()
        assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
        script = self._template.module.__dict__["script"]
        figure.script.add_child(_Text(script(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class GeoLayer(_PlainScript):
    """A geography layer from a GeoJSON string serialised once per process (see base._geojson),
    styled by ``style_js`` (a path style as JSON; see PANJ.geoLayer), with the ``tooltip`` property escaped."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
window.PANJ.geoLayer({{ this.payload }}, {{ this.style }}, {{ this.tooltip }}).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, payload: str, style_js: str, tooltip: str):
        super().__init__()
        self._name = "GeoLayer"
        self.payload = payload
        self.style = style_js
        self.tooltip = js_json(tooltip)


class IncidentLayer(_PlainScript):
    """Incident points as compact columns; drawn into the parent feature group.

    ``columns`` (see ``incidents.incident_payload``) holds parallel lists: the
    id (``ids``, or ``idp``/``idk``/``idn`` with ``idn`` as differences), lat/lon
    (whole 1e-4 degrees above ``lat0``/``lon0``), t (index into ``types``), r
    (pixel radius), gp (geo precision), tp (time precision), d/span (start as
    days after ``day0``, sent as differences; end as days after the start), loc and actor (indexes into ``locs`` and
    ``actors``), cass/cas (casualties in words), sts/st (stand-in notes). ``mode`` is "icons" (SVG shapes at their points, hollow
    with a dashed precision ring when imprecise; records at one point grouped by
    ``PANJ.spider``) or "canvas" (circles drawn on one canvas by ``PANJ.points``,
    tooltip and popup made on hover and click). Drawing code: js/incident_layer.js.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
window.PANJ.incidentLayer({{ this.payload }}, {{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, key: str, label: str, types: list[dict], columns: dict[str, list], mode: str):
        super().__init__()
        self._name = "IncidentLayer"
        self.data = {"key": key, "label": label, "types": types, "columns": columns, "mode": mode,
                     "rings": {str(k): v for k, v in PRECISION_RING_M.items()}}

    @property
    def payload(self) -> str:
        """The data as JSON, made when the layer is rendered (a cached script needs none: map_component)."""
        return js_json(self.data)


class LayerControl(_PlainScript):
    """Leaflet's layer control for the map's layers, named by their ``layer_name`` as plain text.

    Used instead of folium.LayerControl, whose template puts the names (user text for an
    imported layer) where branca renders them again as a template; here they travel as
    js_json data and become HTML through PANJ.bdi.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
window.PANJ.layerControl([{% for layer in this.entries %}[{{ layer[0] }}, {{ layer[1] }}, {{ layer[2] }}],{% endfor %}],
  {{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "LayerControl"
        self.entries: list[tuple[str, str, str]] = []

    def render(self, **kwargs: Any) -> None:
        # The map's layers as they are when the page is rendered: (JS variable, name, overlay).
        self.entries = [
            (child.get_name(), js_json(str(child.layer_name)), "true" if child.overlay else "false")
            for child in self._parent._children.values()
            if getattr(child, "control", False) and hasattr(child, "layer_name")
        ]
        super().render(**kwargs)


class SelectionSync(_PlainScript):
    """Makes the map agree with the selected record ("layer/id", or "" for none).

    Runs after the incident layers each time the map's layers are redrawn: it
    rings the selected record, closes a record popup that is no longer the
    selection or no longer shown, and opens the selection's popup when the
    selection has changed (e.g. picked on the Sources page or in the details)
    without moving the map. A popup the user closed stays closed.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
window.PANJ.selectionSync({{ this.selected }}, {{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, selected: str):
        super().__init__()
        self._name = "SelectionSync"
        self.selected = js_json(selected)


class _Text(Element):
    """Text that renders as itself (branca's Element(text) treats text as a Jinja template)."""

    def __init__(self, text: str):
        super().__init__()
        self._name = "Text"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class PlaceLabels(MacroElement):
    """Place and region names as permanent labels (see js/place_labels.js): each from its own
    min_zoom up, in rank order, dropped at a zoom where it would overlap a higher-ranked one."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
window.PANJ.placeLabels({{ this.payload }}, {{ this._parent.get_name() }}, {{ this.map_name }});
{% endmacro %}
"""
    )

    def __init__(self, places: list[dict], map_name: str):
        super().__init__()
        self._name = "PlaceLabels"
        self.payload = js_json(places)
        self.map_name = map_name


class MapControls(MacroElement):
    """Legend (static HTML from our own style table; "" for none), data attribution, full screen,
    "reset view" to ``home`` ((south, west, north, east), if given) and touch-screen gestures."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
window.PANJ.mapControls({{ this._parent.get_name() }}, {{ this.legend_html }}, {{ this.attribution }}, {{ this.home }});
{% endmacro %}
"""
    )

    def __init__(self, legend_html: str, attribution_html: str,
                 home: tuple[float, float, float, float] | None = None):
        super().__init__()
        self._name = "MapControls"
        self.legend_html = js_json(legend_html)
        self.attribution = js_json(attribution_html)
        self.home = js_json([[home[0], home[1]], [home[2], home[3]]] if home else None)


def map_background(color: str) -> Element:
    """CSS for the map's background beyond the vector base (more specific than leaflet.css's #ddd)."""
    return Element(f"<style>html body .leaflet-container{{background:{color}}}</style>")


class SiteLayer(_PlainScript):
    """Project sites and border posts (Point features) as named, focusable symbols, grouped
    with co-located records like incident symbols (js/sites.js). ``icons``: our own SVG by kind."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
window.PANJ.siteLayer({{ this.payload }}, {{ this.icons }}, {{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, features: list[dict], icons: dict[str, str]):
        super().__init__()
        self._name = "SiteLayer"
        self.payload = js_json(features)
        self.icons = js_json(icons)


class TextBox(MacroElement):
    """Lines of plain text in a corner of the map (shown as text, never parsed as HTML)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
window.PANJ.textBox({{ this._parent.get_name() }}, {{ this.position }}, {{ this.css_class }}, {{ this.lines }});
{% endmacro %}
"""
    )

    def __init__(self, lines: list[str], position: str = "bottomright", css_class: str = ""):
        super().__init__()
        self._name = "TextBox"
        self.lines = js_json(lines)
        self.position = js_json(position)
        self.css_class = js_json(css_class)

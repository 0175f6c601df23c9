"""Our own Leaflet elements, as folium MacroElements.

Data reaches the page only as JSON (``js_json``, safe inside a <script>), and
every string from data becomes HTML only through ``PANJ.esc`` in the browser.
The incident layer sends compact columns, not one GeoJSON feature per event,
and draws SVG icons for small layers and canvas circles for large ones, so a
large layer never creates one DOM element per event.
"""

from __future__ import annotations

import json
from typing import Any

from branca.element import Element, MacroElement
from jinja2 import Template

from panjmap.mapview.style import PRECISION_RING_M


def js_json(value: Any) -> str:
    """JSON that is also safe to embed in an HTML <script> element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace(
        "\u2028", "\\u2028"
    ).replace("\u2029", "\\u2029")


LEGEND_RULES = """
.panj-legend{background:rgba(255,255,255,.92);padding:5px 7px;font:11px/1.3 "DejaVu Sans",Arial,sans-serif;
  border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:230px}
.panj-legend summary{font-weight:bold;cursor:pointer}
.panj-legend h4{margin:2px 0;font-size:11px}
.panj-legend .row{display:flex;align-items:center;gap:5px}
.panj-legend .sw{width:16px;height:13px;flex:none}
"""
LEGEND_CSS = "<style>" + LEGEND_RULES + "</style>"

HELPERS_CSS = (
    """
<style>
.panj-incident{background:none;border:none}
.panj-incident span,.panj-incident svg{overflow:visible;display:block}
.panj-label{background:rgba(255,255,255,.75);border:none;box-shadow:none;padding:0 3px;
  font:11px/1.3 "DejaVu Sans",Arial,sans-serif;color:#222;border-radius:2px}
.panj-label:before{display:none}
.panj-label.capital{font-weight:bold;font-size:12px}
.panj-tip{font:12px/1.35 "DejaVu Sans",Arial,sans-serif;max-width:280px;white-space:normal}
.panj-tip .pm-id{color:#666;font-size:11px}
.panj-fs a{display:flex;align-items:center;justify-content:center;cursor:pointer}
.leaflet-control-attribution{font-size:10px;max-width:70%}
.panj-site{background:none;border:none}
"""
    + LEGEND_RULES
    + "</style>"
)

HELPERS_JS = """
window.PANJ = window.PANJ || (function () {
  var ESC = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;"};
  function esc(s) { return String(s === null || s === undefined ? "" : s).replace(/[&<>"'`]/g, function (c) { return ESC[c]; }); }
  function svg(shape, color, r, hollow) {
    var d = 2 * r + 4, c = r + 2, fill = hollow ? "none" : color, sw = hollow ? 2.5 : 1.2;
    var stroke = hollow ? color : "#ffffff", dash = hollow ? ' stroke-dasharray="4 2"' : "";
    var body;
    if (shape === "square") body = '<rect x="' + (c - r * 0.85) + '" y="' + (c - r * 0.85) + '" width="' + (1.7 * r) + '" height="' + (1.7 * r) + '"';
    else if (shape === "diamond") body = '<polygon points="' + c + ',' + (c - r) + ' ' + (c + r) + ',' + c + ' ' + c + ',' + (c + r) + ' ' + (c - r) + ',' + c + '"';
    else if (shape === "triangle") body = '<polygon points="' + c + ',' + (c - r) + ' ' + (c + r) + ',' + (c + r * 0.8) + ' ' + (c - r) + ',' + (c + r * 0.8) + '"';
    else if (shape === "pentagon") { var p = []; for (var k = 0; k < 5; k++) { var a = -Math.PI / 2 + k * 2 * Math.PI / 5; p.push((c + r * Math.cos(a)).toFixed(1) + ',' + (c + r * Math.sin(a)).toFixed(1)); } body = '<polygon points="' + p.join(' ') + '"'; }
    else body = '<circle cx="' + c + '" cy="' + c + '" r="' + r + '"';
    return '<svg width="' + d + '" height="' + d + '" viewBox="0 0 ' + d + ' ' + d + '">' + body +
      ' fill="' + fill + '" fill-opacity="0.85" stroke="' + stroke + '" stroke-width="' + sw + '"' + dash + '/></svg>';
  }
  var GEO = {1: "exact place", 2: "approximate: near a town / within a district", 3: "approximate: only the region is known"};
  var TIME = {1: "exact day", 2: "week known", 3: "month known"};
  function when(d, e, tp) { var s = d === e ? d : d + " to " + e; return s + (tp ? " (" + (TIME[tp] || "") + ")" : ""); }
  return {esc: esc, svg: svg, GEO: GEO, TIME: TIME, when: when};
})();
"""


class Helpers(MacroElement):
    """Shared JS helpers and CSS; added once to every map."""

    _template = Template(
        "{% macro header(this, kwargs) %}" + HELPERS_CSS + "{% endmacro %}"
        "{% macro script(this, kwargs) %}" + HELPERS_JS + "{% endmacro %}"
    )


class IncidentLayer(MacroElement):
    """Incident points as compact columns; drawn into the parent feature group.

    ``columns`` holds parallel lists: id, lat, lon, t (index into ``types``),
    r (pixel radius), gp (geo precision), tp (time precision), d/span (start
    and end as days after ``day0``), loc and actor (indexes into ``locs`` and
    ``actors``), fat, inj. ``mode`` is "icons" (SVG shapes, hollow with a
    dashed precision ring when imprecise) or "canvas" (circles on one canvas).
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var P = window.PANJ, D = {{ this.payload }}, group = {{ this._parent.get_name() }};
  var canvas = D.mode === "canvas" ? L.canvas({padding: 0.3}) : null, c = D.columns;
  var day0 = Date.parse(c.day0 + "T00:00:00Z");
  function day(n) { return new Date(day0 + n * 864e5).toISOString().slice(0, 10); }
  function tip(i) {
    var t = D.types[c.t[i]];
    var cas = c.fat[i] + " killed" + (c.inj[i] === null ? "" : ", " + c.inj[i] + " injured");
    return '<div class="panj-tip"><b>' + P.esc(c.locs[c.loc[i]] || "(location not reported)") + "</b><br>" +
      P.esc(P.when(day(c.d[i]), day(c.span[i]), c.tp[i])) + "<br>" + P.esc(t.name) + " · " + P.esc(cas) +
      (c.gp[i] >= 2 ? "<br><i>" + P.esc(P.GEO[c.gp[i]]) + "</i>" : "") +
      '<br><span class="pm-id">ID: ' + P.esc(c.id[i]) + " [" + P.esc(D.key) + "]</span></div>";
  }
  function popup(i) {
    return tip(i) + '<div class="panj-tip">' + P.esc(c.actors[c.actor[i]]) + "<br><small>" + P.esc(D.label) + "</small></div>";
  }
  // Records placed at the same point (e.g. a district centre) fan out in a
  // small pixel circle around it, so each stays visible and clickable; the
  // geographic position (and the precision ring) stays the true one.
  var atPoint = {}, slot = [];
  for (var j = 0; j < c.id.length; j++) {
    var key = c.lat[j] + "," + c.lon[j];
    slot.push(atPoint[key] || 0);
    atPoint[key] = (atPoint[key] || 0) + 1;
  }
  for (var i = 0; i < c.id.length; i++) {
    var t = D.types[c.t[i]], ll = [c.lat[i], c.lon[i]], r = c.r[i], hollow = c.gp[i] >= 2, layer;
    var n = atPoint[c.lat[i] + "," + c.lon[i]], dx = 0, dy = 0;
    if (n > 1) {
      var angle = 2 * Math.PI * slot[i] / n - Math.PI / 2, spread = 8 + 5 * n;
      dx = Math.round(spread * Math.cos(angle)); dy = Math.round(spread * Math.sin(angle));
    }
    if (canvas) {
      layer = L.circleMarker(ll, {renderer: canvas, radius: r, color: t.color, weight: hollow ? 2 : 1,
        fillColor: t.color, fillOpacity: hollow ? 0 : 0.75, dashArray: hollow ? "3 3" : null});
    } else {
      // alt becomes the marker's aria-label (set as an attribute, not parsed as HTML)
      var label = c.id[i] + ": " + t.name + ", " + (c.locs[c.loc[i]] || "location not reported");
      layer = L.marker(ll, {icon: L.divIcon({className: "panj-incident",
        html: '<span data-record="' + P.esc(c.id[i]) + '">' + P.svg(t.shape, t.color, r, hollow) + "</span>",
        iconSize: [2 * r + 4, 2 * r + 4], iconAnchor: [r + 2 - dx, r + 2 - dy]}), riseOnHover: true, alt: label});
      // Leaflet writes ``alt`` only on <img> icons: name the focusable div icon ourselves.
      layer.on("add", function () { var el = this.getElement(); if (el) el.setAttribute("aria-label", this.options.alt); });
      if (hollow && D.rings[c.gp[i]]) {
        group.addLayer(L.circle(ll, {radius: D.rings[c.gp[i]], color: t.color, weight: 1.2, dashArray: "5 6",
          fill: false, interactive: false, className: "panj-ring"}));
      }
    }
    layer.bindTooltip(tip(i), {direction: "top"});
    layer.bindPopup((function (k) { return function () { return popup(k); }; })(i), {maxWidth: 300, minWidth: 220});
    // Enter on a focused icon only toggles its popup in Leaflet: also select it, like a click.
    if (!canvas) layer.on("keypress", function (e) {
      if (e.originalEvent.keyCode === 13) { this.fire("click", {latlng: this.getLatLng()}); this.openPopup(); }
    });
    group.addLayer(layer);
  }
})();
{% endmacro %}
"""
    )

    def __init__(self, key: str, label: str, types: list[dict], columns: dict[str, list], mode: str):
        super().__init__()
        self._name = "IncidentLayer"
        self.payload = js_json(
            {"key": key, "label": label, "types": types, "columns": columns, "mode": mode,
             "rings": {str(k): v for k, v in PRECISION_RING_M.items()}}
        )


class PlaceLabels(MacroElement):
    """Place names as permanent labels, each shown only from its own min_zoom up."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var P = window.PANJ, places = {{ this.payload }}, group = {{ this._parent.get_name() }}, map = {{ this.map_name }};
  var items = places.map(function (p) {
    var m = L.circleMarker([p.lat, p.lon], {radius: p.capital ? 3.5 : 2.2, color: "#333", weight: 1,
      fillColor: "#fff", fillOpacity: 1, interactive: false});
    m.bindTooltip(P.esc(p.name), {permanent: true, direction: "right", offset: [4, 0],
      className: "panj-label" + (p.capital ? " capital" : "")});
    return {p: p, m: m};
  });
  function update() {
    var z = map.getZoom();
    items.forEach(function (it) {
      var show = z >= it.p.min_zoom;
      if (show && !group.hasLayer(it.m)) group.addLayer(it.m);
      if (!show && group.hasLayer(it.m)) group.removeLayer(it.m);
    });
  }
  map.on("zoomend", update);
  update();
})();
{% endmacro %}
"""
    )

    def __init__(self, places: list[dict], map_name: str):
        super().__init__()
        self._name = "PlaceLabels"
        self.payload = js_json(places)
        self.map_name = map_name


class MapControls(MacroElement):
    """Legend (static HTML from our own style table; "" for none), data attribution and a fullscreen button."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var legendHtml = {{ this.legend_html }};
  if (legendHtml) {
    var legend = L.control({position: "bottomleft"});
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "panj-legend");
      div.innerHTML = "<details open><summary>Legend</summary>" + legendHtml + "</details>";
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    legend.addTo(map);
  }
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution({{ this.attribution }});
  var fs = L.control({position: "topleft"});
  fs.onAdd = function () {
    var div = L.DomUtil.create("div", "leaflet-bar panj-fs");
    var a = L.DomUtil.create("a", "", div);
    a.href = "#"; a.title = "Full screen"; a.setAttribute("role", "button"); a.innerHTML = '<svg width="14" height="14" viewBox="0 0 14 14" fill="none" stroke="#333" stroke-width="2"><path d="M1 5V1h4M9 1h4v4M13 9v4H9M5 13H1V9"/></svg>';
    L.DomEvent.on(a, "click", function (e) {
      L.DomEvent.preventDefault(e);
      var el = map.getContainer();
      if (document.fullscreenElement) document.exitFullscreen();
      else if (el.requestFullscreen) el.requestFullscreen();
    });
    return div;
  };
  fs.addTo(map);
  document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });
})();
{% endmacro %}
"""
    )

    def __init__(self, legend_html: str, attribution_html: str):
        super().__init__()
        self._name = "MapControls"
        self.legend_html = js_json(legend_html)
        self.attribution = js_json(attribution_html)


def map_background(color: str) -> Element:
    """CSS giving the map container a water-like background under the vector base."""
    return Element(f"<style>.leaflet-container{{background:{color}}}</style>")

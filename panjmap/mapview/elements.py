"""Our own Leaflet elements, as folium MacroElements.

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


LEGEND_RULES = """
.panj-legend{background:rgba(255,255,255,.92);padding:5px 7px;font:11px/1.3 "DejaVu Sans",Arial,sans-serif;
  border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:230px;overflow-wrap:anywhere}
.panj-legend summary{font-weight:bold;cursor:pointer}
.panj-legend h4{margin:2px 0;font-size:11px}
.panj-legend .row{display:flex;align-items:center;gap:5px}
.panj-legend .sw{width:16px;height:13px;flex:none}
.panj-legend .row span,.panj-title div{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:3;overflow:hidden}
"""
LEGEND_CSS = "<style>" + LEGEND_RULES + "</style>"

HELPERS_CSS = (
    """
<style>
.panj-incident{background:none;border:none}
.panj-incident span,.panj-incident svg{overflow:visible;display:block}
.panj-selected{box-sizing:border-box;background:none;border:3px solid #111;border-radius:50%;box-shadow:0 0 0 2px #fff,inset 0 0 0 1px #fff}
.panj-label{background:rgba(255,255,255,.75);border:none;box-shadow:none;padding:0 3px;
  font:11px/1.3 "DejaVu Sans",Arial,sans-serif;color:#222;border-radius:2px}
.panj-label:before{display:none}
.panj-label.capital{font-weight:bold;font-size:12px}
.panj-tip{font:12px/1.35 "DejaVu Sans",Arial,sans-serif;width:max-content;max-width:280px;white-space:normal;overflow-wrap:anywhere}
.panj-tip bdi{display:-webkit-inline-box;-webkit-box-orient:vertical;-webkit-line-clamp:3;
  overflow:hidden;max-width:100%;vertical-align:bottom}
.leaflet-control-layers-list{max-width:320px;overflow-wrap:anywhere}
.panj-layer-name{display:-webkit-inline-box;-webkit-box-orient:vertical;-webkit-line-clamp:3;overflow:hidden;
  max-width:290px;vertical-align:top}
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
  // A large layer on one canvas: a Leaflet canvas renderer that projects and draws
  // every record itself (no Leaflet layer, tooltip or popup per record) and finds the
  // record under the pointer; that record's tooltip and popup are made when needed.
  // Events fire on this layer as on a circle marker, so a click reports the record's
  // tooltip to streamlit-folium. d: {n, lat(i), lon(i), r (pixel radii),
  // style(i) -> {key, color, hollow}, tip(i), popup(i), record(i) -> "layer/id", mark(i)}.
  var Points = null;
  function pointsClass() {
    return L.Canvas.extend({
      initialize: function (d, options) {
        L.Canvas.prototype.initialize.call(this, options);
        var n = d.n, batches = {}, i, k;
        this._d = d; this._hover = -1; this._active = -1;
        this._r = new Float64Array(n); this._w = new Float64Array(n);
        this._x = new Float64Array(n); this._y = new Float64Array(n);
        this._batches = [];
        for (i = 0; i < n; i++) {
          var s = d.style(i);
          this._r[i] = Math.max(Math.round(d.r[i]), 1); this._w[i] = s.hollow ? 2 : 1;
          if (!batches[s.key]) { batches[s.key] = {style: s, idx: []}; this._batches.push(batches[s.key]); }
          batches[s.key].idx.push(i);
        }
        this.bindTooltip("", {direction: "top"});
      },
      onAdd: function (map) {
        // Leaflet stacks canvases under SVG within a pane, and the base map's opaque
        // country polygons are SVG: draw in a pane of our own above them, below markers.
        if (!map.getPane(this.options.pane)) { map.createPane(this.options.pane).style.zIndex = 450; }
        L.Renderer.prototype.onAdd.call(this);
        this._updatePaths();
      },
      _project: function (crs) {
        var d = this._d, n = d.n;
        this._x0 = new Float64Array(n); this._y0 = new Float64Array(n); this._crs = crs;
        for (var i = 0; i < n; i++) {
          var p = crs.latLngToPoint(L.latLng(d.lat(i), d.lon(i)), 0);
          this._x0[i] = p.x; this._y0[i] = p.y;
        }
      },
      _updatePaths: function () {
        if (this._postponeUpdatePaths || !this._map) { return; }
        var map = this._map, crs = map.options.crs, o = map.getPixelOrigin();
        if (this._crs !== crs) { this._project(crs); }
        // map.latLngToLayerPoint, without an object per record: projected at zoom 0 once, scaled
        var f = crs.scale(map.getZoom()) / crs.scale(0), x0 = this._x0, y0 = this._y0;
        for (var i = 0, n = x0.length; i < n; i++) {
          this._x[i] = Math.round(x0[i] * f) - o.x; this._y[i] = Math.round(y0[i] * f) - o.y;
        }
        this._redrawBounds = null;
        this._redraw();
      },
      // Each record is a copy of a small pre-drawn circle (one per style and radius): blitting
      // bitmaps rasterises ~2x faster than filling 100k arcs, and overlaps still add up as
      // they do when Leaflet draws one circle marker after another.
      _sprite: function (s, r) {
        var key = s.key + ":" + r, sprites = this._sprites = this._sprites || {}, sprite = sprites[key];
        if (sprite) { return sprite; }
        var m = L.Browser.retina ? 2 : 1, h = r + 3, canvas = document.createElement("canvas"), g;
        canvas.width = canvas.height = 2 * h * m;
        g = canvas.getContext("2d");
        g.scale(m, m);
        g.lineCap = "round"; g.lineJoin = "round";
        g.beginPath();
        g.arc(h, h, r, 0, Math.PI * 2, false);
        this._fillStroke(g, s);
        return (sprites[key] = {canvas: canvas, h: h});
      },
      _draw: function () {
        var ctx = this._ctx, b = this._bounds, x = this._x, y = this._y, r = this._r;
        if (!ctx || !b || !this._x0) { return; }
        for (var k = 0; k < this._batches.length; k++) {
          var batch = this._batches[k], idx = batch.idx;
          for (var j = 0; j < idx.length; j++) {
            var i = idx[j], ri = r[i] + 3;
            if (x[i] + ri < b.min.x || x[i] - ri > b.max.x || y[i] + ri < b.min.y || y[i] - ri > b.max.y) { continue; }
            var sprite = this._sprite(batch.style, r[i]);
            ctx.drawImage(sprite.canvas, x[i] - sprite.h, y[i] - sprite.h, 2 * sprite.h, 2 * sprite.h);
          }
        }
      },
      // As L.circleMarker styles them: solid (fill 0.75, stroke 1) or hollow (dashed stroke 2).
      _fillStroke: function (ctx, s) {
        if (!s.hollow) { ctx.globalAlpha = 0.75; ctx.fillStyle = s.color; ctx.fill(); }
        ctx.setLineDash(s.hollow ? [3, 3] : []);
        ctx.globalAlpha = 1; ctx.lineWidth = s.hollow ? 2 : 1; ctx.strokeStyle = s.color;
        ctx.stroke();
      },
      // The record nearest the pointer among those whose circle (plus half the stroke) holds it.
      _hit: function (p) {
        var x = this._x, y = this._y, best = -1, bestD = Infinity, tol = this.options.tolerance || 0;
        for (var i = 0, n = x.length; i < n; i++) {
          var dx = x[i] - p.x, dy = y[i] - p.y, lim = this._r[i] + this._w[i] / 2 + tol;
          if (dx > lim || dx < -lim || dy > lim || dy < -lim) { continue; }
          var dd = dx * dx + dy * dy;
          if (dd <= lim * lim && dd <= bestD) { best = i; bestD = dd; }
        }
        return best;
      },
      _select: function (i) {
        this._active = i;
        this.setTooltipContent(this._d.tip(i));
      },
      getLatLng: function () {
        return this._active >= 0 ? L.latLng(this._d.lat(this._active), this._d.lon(this._active)) : null;
      },
      getBounds: function () {
        var b = L.latLngBounds([]);
        for (var i = 0; i < this._d.n; i++) { b.extend([this._d.lat(i), this._d.lon(i)]); }
        return b;
      },
      _onClick: function (e) {
        var map = this._map, i = this._hit(map.mouseEventToLayerPoint(e));
        if (i >= 0 && (e.type === "click" || e.type === "preclick") && map._draggableMoved(this)) { i = -1; }
        if (i < 0) { this._fireEvent(false, e); return; }
        this._select(i);
        this._fireEvent([this], e);
        if (e.type === "click") { openPopup(map, this._d.record(i), this.getLatLng(), this._d.popup(i), true, this._d.mark(i)); }
      },
      _onMouseMove: function (e) {
        if (!this._map || this._map.dragging.moving() || this._map._animatingZoom) { return; }
        this._handleMouseHover(e, this._map.mouseEventToLayerPoint(e));
      },
      _handleMouseOut: function (e) {
        if (this._hover >= 0) {
          L.DomUtil.removeClass(this._container, "leaflet-interactive");
          this._fireEvent([this], e, "mouseout");
          this._hover = -1;
          this._mouseHoverThrottled = false;
        }
      },
      _handleMouseHover: function (e, point) {
        if (this._mouseHoverThrottled) { return; }
        var i = this._hit(point);
        if (i !== this._hover) {
          this._handleMouseOut(e);
          if (i >= 0) {
            L.DomUtil.addClass(this._container, "leaflet-interactive");
            this._select(i);
            this._hover = i;
            this._fireEvent([this], e, "mouseover");
          }
        }
        this._fireEvent(this._hover >= 0 ? [this] : false, e);
        this._mouseHoverThrottled = true;
        setTimeout(L.Util.bind(function () { this._mouseHoverThrottled = false; }, this), 32);
      }
    });
  }
  function points(d, options) { Points = Points || pointsClass(); return new Points(d, options); }
  // A record's popup belongs to the map, not to its marker, so it outlives a layer
  // being redrawn; the selection script (SelectionSync) closes it when it goes stale.
  // m: the drawn symbol ({r, dx, dy}); the popup's tip touches its top.
  function openPopup(map, record, latlng, html, autoPan, m) {
    var popup = L.popup({maxWidth: 300, minWidth: 220, autoPan: autoPan, panjRecord: record, offset: [m.dx, m.dy - m.r + 5]})
      .setLatLng(latlng).setContent(html).openOn(map);
    afterStyles(function () { if (map.hasLayer(popup)) { popup.update(); } });
    return popup;
  }
  // Leaflet measures a popup when it opens. On a map's first paint the stylesheets
  // (added with the map's script) may still be loading: the popup would keep its
  // unstyled, full-frame width and stand off its anchor. fn runs once they are in.
  function afterStyles(fn) {
    var pending = Array.prototype.filter.call(document.querySelectorAll('link[rel="stylesheet"]'),
                                              function (l) { return !l.sheet; });
    var left = pending.length;
    function done() { if (--left === 0) { fn(); } }
    pending.forEach(function (l) { l.addEventListener("load", done); l.addEventListener("error", done); });
  }
  // Incident layers now on the map, by layer key: {find(id) -> index or -1, latlng(i),
  // popup(i), mark(i) -> {r, dx, dy} (radius and pixel offset of the drawn symbol)}.
  var layers = {};
  function register(key, entry, group) {
    layers[key] = entry;
    group.on("remove", function () { if (layers[key] === entry) { delete layers[key]; } });
  }
  // Data text as content: escaped, and isolated so a right-to-left override in it cannot flip what follows.
  function bdi(s) { return "<bdi>" + esc(s) + "</bdi>"; }
  return {esc: esc, bdi: bdi, svg: svg, GEO: GEO, TIME: TIME, when: when, points: points,
          openPopup: openPopup, layers: layers, register: register};
})();
"""


class Helpers(MacroElement):
    """Shared JS helpers and CSS; added once to every map."""

    _template = Template(
        "{% macro header(this, kwargs) %}" + HELPERS_CSS + "{% endmacro %}"
        "{% macro script(this, kwargs) %}" + HELPERS_JS + "{% endmacro %}"
    )


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
    styled by a JS style function from our own code, with the ``tooltip`` property escaped."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
L.geoJSON({{ this.payload }}, {
  style: {{ this.style }},
  pointToLayer: {{ this.point }},
  onEachFeature: function (feature, layer) {
    layer.bindTooltip(window.PANJ.esc(feature.properties[{{ this.tooltip }}]), {sticky: true});
  }
}).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, payload: str, style_js: str, tooltip: str, point_js: str = "null"):
        """``style_js``/``point_js``: JS functions from our own code (``point_js`` draws point features)."""
        super().__init__()
        self._name = "GeoLayer"
        self.payload = payload
        self.style = style_js
        self.point = point_js
        self.tooltip = js_json(tooltip)


class IncidentLayer(_PlainScript):
    """Incident points as compact columns; drawn into the parent feature group.

    ``columns`` (see ``incidents.incident_payload``) holds parallel lists: the
    id (``ids``, or ``idp``/``idk``/``idn`` with ``idn`` as differences), lat/lon
    (whole 1e-4 degrees above ``lat0``/``lon0``), t (index into ``types``), r
    (pixel radius), gp (geo precision), tp (time precision), d/span (start as
    days after ``day0``, sent as differences; end as days after the start), loc and actor (indexes into ``locs`` and
    ``actors``), cass/cas (casualties in words), sts/st (stand-in notes). ``mode`` is "icons" (SVG shapes, hollow with a
    dashed precision ring when imprecise) or "canvas" (circles drawn on one
    canvas by ``PANJ.points``, tooltip and popup made on hover and click).
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var P = window.PANJ, D = {{ this.payload }}, group = {{ this._parent.get_name() }};
  var c = D.columns, n = c.lat.length, scale = c.cs;
  function sums(a) { var out = new Float64Array(a.length), s = 0; for (var k = 0; k < a.length; k++) { s += a[k]; out[k] = s; } return out; }
  var start = sums(c.d), idn = c.idn ? sums(c.idn) : null;  // sent as differences
  var day0 = Date.parse(c.day0 + "T00:00:00Z");
  function day(k) { return new Date(day0 + k * 864e5).toISOString().slice(0, 10); }
  function lat(i) { return (c.lat0 + c.lat[i]) / scale; }
  function lon(i) { return (c.lon0 + c.lon[i]) / scale; }
  function rid(i) { return c.ids ? c.ids[i] : c.idp[c.idk.length ? c.idk[i] : 0] + idn[i]; }
  function tip(i) {
    var t = D.types[c.t[i]];
    var cas = c.cass[c.cas[i]];  // words made in Python: an unknown count reads "not reported", never 0
    return '<div class="panj-tip"><b>' + P.bdi(c.locs[c.loc[i]] || "(location not reported)") + "</b><br>" +
      P.esc(P.when(day(start[i]), day(start[i] + c.span[i]), c.tp[i])) + "<br>" + P.esc(t.name) + " · " + P.esc(cas) +
      (c.gp[i] >= 2 ? "<br><i>" + P.esc(P.GEO[c.gp[i]]) + "</i>" : "") +
      (c.st.length && c.st[i] >= 0 && c.sts[c.st[i]] ? "<br><i>" + P.esc(c.sts[c.st[i]]) + "</i>" : "") +
      '<br><span class="pm-id">ID: ' + P.bdi(rid(i)) + " [" + P.bdi(D.key) + "]</span></div>";
  }
  function popup(i) {
    return tip(i) + '<div class="panj-tip">' + P.bdi(c.actors[c.actor[i]]) + "<br><small>" + P.bdi(D.label) + "</small></div>";
  }
  function record(i) { return D.key + "/" + rid(i); }
  var dx = new Int16Array(n), dy = new Int16Array(n);  // pixel offsets of fanned-out icons
  function mark(i) { return {r: c.r[i], dx: dx[i], dy: dy[i]}; }
  var parts = [];  // per record, the Leaflet layers drawing it (icons mode), for playback.js
  P.register(D.key, {
    find: function (id) { for (var k = 0; k < n; k++) { if (String(rid(k)) === id) return k; } return -1; },
    latlng: function (i) { return L.latLng(lat(i), lon(i)); },
    popup: popup,
    mark: mark,
    n: n, id: rid, group: group, parts: parts,
    days: function (i) { return [day(start[i]), day(start[i] + c.span[i])]; }
  }, group);
  if (D.mode === "canvas") {
    var styles = D.types.map(function (t, k) {
      return [{key: 2 * k, color: t.color, hollow: false}, {key: 2 * k + 1, color: t.color, hollow: true}];
    });
    group.addLayer(P.points({n: n, lat: lat, lon: lon, r: c.r, tip: tip, popup: popup, record: record, mark: mark,
      style: function (i) { return styles[c.t[i]][c.gp[i] >= 2 ? 1 : 0]; }}, {padding: 0.3, pane: "panjPoints"}));
    return;
  }
  // Records placed at the same point (e.g. a district centre) fan out in a
  // small pixel circle around it, so each stays visible and clickable; the
  // geographic position (and the precision ring) stays the true one.
  var atPoint = {}, slot = [];
  for (var j = 0; j < n; j++) {
    var key = c.lat[j] + "," + c.lon[j];
    slot.push(atPoint[key] || 0);
    atPoint[key] = (atPoint[key] || 0) + 1;
  }
  for (var i = 0; i < n; i++) {
    var t = D.types[c.t[i]], ll = [lat(i), lon(i)], r = c.r[i], hollow = c.gp[i] >= 2, id = rid(i), layer;
    var m = atPoint[c.lat[i] + "," + c.lon[i]];
    if (m > 1) {
      var angle = 2 * Math.PI * slot[i] / m - Math.PI / 2, spread = 8 + 5 * m;
      dx[i] = Math.round(spread * Math.cos(angle)); dy[i] = Math.round(spread * Math.sin(angle));
    }
    // alt becomes the marker's aria-label (set as an attribute, not parsed as HTML)
    var label = id + ": " + t.name + ", " + (c.locs[c.loc[i]] || "location not reported");
    layer = L.marker(ll, {icon: L.divIcon({className: "panj-incident",
      html: '<span data-record="' + P.esc(id) + '">' + P.svg(t.shape, t.color, r, hollow) + "</span>",
      iconSize: [2 * r + 4, 2 * r + 4], iconAnchor: [r + 2 - dx[i], r + 2 - dy[i]]}), riseOnHover: true, alt: label});
    // Leaflet writes ``alt`` only on <img> icons: name the focusable div icon ourselves.
    layer.on("add", function () { var el = this.getElement(); if (el) el.setAttribute("aria-label", this.options.alt); });
    parts.push([layer]);
    if (hollow && D.rings[c.gp[i]]) {
      parts[i].push(L.circle(ll, {radius: D.rings[c.gp[i]], color: t.color, weight: 1.2, dashArray: "5 6",
        fill: false, interactive: false, className: "panj-ring"}));
      group.addLayer(parts[i][1]);
    }
    layer.bindTooltip(tip(i), {direction: "top"});
    layer.on("click", (function (k) {
      return function () { P.openPopup(this._map, record(k), this.getLatLng(), popup(k), true, mark(k)); };
    })(i));
    // Enter on a focused icon selects it, like a click.
    layer.on("keypress", function (e) {
      if (e.originalEvent.keyCode === 13) { this.fire("click", {latlng: this.getLatLng()}); }
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


class LayerControl(_PlainScript):
    """Leaflet's layer control for the map's layers, named by their ``layer_name`` as plain text.

    Used instead of folium.LayerControl, whose template puts the names (user text for an
    imported layer) where branca renders them again as a template; here they travel as
    js_json data and become HTML through PANJ.bdi.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var P = window.PANJ, control = L.control.layers(null, null, {collapsed: true});
  [{% for layer in this.entries %}[{{ layer[0] }}, {{ layer[1] }}, {{ layer[2] }}],{% endfor %}].forEach(function (e) {
    var name = '<span class="panj-layer-name">' + P.bdi(e[1]) + "</span>";
    if (e[2]) { control.addOverlay(e[0], name); } else { control.addBaseLayer(e[0], name); }
  });
  control.addTo({{ this._parent.get_name() }});
})();
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
(function () {
  var P = window.PANJ, sel = {{ this.selected }}, group = {{ this._parent.get_name() }};
  function sync() {
    var map = group._map, hit = null, best = -1;
    for (var key in P.layers) {  // the longest layer key the selection starts with
      if (key.length > best && sel.lastIndexOf(key + "/", 0) === 0) {
        var i = P.layers[key].find(sel.slice(key.length + 1));
        best = key.length; hit = i >= 0 ? {layer: P.layers[key], i: i} : null;
      }
    }
    var pop = map._popup, open = pop && map.hasLayer(pop) ? pop.options.panjRecord : undefined;
    if (open !== undefined && (open !== sel || !hit)) { map.closePopup(pop); open = undefined; }
    if (hit) {
      var m = hit.layer.mark(hit.i), R = m.r + 7;
      group.addLayer(L.marker(hit.layer.latlng(hit.i), {icon: L.divIcon({className: "panj-selected",
        iconSize: [2 * R, 2 * R], iconAnchor: [R - m.dx, R - m.dy]}), interactive: false, keyboard: false,
        zIndexOffset: -1000}));
      if (open === undefined && sel !== P.selected) {
        P.openPopup(map, sel, hit.layer.latlng(hit.i), hit.layer.popup(hit.i), false, m);
      }
    }
    P.selected = sel;
  }
  if (group._map) { sync(); } else { group.once("add", sync); }
})();
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
    """CSS for the map's background beyond the vector base (more specific than leaflet.css's #ddd)."""
    return Element(f"<style>html body .leaflet-container{{background:{color}}}</style>")

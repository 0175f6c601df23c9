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
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  // "2025-11-26" -> "26 Nov 2025": what a screen reader should say for a date.
  function spoken(iso) { var p = iso.split("-"); return (+p[2]) + " " + MONTHS[p[1] - 1] + " " + p[0]; }
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
  // popup(i), mark(i) -> {r, dx, dy} (radius and pixel offset of the drawn symbol),
  // marker(i) -> the record's L.marker (icons mode only)}.
  var layers = {};
  function register(key, entry, group) {
    layers[key] = entry;
    group.on("remove", function () { if (layers[key] === entry) { delete layers[key]; } });
  }
  // A geography layer; its ``tooltip`` property names each feature on hover (escaped).
  // style: a Leaflet path style, or {by: property, yes: style, no: style} by a true/false property.
  // data: GeoJSON, or (in the app) {url} of a static file with it: the same for every rerun, so not
  // resent with each. Files are fetched at once and drawn in call order, in a pane of their own
  // under the other layers (the road, symbols), so nothing else waits for them.
  var GEO_PANE = "panjGeography", geographyDrawn = Promise.resolve();
  function geoLayer(data, style, tooltip) {
    var styleOf = style.by ? function (f) { return f.properties[style.by] ? style.yes : style.no; }
                           : function () { return style; };
    var options = {style: styleOf, onEachFeature: function (feature, layer) {
      layer.bindTooltip(esc(feature.properties[tooltip]), {sticky: true});
    }};
    if (!data.url) return L.geoJSON(data, options);
    options.pane = GEO_PANE;
    var layer = L.geoJSON(null, options), onAdd = layer.onAdd;
    layer.onAdd = function (map) {
      if (!map.getPane(GEO_PANE)) { map.createPane(GEO_PANE).style.zIndex = 350; }  // tiles 200, overlays 400
      onAdd.call(this, map);
    };
    var loaded = fetch(data.url).then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
    geographyDrawn = geographyDrawn.then(function () { return loaded; }).then(
      function (geojson) { layer.addData(geojson); },
      function (error) { console.error("geography not loaded: " + data.url + " (" + error + ")"); });
    return layer;
  }
  // Data text as content: escaped, and isolated so a right-to-left override in it cannot flip what follows.
  function bdi(s) { return "<bdi>" + esc(s) + "</bdi>"; }
  return {esc: esc, bdi: bdi, svg: svg, GEO: GEO, TIME: TIME, when: when, spoken: spoken, points: points, geoLayer: geoLayer,
          openPopup: openPopup, layers: layers, register: register};
})();

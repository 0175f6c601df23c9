// PANJ.spider: every symbol stays at its coordinates at every zoom. Symbols whose
// points fall within NEAR pixels of each other at the current zoom (several records
// at one village or district centre) are hidden behind one count symbol at the
// first one's point; a click, Enter or Space opens the group into a spider: each
// symbol on a leg, with a leader line from its own true point, as
// Leaflet.markercluster's spiderfy does. Groups are recomputed on every zoom and
// whenever symbols are added or removed (a filter change redraws the layers).
//
// Offsets are pixel margins on the symbol's own element, so the marker keeps its
// true LatLng (popups, rings and tests read it) and a leg survives zoom animations.
(function (P) {
  var NEAR = 2;        // px: "the same point" at this zoom
  var LEG_MIN = 28;    // px: shortest leg
  var symbols = [];    // {marker, info: {id, kind, place, day}}
  var opened = {};     // group key -> true, kept across redraws of the layers
  var state = null;    // {map, groups: [{key, members, marker}], dirty, layer}

  function setup(map) {
    if (state && state.map === map) { return state; }
    state = {map: map, groups: [], counts: {}, dirty: true, layer: L.layerGroup().addTo(map)};
    map.on("zoomend viewreset", function () { state.dirty = true; layout(); });
    map.on("click", function () {
      var any = false;
      for (var key in opened) { delete opened[key]; any = true; }
      if (any) { state.dirty = true; layout(); }
    });
    return state;
  }

  function schedule() {
    if (!state) { return; }
    state.dirty = true;
    if (!state.timer) {
      state.timer = setTimeout(function () { state.timer = null; layout(); }, 0);
    }
  }

  // Name the symbol for screen readers, let Enter and Space act as a click, and group it.
  function add(marker, info) {
    marker._panjInfo = info;
    marker._panjOffset = [0, 0];
    var entry = {marker: marker, info: info};
    marker.on("add", function () {
      var el = this.getElement();
      setup(this._map);
      if (symbols.indexOf(entry) < 0) { symbols.push(entry); }
      // Leaflet writes ``alt`` only on <img> icons: name the focusable div icon ourselves.
      if (el && this.options.alt) { el.setAttribute("aria-label", this.options.alt); }
      if (el) { el.setAttribute("data-symbol", info.id); }
      if (el) { L.DomEvent.on(el, "keydown", onKey, this); }
      schedule();
    });
    marker.on("remove", function () {
      var el = this.getElement();
      if (el) { L.DomEvent.off(el, "keydown", onKey, this); }
      var k = symbols.indexOf(entry);
      if (k >= 0) { symbols.splice(k, 1); }
      schedule();
    });
  }

  function onKey(e) {
    if (e.key === "Enter" || e.key === " ") {
      L.DomEvent.preventDefault(e);
      this.fire("click", {latlng: this.getLatLng(), originalEvent: e});
    } else if (e.key === "Escape" && state) {  // close the open group, back to its count symbol
      var marker = this, g = findGroup(function (g) { return g.members.some(function (m) { return m.marker === marker; }); });
      if (g && opened[g.key]) {
        L.DomEvent.stop(e);
        toggle(g.key, false);
        g.marker.getElement().focus();
      }
    }
  }

  function offset(marker) { return marker._panjOffset || [0, 0]; }

  // Place a member's element ``dx, dy`` pixels from its true point, with a leader line back.
  function place(marker, dx, dy, hidden) {
    var el = marker.getElement();
    if (!el) { return; }
    var anchor = L.point(marker.options.icon.options.iconAnchor);
    marker._panjOffset = [dx, dy];
    el.style.marginLeft = (dx - anchor.x) + "px";
    el.style.marginTop = (dy - anchor.y) + "px";
    var leg = el.querySelector(":scope > .panj-leg");
    if (leg) { el.removeChild(leg); }
    if (dx || dy) {
      leg = L.DomUtil.create("span", "panj-leg", el);
      // the leader line: from the true point (the origin, first) to the symbol's centre
      leg.innerHTML = '<svg width="1" height="1"><line x1="' + (anchor.x - dx) + '" y1="' + (anchor.y - dy) +
        '" x2="' + anchor.x + '" y2="' + anchor.y + '"/><circle cx="' + (anchor.x - dx) + '" cy="' + (anchor.y - dy) + '" r="2"/></svg>';
    }
    L.DomUtil[hidden ? "addClass" : "removeClass"](el, "panj-grouped");
    if (hidden) { el.setAttribute("aria-hidden", "true"); el.tabIndex = -1; }
    else { el.removeAttribute("aria-hidden"); if (marker.options.keyboard) { el.tabIndex = 0; } }
    marker.setZIndexOffset(dx || dy ? 1000 : 0);
  }

  // Legs on a circle long enough for the symbols side by side (markercluster's spiderfy).
  function legs(members) {
    var widths = members.map(function (m) { return m.marker.options.icon.options.iconSize[0]; });
    var around = widths.reduce(function (a, b) { return a + b + 6; }, 0);
    var length = Math.max(LEG_MIN, around / (2 * Math.PI) + Math.max.apply(null, widths) / 2 + 10);
    return members.map(function (m, k) {
      var angle = -Math.PI / 2 + 2 * Math.PI * k / members.length;
      return [Math.round(length * Math.cos(angle)), Math.round(length * Math.sin(angle))];
    });
  }

  function countLabel(members) {
    var incidents = members.filter(function (m) { return m.info.kind === "incident"; }).length;
    var sites = members.length - incidents, parts = [];
    if (incidents) { parts.push(incidents + (incidents > 1 ? " incidents" : " incident")); }
    if (sites) { parts.push(sites + (sites > 1 ? " sites" : " site")); }
    var named = members.filter(function (m) { return m.info.place; })[0];
    return members.length + " records at one point" + (named ? " (" + named.info.place + ")" : "") + ": " +
      parts.join(", ") + ". Enter shows them.";
  }

  function countMarker(group) {
    var n = group.members.length, size = 22 + 2 * String(n).length;
    var m = L.marker(group.members[0].marker.getLatLng(), {zIndexOffset: 500, keyboard: true,
      icon: L.divIcon({className: "panj-count", html: "<span>" + n + "</span>",
                       iconSize: [size, size], iconAnchor: [size / 2, size / 2]})});
    m.on("add", function () {
      var el = this.getElement();
      el.setAttribute("aria-label", countLabel(group.members));
      el.setAttribute("data-group", group.key);
      L.DomEvent.on(el, "keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") {
          L.DomEvent.preventDefault(e);
          toggle(group.key, true);
        }
      });
    });
    m.on("click", function () { toggle(group.key, false); });
    return m;
  }

  function toggle(key, focusFirst) {
    if (opened[key]) { delete opened[key]; } else { opened[key] = true; }
    state.dirty = true;
    layout();
    if (focusFirst && opened[key]) {
      var g = findGroup(function (g) { return g.key === key; });
      var el = g && g.members[0].marker.getElement();
      if (el) { el.focus(); }
    }
  }

  function findGroup(test) {
    for (var k = 0; k < state.groups.length; k++) { if (test(state.groups[k])) { return state.groups[k]; } }
    return null;
  }

  function layout() {
    if (!state || !state.dirty) { return; }
    var map = state.map;
    state.dirty = false;
    if (state.timer) { clearTimeout(state.timer); state.timer = null; }
    var shown = symbols.filter(function (s) { return s.marker._map === map && s.marker.getElement(); });
    // Grid buckets of NEAR pixels: a symbol joins the first group whose point is within NEAR.
    var buckets = {}, groups = [];
    shown.forEach(function (s) {
      var p = map.latLngToLayerPoint(s.marker.getLatLng()), bx = Math.floor(p.x / NEAR), by = Math.floor(p.y / NEAR), hit = null;
      for (var i = -1; i <= 1 && !hit; i++) {
        for (var j = -1; j <= 1 && !hit; j++) {
          (buckets[(bx + i) + "," + (by + j)] || []).forEach(function (g) {
            if (!hit && Math.abs(g.p.x - p.x) <= NEAR && Math.abs(g.p.y - p.y) <= NEAR) { hit = g; }
          });
        }
      }
      if (!hit) {
        hit = {p: p, members: []};
        groups.push(hit);
        (buckets[bx + "," + by] = buckets[bx + "," + by] || []).push(hit);
      }
      hit.members.push(s);
    });
    var counts = {};
    var pane = map.getPane("markerPane");
    groups.forEach(function (g) {
      // incidents first, by date; then sites: the order the legs go round, and the tab order
      g.members.sort(function (a, b) {
        return (a.info.kind === b.info.kind ? 0 : a.info.kind === "incident" ? -1 : 1) ||
          (a.info.day < b.info.day ? -1 : a.info.day > b.info.day ? 1 : 0) || (a.info.id < b.info.id ? -1 : 1);
      });
      g.key = g.members.map(function (m) { return m.info.id; }).join("|");
      if (g.members.length === 1) { place(g.members[0].marker, 0, 0, false); return; }
      // the same group keeps its count symbol (and so the keyboard focus) from one layout to the next
      g.marker = counts[g.key] = state.counts[g.key] || countMarker(g);
      g.marker.setLatLng(g.members[0].marker.getLatLng());
      if (!state.layer.hasLayer(g.marker)) { state.layer.addLayer(g.marker); }
      var open = !!opened[g.key], offsets = open ? legs(g.members) : null, after = g.marker.getElement();
      // in the tab order, the count symbol takes the place of its first record
      var first = g.members[0].marker.getElement();
      if (first && first.parentNode === pane && after.nextSibling !== first) { pane.insertBefore(after, first); }
      L.DomUtil[open ? "addClass" : "removeClass"](after, "panj-open");
      after.setAttribute("aria-expanded", open ? "true" : "false");
      g.members.forEach(function (m, k) {
        place(m.marker, open ? offsets[k][0] : 0, open ? offsets[k][1] : 0, !open);
        // the open group's symbols follow its count symbol in the tab order
        var el = m.marker.getElement();
        if (open && el && el.parentNode === pane) { pane.insertBefore(el, after.nextSibling); after = el; }
      });
    });
    for (var key in state.counts) {
      if (!counts[key]) { state.layer.removeLayer(state.counts[key]); }
    }
    state.counts = counts;
    state.groups = groups;
    // A record's popup points at its symbol wherever the symbol now is.
    var pop = map._popup;
    if (pop && map.hasLayer(pop) && pop.options.panjRecord !== undefined) {
      var hit = find(pop.options.panjRecord);
      if (hit) {
        var off = offset(hit.marker), r = hit.marker.options.icon.options.iconAnchor[1] - 2;
        pop.options.offset = L.point(off[0], off[1] - r + 5);
        pop.update();
      }
    }
  }

  function find(id) {
    for (var k = 0; k < symbols.length; k++) { if (symbols[k].info.id === id && symbols[k].marker._map) { return symbols[k]; } }
    return null;
  }

  // Open the group holding ``marker`` (the selected record), so its symbol shows.
  function reveal(marker) {
    if (!state || !marker._map) { return; }
    layout();
    var g = findGroup(function (g) { return g.members.some(function (m) { return m.marker === marker; }); });
    if (g && g.members.length > 1 && !opened[g.key]) {
      opened[g.key] = true;
      state.dirty = true;
      layout();
    }
  }

  P.spider = {add: add, offset: offset, reveal: reveal};
})(window.PANJ);

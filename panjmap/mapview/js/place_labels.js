// PANJ.placeLabels(places, group, map): place and region names as permanent labels.
// ``places`` comes in rank order (regions first, then larger places); a label shows
// from its min_zoom up (regions up to max_zoom) unless its box would overlap a
// higher-ranked label already shown at this zoom: then it is dropped at this zoom.
(function (P) {
  var GAP = 2;  // px kept between labels

  function box(el) {
    var r = el.getBoundingClientRect();
    return {l: r.left - GAP, t: r.top - GAP, r: r.right + GAP, b: r.bottom + GAP};
  }
  function union(a, b) { return {l: Math.min(a.l, b.l), t: Math.min(a.t, b.t), r: Math.max(a.r, b.r), b: Math.max(a.b, b.b)}; }
  function overlaps(a, b) { return a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b; }

  function label(p) {
    if (p.region) {
      // a name at the region's label point, no dot: it names an area, not a place
      return L.marker([p.lat, p.lon], {interactive: false, keyboard: false, pane: "panjRegionLabels",
        icon: L.divIcon({className: "panj-region-label", html: "<span>" + P.esc(p.name) + "</span>",
                         iconSize: [0, 0], iconAnchor: [0, 0]})});
    }
    var m = L.circleMarker([p.lat, p.lon], {radius: p.capital ? 3.5 : 2.2, color: "#333", weight: 1,
      fillColor: "#fff", fillOpacity: 1, interactive: false});
    m.bindTooltip(P.esc(p.name), {permanent: true, direction: "right", offset: [4, 0], pane: "panjPlaceLabels",
      className: "panj-label" + (p.capital ? " capital" : "")});
    return m;
  }

  // The label's box, and its dot's, in page pixels. The dot's comes from the projection: the
  // SVG renderer leaves paths outside the view undrawn, so their DOM boxes mean nothing.
  function extent(it, map) {
    if (it.p.region) { return box(it.m.getElement().firstChild); }
    var tip = it.m.getTooltip(), c = map.getContainer().getBoundingClientRect();
    var p = map.latLngToContainerPoint(it.m.getLatLng()), r = it.m.getRadius() + 1 + GAP;
    var dot = {l: c.left + p.x - r, t: c.top + p.y - r, r: c.left + p.x + r, b: c.top + p.y + r};
    return tip && tip.getElement() ? union(dot, box(tip.getElement())) : dot;
  }

  P.placeLabels = function (places, group, map) {
    // Names sit above the geography and below every symbol (a name never hides a record), and never take a click.
    [["panjRegionLabels", 420], ["panjPlaceLabels", 590]].forEach(function (pz) {
      if (!map.getPane(pz[0])) {
        var pane = map.createPane(pz[0]);
        pane.style.zIndex = pz[1];
        pane.style.pointerEvents = "none";
      }
    });
    var items = places.map(function (p) { return {p: p, m: label(p)}; });
    function update() {
      var z = map.getZoom(), kept = [];
      items.forEach(function (it) {
        var show = z >= it.p.min_zoom && (it.p.max_zoom === undefined || z <= it.p.max_zoom);
        if (show && !group.hasLayer(it.m)) { group.addLayer(it.m); }
        if (show && group._map) {
          var b = extent(it, map);
          var clash = kept.some(function (k) { return overlaps(k, b); });
          if (clash) { show = false; } else { kept.push(b); }
        }
        if (!show && group.hasLayer(it.m)) { group.removeLayer(it.m); }
      });
    }
    map.on("zoomend", update);
    group.on("add", update);
    update();
  };
})(window.PANJ);

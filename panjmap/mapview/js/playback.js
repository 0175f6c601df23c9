// Playback inside one page load (for the MP4/GIF export, panjmap/playback_video.py).
// The standalone map carries every record of the whole playback range; setWindow
// shows only the records whose span meets a window, rings the records that were
// not shown by the previous call ("new this step"), and writes the date stamp.
// Needs the incident layers' registry entries (PANJ.layers, see IncidentLayer):
// n, id(i), days(i) -> [first day, last day] (ISO), group, parts[i] (the layers
// drawing record i), latlng(i), mark(i) -> {r, dx, dy}.
window.PANJ_PLAYBACK = (function () {
  var map = null, halos = null, stamp = null, before = {};

  function attach(leafletMap) {
    map = leafletMap;
    halos = L.layerGroup().addTo(map);
    var control = L.control({position: "topleft"});
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "panj-legend panj-stamp");
      div.innerHTML = '<div class="when"></div><div class="what"></div>';
      return div;
    };
    control.addTo(map);
    stamp = control.getContainer();
  }

  // Vector parts (precision rings) are raised in record order on every call, so the SVG
  // stacking is the same whatever the frames before were (same state -> same pixels).
  function show(entry, i, visible) {
    entry.parts[i].forEach(function (part) {
      if (visible && !entry.group.hasLayer(part)) { entry.group.addLayer(part); }
      if (!visible && entry.group.hasLayer(part)) { entry.group.removeLayer(part); }
      if (visible && part.bringToFront) { part.bringToFront(); }
    });
  }

  function halo(entry, i) {
    var m = entry.mark(i), R = m.r + 9;
    halos.addLayer(L.marker(entry.latlng(i), {icon: L.divIcon({className: "panj-new",
      iconSize: [2 * R, 2 * R], iconAnchor: [R - m.dx, R - m.dy]}), interactive: false, keyboard: false,
      zIndexOffset: -500}));
  }

  // from/to: ISO days (inclusive). when/what: the stamp's two lines (plain text).
  // Returns the "layer/id" of the records shown and of those new since the last call
  // (none when called again with the same window: the hold frame), and the stamp's box in CSS pixels.
  function setWindow(from, to, when, what) {
    var shown = [], fresh = [], now = {};
    halos.clearLayers();
    Object.keys(window.PANJ.layers).sort().forEach(function (key) {
      var entry = window.PANJ.layers[key];
      if (entry.n && entry.parts.length !== entry.n) {
        throw new Error("layer " + key + " is drawn on a canvas: playback needs its records as icons");
      }
      for (var i = 0; i < entry.n; i++) {
        var days = entry.days(i), visible = days[1] >= from && days[0] <= to, rec = key + "/" + entry.id(i);
        show(entry, i, visible);
        if (!visible) { continue; }
        now[rec] = true;
        shown.push(rec);
        if (!before[rec]) { fresh.push(rec); halo(entry, i); }
      }
    });
    before = now;
    stamp.querySelector(".when").textContent = when;
    stamp.querySelector(".what").textContent = what;
    var box = stamp.getBoundingClientRect();
    return {shown: shown, fresh: fresh, stamp: [box.left, box.top, box.right, box.bottom]};
  }

  return {attach: attach, setWindow: setWindow};
})();

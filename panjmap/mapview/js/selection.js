// PANJ.selectionSync(sel, group): makes the map agree with the selected record
// ("layer/id", or "" for none); see SelectionSync in elements.py. The ring is drawn
// inside the record's own symbol, so it follows the symbol into an opened spider.
(function (P) {
  P.selectionSync = function (sel, group) {
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
      Array.prototype.forEach.call(map.getContainer().querySelectorAll(".panj-selected-in"),
                                   function (e) { e.parentNode.removeChild(e); });
      if (hit) {
        var marker = hit.layer.marker && hit.layer.marker(hit.i), m, R;
        if (marker && marker.getElement()) {
          P.spider.reveal(marker);  // a record inside a group: open the group
          var a = marker.options.icon.options.iconAnchor, ring;
          m = hit.layer.mark(hit.i); R = m.r + 7;
          ring = L.DomUtil.create("span", "panj-selected panj-selected-in", marker.getElement());
          ring.style.cssText = "left:" + (a[0] - R) + "px;top:" + (a[1] - R) + "px;width:" + 2 * R + "px;height:" + 2 * R + "px";
          marker.getElement().setAttribute("aria-current", "true");
        } else {  // canvas layers: a ring of its own over the point
          m = hit.layer.mark(hit.i); R = m.r + 7;
          group.addLayer(L.marker(hit.layer.latlng(hit.i), {icon: L.divIcon({className: "panj-selected",
            iconSize: [2 * R, 2 * R], iconAnchor: [R - m.dx, R - m.dy]}), interactive: false, keyboard: false,
            zIndexOffset: -1000}));
        }
        if (open === undefined && sel !== P.selected) {
          P.openPopup(map, sel, hit.layer.latlng(hit.i), hit.layer.popup(hit.i), false, hit.layer.mark(hit.i));
        }
      }
      P.selected = sel;
    }
    if (group._map) { sync(); } else { group.once("add", sync); }
  };
})(window.PANJ);

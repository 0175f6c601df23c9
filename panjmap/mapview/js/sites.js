// PANJ.siteLayer(features, icons, group): project sites and border posts as named,
// focusable symbols that take part in the grouping of co-located records (PANJ.spider).
(function (P) {
  P.siteLayer = function (features, icons, group) {
    features.forEach(function (f) {
      var p = f.properties, ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      var icon = p.site_type === "border post" ? icons["border post"] : icons["default"];
      var m = L.marker(ll, {icon: L.divIcon({html: icon, iconSize: [16, 16], iconAnchor: [8, 8], className: "panj-site"}),
                            alt: "Site: " + p.label});
      m.bindTooltip(P.esc(p.label), {sticky: true});
      P.spider.add(m, {id: "site/" + p.site_id, kind: "site", place: p.location || "", day: ""});
      group.addLayer(m);
    });
  };
})(window.PANJ);

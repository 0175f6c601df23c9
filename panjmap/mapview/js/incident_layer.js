// PANJ.incidentLayer(D, group): one incident layer drawn into a feature group.
// D = {key, label, types, columns, mode, rings}; see IncidentLayer in elements.py.
(function (P) {
  P.incidentLayer = function (D, group) {
    var c = D.columns, n = c.lat.length, scale = c.cs;
    function sums(a) { var out = new Float64Array(a.length), s = 0; for (var k = 0; k < a.length; k++) { s += a[k]; out[k] = s; } return out; }
    var start = sums(c.d), idn = c.idn ? sums(c.idn) : null;  // sent as differences
    var day0 = Date.parse(c.day0 + "T00:00:00Z");
    function day(k) { return new Date(day0 + k * 864e5).toISOString().slice(0, 10); }
    function lat(i) { return (c.lat0 + c.lat[i]) / scale; }
    function lon(i) { return (c.lon0 + c.lon[i]) / scale; }
    function rid(i) { return c.ids ? c.ids[i] : c.idp[c.idk.length ? c.idk[i] : 0] + idn[i]; }
    function place(i) { return c.locs[c.loc[i]] || ""; }
    function tip(i) {
      var t = D.types[c.t[i]];
      var cas = c.cass[c.cas[i]];  // words made in Python: an unknown count reads "not reported", never 0
      return '<div class="panj-tip"><b>' + P.bdi(place(i) || "(location not reported)") + "</b><br>" +
        P.esc(P.when(day(start[i]), day(start[i] + c.span[i]), c.tp[i])) + "<br>" + P.esc(t.name) + " · " + P.esc(cas) +
        (c.gp[i] >= 2 ? "<br><i>" + P.esc(P.GEO[c.gp[i]]) + "</i>" : "") +
        (c.st.length && c.st[i] >= 0 && c.sts[c.st[i]] ? "<br><i>" + P.esc(c.sts[c.st[i]]) + "</i>" : "") +
        '<br><span class="pm-id">ID: ' + P.bdi(rid(i)) + " [" + P.bdi(D.key) + "]</span></div>";
    }
    function popup(i) {
      return tip(i) + '<div class="panj-tip">' + P.bdi(c.actors[c.actor[i]]) + "<br><small>" + P.bdi(D.label) + "</small></div>";
    }
    function record(i) { return D.key + "/" + rid(i); }
    // The accessible name: id, date, place, type (an attribute, never parsed as HTML).
    function spokenName(i) {
      var d = day(start[i]), e = day(start[i] + c.span[i]);
      return rid(i) + ": " + P.spoken(d) + (e !== d ? " to " + P.spoken(e) : "") + ", " +
        (place(i) || "location not reported") + ", " + D.types[c.t[i]].name;
    }
    var markers = [];  // icons mode: the record's L.marker
    var parts = [];  // icons mode: the layers drawing each record (marker, precision ring), for playback.js
    function mark(i) {
      var off = markers[i] ? P.spider.offset(markers[i]) : [0, 0];
      return {r: c.r[i], dx: off[0], dy: off[1]};
    }
    P.register(D.key, {
      find: function (id) { for (var k = 0; k < n; k++) { if (String(rid(k)) === id) return k; } return -1; },
      latlng: function (i) { return L.latLng(lat(i), lon(i)); },
      popup: popup,
      mark: mark,
      marker: function (i) { return markers[i]; },
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
    // Every icon is anchored at its record's coordinates; records that meet at one
    // pixel are shown as one count symbol there, opened into a spider (PANJ.spider).
    for (var i = 0; i < n; i++) {
      var t = D.types[c.t[i]], ll = [lat(i), lon(i)], r = c.r[i], hollow = c.gp[i] >= 2, layer;
      layer = L.marker(ll, {icon: L.divIcon({className: "panj-incident",
        html: '<span data-record="' + P.esc(rid(i)) + '">' + P.svg(t.shape, t.color, r, hollow) + "</span>",
        iconSize: [2 * r + 4, 2 * r + 4], iconAnchor: [r + 2, r + 2]}), riseOnHover: true, alt: spokenName(i)});
      markers.push(layer);
      parts.push([layer]);
      if (hollow && D.rings[c.gp[i]]) {
        var ring = L.circle(ll, {radius: D.rings[c.gp[i]], color: t.color, weight: 1.2, dashArray: "5 6",
          fill: false, interactive: false, className: "panj-ring"});
        parts[i].push(ring);
        group.addLayer(ring);
      }
      layer.bindTooltip(tip(i), {direction: "top"});
      layer.on("click", (function (k) {
        return function () { P.openPopup(this._map, record(k), this.getLatLng(), popup(k), true, mark(k)); };
      })(i));
      P.spider.add(layer, {id: record(i), kind: "incident", place: place(i), day: day(start[i])});
      group.addLayer(layer);
    }
  };
})(window.PANJ);

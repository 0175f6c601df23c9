// PANJ.mapControls(map, legendHtml, attribution, home): the legend (our own static HTML,
// "" for none), data attribution, full screen, "reset view" (back to ``home``,
// [[south, west], [north, east]], the whole border) and, on touch screens, a map
// that leaves one-finger swipes to the page (see touchGestures).
(function (P) {
  function button(div, title, svg, onClick) {
    var a = L.DomUtil.create("a", "", div);
    a.href = "#"; a.title = title; a.setAttribute("role", "button"); a.setAttribute("aria-label", title);
    a.innerHTML = svg;
    L.DomEvent.on(a, "click", function (e) { L.DomEvent.preventDefault(e); onClick(); });
    L.DomEvent.disableClickPropagation(a);
    return a;
  }

  function touchScreen() {
    return L.Browser.mobile || (window.matchMedia && window.matchMedia("(pointer: coarse)").matches);
  }

  // On a touch screen the map does not trap the page's scroll: one-finger swipes scroll the
  // page (Leaflet's dragging off, so leaflet.css lets the browser pan), pinches zoom the map
  // (Leaflet's touchZoom). A tap on the map activates it: then one finger moves it, until a
  // touch elsewhere on the page or a while without touching it. A swipe over the inactive map
  // says so.
  var TOUCH_HINT = "Tap the map to move it with one finger; pinch to zoom";
  var IDLE_MS = 15000;
  function touchGestures(map) {
    var c = map.getContainer(), active = false, idle = null, fade = null;
    var hint = L.DomUtil.create("div", "panj-touch-hint", c);
    hint.setAttribute("aria-hidden", "true");
    map.dragging.disable();
    function say(text) {
      hint.textContent = text;
      L.DomUtil.addClass(hint, "on");
      clearTimeout(fade);
      fade = setTimeout(function () { L.DomUtil.removeClass(hint, "on"); }, 1500);
    }
    function deactivate() {
      if (!active) { return; }
      active = false;
      map.dragging.disable();
      L.DomUtil.removeClass(c, "panj-active");
    }
    function touched() { clearTimeout(idle); idle = setTimeout(deactivate, IDLE_MS); }
    map.on("click", function () {  // a tap on the map itself (symbols take their own taps)
      if (!active) { active = true; map.dragging.enable(); L.DomUtil.addClass(c, "panj-active"); say("Map active: drag to move it"); }
      touched();
    });
    L.DomEvent.on(c, "touchmove", function (e) {
      if (active) { touched(); } else if (e.touches.length === 1) { say(TOUCH_HINT); }
    });
    // A touch outside the map gives one-finger swipes back to the page. In the app the map is
    // in an iframe: touches on the page around it reach the parent document only.
    [document, window.parent === window ? null : window.parent.document].forEach(function (doc) {
      try {
        if (doc) { doc.addEventListener("touchstart", function (e) { if (!c.contains(e.target)) { deactivate(); } }, true); }
      } catch (err) { /* a parent on another origin: the idle timeout still applies */ }
    });
  }

  P.textBox = function (map, position, className, lines) {
    var box = L.control({position: position});
    box.onAdd = function () {
      var div = L.DomUtil.create("div", "panj-legend " + className);
      lines.forEach(function (line) { L.DomUtil.create("div", "", div).textContent = line; });
      return div;
    };
    box.addTo(map);
  };

  P.mapControls = function (map, legendHtml, attribution, home) {
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
    map.attributionControl.addAttribution(attribution);
    var bar = L.control({position: "topleft"});
    bar.onAdd = function () {
      var div = L.DomUtil.create("div", "leaflet-bar panj-fs");
      button(div, "Full screen", '<svg width="14" height="14" viewBox="0 0 14 14" fill="none" stroke="#333" stroke-width="2"><path d="M1 5V1h4M9 1h4v4M13 9v4H9M5 13H1V9"/></svg>', function () {
        var el = map.getContainer();
        if (document.fullscreenElement) document.exitFullscreen();
        else if (el.requestFullscreen) el.requestFullscreen();
      });
      if (home) {
        button(div, "Reset view: the whole border", '<svg width="14" height="14" viewBox="0 0 14 14" fill="none" stroke="#333" stroke-width="1.8"><path d="M1.5 7L7 2l5.5 5M3.5 5.5V12h7V5.5"/></svg>', function () {
          map.fitBounds(home);
        });
      }
      return div;
    };
    bar.addTo(map);
    document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });
    if (touchScreen()) { touchGestures(map); }
    // Geography, roads and rings are not stops of the tab order (Chromium focuses Leaflet's
    // interactive SVG paths); the records' symbols are.
    function untab(layer) { if (layer._path) { layer._path.setAttribute("tabindex", "-1"); } }
    map.eachLayer(untab);
    map.on("layeradd", function (e) { untab(e.layer); });
  };
})(window.PANJ);

// PANJ.layerControl(entries, map): Leaflet's layer control, each entry [layer, name, overlay];
// the names (an imported layer's is user text) become HTML only through PANJ.bdi.
(function (P) {
  P.layerControl = function (entries, map) {
    var control = L.control.layers(null, null, {collapsed: true});
    entries.forEach(function (e) {
      var name = '<span class="panj-layer-name">' + P.bdi(e[1]) + "</span>";
      if (e[2]) { control.addOverlay(e[0], name); } else { control.addBaseLayer(e[0], name); }
    });
    return control.addTo(map);
  };
})(window.PANJ);

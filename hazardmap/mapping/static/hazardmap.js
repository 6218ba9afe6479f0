/* hazardmap map page: draws the layers from the payload built in hazardmap/mapping/page.py.
 * All text in the payload is already HTML-escaped in Python; this script only places it.
 * Talks to the desktop window through one QWebChannel object ("mapBridge") when present. */
(function () {
  "use strict";

  var LABEL_ZOOM = 12;      // village names appear from this zoom on
  var hm = {
    map: null, layers: {}, markers: {}, rings: {}, selected: 0, ready: false,
    bridge: null, pickMode: false, data: null, counts: {}
  };
  window.hazardmap = hm;

  function toLatLng(o) { return [o.lat, o.lon]; }

  function pointIcon(p) {
    var cls = "hm-pt hm-prec-" + p.precision + (p.seq === hm.selected ? " hm-selected" : "");
    return L.divIcon({
      className: "hm-pt-wrap",
      html: '<div class="' + cls + '" style="background:' + p.colour + '">' + Number(p.seq) + "</div>",
      iconSize: [26, 26], iconAnchor: [13 - (p.dx || 0), 13], tooltipAnchor: [12 + (p.dx || 0), 0],
      popupAnchor: [p.dx || 0, -12]
    });
  }

  // Points that share one position (e.g. two known only by the same township seat) are drawn side by
  // side, 26 px apart, so each stays visible and clickable; their stored position is unchanged.
  function spreadColocated(points) {
    var byPos = {};
    points.forEach(function (p) {
      var key = p.lat.toFixed(6) + "," + p.lon.toFixed(6);
      (byPos[key] = byPos[key] || []).push(p);
    });
    Object.keys(byPos).forEach(function (key) {
      var same = byPos[key];
      same.forEach(function (p, i) { p.dx = Math.round((i - (same.length - 1) / 2) * 26); });
    });
  }

  function drawPoints(points) {
    var group = hm.layers.points;
    group.clearLayers();
    hm.markers = {}; hm.rings = {};
    var large = points.length > hm.data.cluster_above;  // set in page.py
    var done = function () {
      hm.counts.points = points.length;
      hm.counts.rings = Object.keys(hm.rings).length;
    };
    if (large) {
      // Clustering keeps 20,000 points usable; chunked so the page never freezes while adding.
      var cluster = L.markerClusterGroup({ chunkedLoading: true, chunkInterval: 150 });
      var list = points.map(function (p) {
        var mk = L.circleMarker(toLatLng(p), { radius: 5, color: "#333", weight: 1, fillColor: p.colour, fillOpacity: 0.9 });
        mk.bindTooltip(p.tooltip);
        mk.on("click", function () { onPointClick(p.seq); });
        hm.markers[p.seq] = mk;
        return mk;
      });
      group.addLayer(cluster);
      return new Promise(function (resolve) {
        cluster.options.chunkProgress = function (processed, total) {
          if (processed >= total) { done(); resolve(); }
        };
        cluster.addLayers(list);
        if (!list.length) { done(); resolve(); }
      });
    }
    spreadColocated(points);
    placeSeatLabels(points);
    points.forEach(function (p) {
      if (p.precision === "township") {
        // Dashed ring: the point is only known to its township seat (radius explained in page.py).
        var ring = L.circle(toLatLng(p), {
          radius: hm.data.legend.ring_m, color: p.colour, weight: 2, dashArray: "6 6",
          fillColor: p.colour, fillOpacity: 0.06, interactive: false
        });
        group.addLayer(ring);
        hm.rings[p.seq] = ring;
      }
      var mk = L.marker(toLatLng(p), { icon: pointIcon(p), riseOnHover: true, keyboard: false });
      mk.hmPoint = p;
      mk.bindTooltip(p.tooltip, { direction: "right" });
      mk.bindPopup(p.popup, { maxWidth: 320 });
      mk.on("click", function () { onPointClick(p.seq); });
      group.addLayer(mk);
      hm.markers[p.seq] = mk;
    });
    done();
    return Promise.resolve();
  }

  function onPointClick(seq) {
    hm.selectPoint(seq, false);
    if (hm.bridge) { hm.bridge.pointClicked(seq); }
  }

  // A seat's label normally starts just right of its square. Points known only by their township
  // sit on the seat itself (drawn side by side when several, see spreadColocated), so there the
  // label goes to the left of the whole group instead of under the numbered discs.
  function seatIcon(t, atPoints) {
    var style = atPoints ? ' style="left:auto; right:' + (13 * atPoints + 7) + 'px"' : "";
    return L.divIcon({ className: "hm-seat-wrap",
      html: '<div class="hm-seat"></div><span class="hm-seat-label"' + style + ">" + t.label + "</span>",
      iconSize: [8, 8], iconAnchor: [4, 4] });
  }

  function placeSeatLabels(points) {
    (hm.seats || []).forEach(function (s) {
      var n = points.filter(function (p) {
        return Math.abs(p.lat - s.seat.lat) < 1e-5 && Math.abs(p.lon - s.seat.lon) < 1e-5;
      }).length;
      if (n !== s.atPoints) { s.atPoints = n; s.marker.setIcon(seatIcon(s.seat, n)); }
    });
  }

  function drawRainGauges(sites) {
    var g = hm.layers.rain_gauges;
    g.clearLayers();
    sites.forEach(function (s) {
      var icon = L.divIcon({ className: "hm-rg-wrap", html: '<div class="hm-rg">' + Number(s.slot) + "</div>",
        iconSize: [20, 20], iconAnchor: [10, 10] });
      g.addLayer(L.marker(toLatLng(s), { icon: icon, keyboard: false }).bindTooltip(s.tooltip));
    });
    hm.counts.rain_gauges = sites.length;
  }

  function drawStatic(st, canvas) {
    hm.layers.county.addLayer(L.geoJSON(st.neighbours, {
      style: { color: "#888", weight: 1, fillColor: "#ccc", fillOpacity: 0.15, opacity: 0.6 }, interactive: false
    }));
    hm.countyOutline = L.geoJSON(st.county, {
      style: { color: "#c0392b", weight: 3, fill: true, fillColor: "#fffbe6", fillOpacity: 0.25 }, interactive: false
    });
    hm.layers.county.addLayer(hm.countyOutline);
    hm.seats = [];
    st.townships.forEach(function (t) {
      // Own pane below the hazard points: seat labels never cover a numbered point.
      var mk = L.marker(toLatLng(t), { icon: seatIcon(t, 0), interactive: false, keyboard: false, pane: "hmSeats" });
      hm.seats.push({ seat: t, marker: mk, atPoints: 0 });
      hm.layers.townships.addLayer(mk);
    });
    st.villages.forEach(function (v) {
      var mk = L.circleMarker(toLatLng(v), { renderer: canvas, radius: 2.5, weight: 1, color: "#5d6d7e", fillColor: "#fff", fillOpacity: 1 });
      mk.bindTooltip(v.label, { permanent: true, direction: "right", className: "hm-village-label", offset: [3, 0] });
      hm.layers.villages.addLayer(mk);
    });
    st.emergency_works.forEach(function (w) {
      var icon = L.divIcon({ className: "hm-ew-wrap", html: '<div class="hm-ew">排</div>', iconSize: [16, 16], iconAnchor: [8, 8] });
      hm.layers.emergency_works.addLayer(L.marker(toLatLng(w), { icon: icon, keyboard: false }).bindTooltip(w.tooltip));
    });
  }

  function legendControl(lg) {
    var c = L.control({ position: "bottomright" });
    c.onAdd = function () {
      var div = L.DomUtil.create("div", "hm-legend");
      var h = "<b class='hm-legend-title' title='点击收起/展开'>图例</b><div class='hm-legend-body'>";
      h += "<div class='hm-legend-sec'>巡查状态</div>";
      lg.statuses.forEach(function (s) {
        h += "<div><span class='hm-sw' style='background:" + s.colour + "'></span>" + s.label + "</div>";
      });
      h += "<div class='hm-legend-sec'>定位精度</div>";
      lg.precision.forEach(function (p) {
        h += "<div><span class='hm-sw hm-sw-" + p.cls + "'></span>" + p.label + "</div>";
      });
      h += "<div class='hm-legend-sec'>其他</div>";
      h += "<div><span class='hm-seat hm-inline'></span>乡镇街道驻地</div>";
      h += "<div><span class='hm-rg hm-inline'></span>雨量计站点</div>";
      var ewMissing = hm.data.static.emergency_works_unlocated;
      h += "<div><span class='hm-ew hm-inline'>排</span>2023 排危除险项目" +
        (ewMissing ? "（另 " + Number(ewMissing) + " 处无坐标）" : "") + "</div>";
      h += "<div><span class='hm-sw hm-sw-county'></span>县界</div>";
      h += "<div class='hm-unlocated'></div></div>";
      div.innerHTML = h;
      var userChose = false;
      div.querySelector(".hm-legend-title").addEventListener("click", function () {
        userChose = true;
        L.DomUtil[L.DomUtil.hasClass(div, "hm-collapsed") ? "removeClass" : "addClass"](div, "hm-collapsed");
      });
      // A short map (a small screen) folds the legend so it never hides the county, until the user
      // unfolds or folds it themselves.
      var fit = function () {
        if (!userChose) { L.DomUtil[hm.map.getSize().y < 400 ? "addClass" : "removeClass"](div, "hm-collapsed"); }
      };
      fit();
      hm.map.on("resize", fit);
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    return c;
  }

  function throttle(fn, ms) {
    var last = 0, timer = null, args = null;
    return function () {
      args = arguments;
      var now = Date.now();
      if (now - last >= ms) { last = now; fn.apply(null, args); }
      else if (!timer) {
        timer = setTimeout(function () { timer = null; last = Date.now(); fn.apply(null, args); }, ms - (now - last));
      }
    };
  }

  hm.stats = function () {
    var visible = {};
    Object.keys(hm.layers).forEach(function (k) { visible[k] = hm.map.hasLayer(hm.layers[k]); });
    return { ready: hm.ready, points: hm.counts.points || 0, rings: hm.counts.rings || 0,
      rain_gauges: hm.counts.rain_gauges || 0, villages: hm.data.static.villages.length,
      townships: hm.data.static.townships.length, emergency_works: hm.data.static.emergency_works.length,
      selected: hm.selected, visible: visible, datum: hm.data.datum };
  };
  hm.statsJson = function () { return JSON.stringify(hm.stats()); };
  hm.seatLabelsAtPoints = function () {
    var out = {};
    (hm.seats || []).forEach(function (s) { if (s.atPoints) { out[s.seat.label] = s.atPoints; } });
    return JSON.stringify(out);
  };

  hm.markerInfo = function (seq) {
    var mk = hm.markers[seq];
    if (!mk) { return JSON.stringify(null); }
    var ll = mk.getLatLng();
    var el = mk.getElement && mk.getElement();
    var inner = el && el.querySelector(".hm-pt");
    var pt = hm.map.latLngToContainerPoint(ll);
    var dx = (mk.hmPoint && mk.hmPoint.dx) || 0;  // where the icon is drawn (see spreadColocated)
    return JSON.stringify({ lat: ll.lat, lon: ll.lng, x: pt.x + dx, y: pt.y, dx: dx,
      selected: !!(inner && inner.classList.contains("hm-selected")),
      colour: inner ? inner.style.background : "", status: mk.hmPoint ? mk.hmPoint.status : "",
      tooltip: mk.getTooltip() ? mk.getTooltip().getContent() : "" });
  };

  hm.selectPoint = function (seq, pan) {
    var old = hm.markers[hm.selected];
    hm.selected = seq || 0;
    [old, hm.markers[hm.selected]].forEach(function (mk) {
      if (mk && mk.hmPoint) { mk.setIcon(pointIcon(mk.hmPoint)); }
    });
    var mk = hm.markers[hm.selected];
    if (mk) {
      if (mk.setZIndexOffset) { mk.setZIndexOffset(1000); }
      if (old && old !== mk && old.setZIndexOffset) { old.setZIndexOffset(0); }
      if (pan) { hm.fitting = true; hm.map.panTo(mk.getLatLng(), { animate: false }); hm.fitting = false; }
    }
    return !!mk;
  };

  function showUnlocated(list) {
    // Points with no position cannot be drawn: say so on the map itself (names escaped in page.py).
    var el = document.querySelector(".hm-legend .hm-unlocated");
    if (!el) { return; }
    el.innerHTML = list.length ? "<div class='hm-legend-sec'>未定位（图上无位置）</div>" +
      list.map(function (u) { return "<div>" + Number(u.seq) + "号 " + u.name + "</div>"; }).join("") : "";
  }

  hm.setPoints = function (update) {
    hm.data.points = update.points;
    showUnlocated(update.unlocated);
    drawRainGauges(update.rain_gauges);
    return drawPoints(update.points).then(function () { hm.selectPoint(hm.selected, false); });
  };

  hm.setLayerVisible = function (key, on) {
    var layer = hm.layers[key];
    if (!layer) { return false; }
    if (on && !hm.map.hasLayer(layer)) { layer.addTo(hm.map); }
    if (!on && hm.map.hasLayer(layer)) { hm.map.removeLayer(layer); }
    return true;
  };

  hm.setPickMode = function (on) {
    hm.pickMode = !!on;
    L.DomUtil[on ? "addClass" : "removeClass"](hm.map.getContainer(), "hm-picking");
  };

  function fitCounty() {
    hm.fitting = true;
    // Leave the legend's width free on the right so it never covers the county.
    var legend = document.querySelector(".hm-legend");
    var right = legend ? legend.offsetWidth + 20 : 10;
    hm.map.fitBounds(hm.countyOutline.getBounds(), { paddingTopLeft: [10, 10], paddingBottomRight: [right, 10], animate: false });
    hm.fitting = false;
  }

  function updateLabelZoom() {
    var el = hm.map.getContainer();
    L.DomUtil[hm.map.getZoom() >= LABEL_ZOOM ? "addClass" : "removeClass"](el, "hm-zoom-close");
  }

  function connectBridge() {
    if (typeof QWebChannel === "undefined" || typeof qt === "undefined") { return; }
    new QWebChannel(qt.webChannelTransport, function (channel) {
      hm.bridge = channel.objects.mapBridge;
      // The window waits for this handshake before it trusts the page (and before synthetic clicks).
      if (hm.ready) { hm.bridge.mapReady(hm.statsJson()); }
    });
  }

  hm.init = function (map, data) {
    hm.map = map;
    hm.data = data;
    // folium sets zoom limits only on tile layers; with none, Leaflet has no maxZoom and clustering needs one.
    map.setMinZoom(6);
    map.setMaxZoom(18);
    var canvas = L.canvas({ padding: 0.5 });
    map.createPane("hmSeats").style.zIndex = 450;
    data.layers.forEach(function (l) { hm.layers[l.key] = L.featureGroup(); });
    if (data.tiles) {
      var t = data.tiles;
      L.tileLayer(t.url, { subdomains: t.subdomains, maxZoom: t.max_zoom, attribution: t.attribution }).addTo(map);
      if (t.label_url) { L.tileLayer(t.label_url, { subdomains: t.subdomains, maxZoom: t.max_zoom }).addTo(map); }
    }
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("村庄点位：Vonng/adcode（CC BY 4.0，源自高德与国家统计局区划代码）");
    drawStatic(data.static, canvas);
    drawRainGauges(data.rain_gauges);
    var overlays = {};
    data.layers.forEach(function (l) {
      if (l.visible) { hm.layers[l.key].addTo(map); }
      overlays[l.label] = hm.layers[l.key];
    });
    if (data.layer_control) { L.control.layers(null, overlays, { collapsed: false, position: "topright" }).addTo(map); }
    L.control.scale({ imperial: false, metric: true, position: "bottomleft" }).addTo(map);
    legendControl(data.legend).addTo(map);
    showUnlocated(data.unlocated);
    map.options.zoomSnap = 0.25;  // fit the county snugly, not to the nearest whole zoom
    fitCounty();
    // The window lays itself out after the page loads: keep the county fitted until the user moves the map.
    map.on("resize", function () { if (!hm.userMoved) { fitCounty(); } });
    map.on("dragstart", function () { hm.userMoved = true; });
    map.on("zoomstart", function () { if (!hm.fitting) { hm.userMoved = true; } });
    map.on("zoomend", updateLabelZoom);
    updateLabelZoom();
    map.on("mousemove", throttle(function (e) {
      if (hm.bridge) { hm.bridge.cursorMoved(e.latlng.lng, e.latlng.lat); }
    }, 40));
    map.on("click", function (e) {
      if (hm.pickMode && hm.bridge) { hm.bridge.mapClicked(e.latlng.lng, e.latlng.lat); }
    });
    drawPoints(data.points).then(function () {
      hm.ready = true;
      document.body.setAttribute("data-hazardmap-ready", "1");
      if (hm.bridge) { hm.bridge.mapReady(hm.statsJson()); }
    });
    connectBridge();
  };
})();

/* hazardmap map page: draws the layers from the payload built in hazardmap/mapping/page.py.
 * The payload (a JSON block in the page, or the window's updates) carries plain text, exactly as
 * typed: every piece of it is escaped here (esc) before it becomes HTML.
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

  var ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) { return ESC[c]; });
  }
  hm.esc = esc;

  // Tooltips and popups arrive as lists of plain-text lines; the first is the title.
  function linesHtml(lines) {
    return (lines || []).map(function (t, i) { return i === 0 ? "<b>" + esc(t) + "</b>" : esc(t); }).join("<br>");
  }

  // What matters is drawn on top: each kind has its own pane (hazard points over rain gauges over
  // works, all under tooltips at 650), and inside the points' pane 危险 over 异常 over the rest.
  var PANES = { hmSeats: 450, hmWorks: 610, hmGauges: 620, hmPoints: 640 };
  var SEVERITY = { "危险": 2, "异常": 1 };
  function severity(p) { return SEVERITY[p.status] || 0; }
  function zOffset(p) {
    // Leaflet stacks markers of one pane by screen y plus this offset: steps far above any y.
    return severity(p) * 100000 + (p.seq === hm.selected ? 50000 : 0);
  }

  function pointIcon(p) {
    var cls = "hm-pt hm-prec-" + p.precision + (p.seq === hm.selected ? " hm-selected" : "");
    var dx = p.dx || 0, dy = p.dy || 0;
    return L.divIcon({
      className: "hm-pt-wrap",
      // A point a rain warning covers gets a thick ring in the warning's colour (must be patrolled).
      html: '<div class="' + cls + '" style="background:' + esc(p.colour) +
        (p.rain ? ";outline:4px solid " + esc(p.rain) + ";outline-offset:2px" : "") + '">' + Number(p.seq) + "</div>",
      iconSize: [26, 26], iconAnchor: [13 - dx, 13 - dy], tooltipAnchor: [12 + dx, dy],
      popupAnchor: [dx, -12 + dy]
    });
  }

  function gaugeIcon(s) {
    var dx = s.dx || 0, dy = s.dy || 0;
    var style = s.colour ? ' style="background:' + esc(s.colour) + '"' : "";   // its rain warning level
    return L.divIcon({ className: "hm-rg-wrap", html: '<div class="hm-rg"' + style + ">" + Number(s.slot) + "</div>",
      iconSize: [20, 20], iconAnchor: [10 - dx, 10 - dy], tooltipAnchor: [dx, dy] });
  }

  // A work's status is its colour (计划 grey, 实施中 orange, 完工 blue, 验收 green: the legend says which).
  function workIcon(w) {
    var dx = w.dx || 0, dy = w.dy || 0;
    return L.divIcon({ className: "hm-ew-wrap",
      html: '<div class="hm-ew" data-status="' + esc(w.status) + '" style="background:' + esc(w.colour) + '">排</div>',
      iconSize: [16, 16], iconAnchor: [8 - dx, 8 - dy], tooltipAnchor: [dx, dy], popupAnchor: [dx, dy - 8] });
  }

  // Screen offsets tried, nearest first, for a symbol of size `step` that would cover another.
  function candidates(step) {
    var out = [];
    for (var r = 0; r <= 4; r++) {
      for (var i = -r; i <= r; i++) {
        for (var j = -r; j <= r; j++) {
          if (Math.max(Math.abs(i), Math.abs(j)) === r) { out.push([i * step, j * step]); }
        }
      }
    }
    // Nearest first; at equal distance right, left, up, down (a pair at one spot sits side by side).
    return out.sort(function (a, b) {
      var d = (a[0] * a[0] + a[1] * a[1]) - (b[0] * b[0] + b[1] * b[1]);
      return d || (Math.abs(a[1]) - Math.abs(b[1])) || (b[0] - a[0]) || (a[1] - b[1]);
    });
  }

  function legendBox() {
    var el = document.querySelector(".hm-legend");
    if (!el || !el.offsetWidth) { return null; }
    var r = el.getBoundingClientRect(), m = hm.map.getContainer().getBoundingClientRect();
    var a = hm.map.containerPointToLayerPoint([r.left - m.left, r.top - m.top]);
    var b = hm.map.containerPointToLayerPoint([r.right - m.left, r.bottom - m.top]);
    return [a.x, a.y, b.x, b.y];
  }

  // No symbol hides another: at the current zoom every marker that would cover one already placed
  // moves to the nearest free spot beside it (hazard points first, by severity, then rain gauges,
  // then works). Stored positions never change; only where the icon is drawn (dx, dy).
  function declutter() {
    if (!hm.map || hm.large) { return; }
    var items = [];
    var add = function (layerKey, list, size, rank, redraw) {
      if (!hm.map.hasLayer(hm.layers[layerKey])) { return; }
      list.forEach(function (o) { if (o.marker) { items.push({ o: o, size: size, rank: rank, redraw: redraw }); } });
    };
    add("points", hm.data.points || [], 26, 10, function (p) {
      p.marker.setIcon(pointIcon(p)); p.marker.setZIndexOffset(zOffset(p));
    });
    add("rain_gauges", hm.gauges || [], 22, 1, function (s) { s.marker.setIcon(gaugeIcon(s)); });
    add("emergency_works", hm.works || [], 18, 0, function (w) { w.marker.setIcon(workIcon(w)); });
    // Among points: severity first, then the more precise position keeps its true place.
    var PREC = { surveyed: 0.2, village: 0.1 };
    items.forEach(function (it) { it.rank += it.o.seq !== undefined ? severity(it.o) + (PREC[it.o.precision] || 0) : 0; });
    items.sort(function (a, b) { return (b.rank - a.rank) || ((a.o.seq || a.o.slot || 0) - (b.o.seq || b.o.slot || 0)); });
    var placed = [];
    var apart = function (x, y, h, b) { return x + h <= b[0] || x - h >= b[2] || y + h <= b[1] || y - h >= b[3]; };
    var free = function (x, y, h) { return placed.every(function (b) { return apart(x, y, h, b); }); };
    // A symbol moved aside never goes under the legend (one that truly lies there stays put).
    var legend = legendBox();
    var cands = {};
    items.forEach(function (it) {
      var at = hm.map.latLngToLayerPoint(toLatLng(it.o));
      var h = it.size / 2;
      var list = cands[it.size] = cands[it.size] || candidates(it.size);
      // Nearest free spot not under the legend; failing that (a symbol that lies under the legend, with
      // others there), the nearest free spot: never one symbol on top of another.
      var best = null, spare = null;
      for (var i = 0; i < list.length; i++) {
        var x = at.x + list[i][0], y = at.y + list[i][1];
        if (!free(x, y, h)) { continue; }
        if (i === 0 || !legend || apart(x, y, h, legend)) { best = list[i]; break; }
        spare = spare || list[i];
      }
      best = best || spare || list[0];
      placed.push([at.x + best[0] - h, at.y + best[1] - h, at.x + best[0] + h, at.y + best[1] + h]);
      if ((it.o.dx || 0) !== best[0] || (it.o.dy || 0) !== best[1]) {
        it.o.dx = best[0]; it.o.dy = best[1];
        it.redraw(it.o);
      }
    });
    placeSeatLabels(hm.data.points || [], placed);
  }

  function drawPoints(points) {
    var group = hm.layers.points;
    group.clearLayers();
    hm.markers = {}; hm.rings = {};
    var large = hm.large = points.length > hm.data.cluster_above;  // set in page.py
    var done = function () {
      hm.counts.points = points.length;
      hm.counts.rings = Object.keys(hm.rings).length;
    };
    if (large) {
      // Clustering keeps 20,000 points usable; chunked so the page never freezes while adding.
      var cluster = L.markerClusterGroup({ chunkedLoading: true, chunkInterval: 150, clusterPane: "hmPoints" });
      // Drawn in order of severity: a 危险 disc is added last, so it lies on top.
      var ordered = points.slice().sort(function (a, b) { return severity(a) - severity(b); });
      var list = ordered.map(function (p) {
        var mk = L.circleMarker(toLatLng(p), { radius: 5, color: "#333", weight: 1, fillColor: p.colour,
          fillOpacity: 0.9, pane: "hmPoints" });
        mk.bindTooltip(linesHtml(p.tooltip));
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
    points.forEach(function (p) {
      if (p.precision === "township") {
        // Dashed ring: the point is only known to its township seat (radius explained in page.py).
        // With the bureau's township boundaries imported, the township's own outline instead.
        var area = (hm.data.township_areas || {})[p.township];
        var ring = area ? L.geoJSON(area, {
          style: { color: p.colour, weight: 2, dashArray: "6 6", fillColor: p.colour, fillOpacity: 0.06 },
          interactive: false
        }) : L.circle(toLatLng(p), {
          radius: hm.data.legend.ring_m, color: p.colour, weight: 2, dashArray: "6 6",
          fillColor: p.colour, fillOpacity: 0.06, interactive: false
        });
        group.addLayer(ring);
        hm.rings[p.seq] = ring;
      }
      var mk = L.marker(toLatLng(p), { icon: pointIcon(p), riseOnHover: true, keyboard: false, pane: "hmPoints",
        zIndexOffset: zOffset(p) });
      mk.hmPoint = p;
      p.marker = mk;
      mk.bindTooltip(linesHtml(p.tooltip), { direction: "right" });
      mk.bindPopup("<div class='hm-popup'>" + linesHtml(p.popup) + "</div>", { maxWidth: 320 });
      mk.on("click", function () { onPointClick(p.seq); });
      group.addLayer(mk);
      hm.markers[p.seq] = mk;
    });
    declutter();
    done();
    return Promise.resolve();
  }

  // A large register (a province): the page holds no points; after each move it sends its box and zoom
  // to the window (bridge.viewChanged) and draws what comes back (hm.setView): the points one by one
  // when few, else clusters with their counts, counted by the window from its database.
  var VIEW_PAD = 0.1;   // ask for a little more than the visible box: a short pan shows no empty edge
  hm.viewAsked = 0; hm.viewShown = 0; hm.viewTimes = [];

  function requestView() {
    if (!hm.bridge || !hm.data.view_query) { return; }
    var b = hm.map.getBounds().pad(VIEW_PAD);
    hm.viewAsked += 1;
    hm.viewAskedAt = performance.now();
    hm.bridge.viewChanged(JSON.stringify({ id: hm.viewAsked, west: b.getWest(), south: b.getSouth(),
      east: b.getEast(), north: b.getNorth(), zoom: hm.map.getZoom() }));
  }
  hm.requestView = requestView;

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(function () { timer = null; fn(); }, ms);
    };
  }

  function clusterIcon(c) {
    var digits = String(c.count).length;
    var size = 26 + 6 * Math.min(digits, 6);
    var cls = c.count >= 1000 ? "hm-cl-big" : c.count >= 100 ? "hm-cl-mid" : "hm-cl-small";
    // the worst last patrol inside, as the rim: red 危险, orange 异常 (the points' own colours)
    cls += c.danger ? " hm-cl-danger" : c.abnormal ? " hm-cl-abnormal" : "";
    return L.divIcon({ className: "hm-cl-wrap", html: '<div class="hm-cl ' + cls + '" style="width:' + size +
      "px;height:" + size + "px;line-height:" + size + 'px">' + Number(c.count) + "</div>",
      iconSize: [size, size], iconAnchor: [size / 2, size / 2] });
  }

  function drawView(v) {
    var group = hm.layers.points;
    group.clearLayers();
    hm.markers = {}; hm.rings = {}; hm.counts.rings = 0;
    hm.large = true;
    var canvas = hm.viewCanvas = hm.viewCanvas || L.canvas({ padding: 0.2, pane: "hmPoints" });
    v.clusters.forEach(function (c) {
      var mk = L.marker([c.lat, c.lon], { icon: clusterIcon(c), keyboard: false, pane: "hmPoints" });
      var worst = [c.danger ? "危险 " + Number(c.danger) + " 处" : "", c.abnormal ? "异常 " + Number(c.abnormal) + " 处" : ""]
        .filter(Boolean).join("、");
      mk.bindTooltip(Number(c.count) + " 处隐患点" + (worst ? "，最近巡查" + worst : "") + "（点击放大）",
        { direction: "top" });
      mk.on("click", function () { hm.map.setView([c.lat, c.lon], hm.map.getZoom() + 2); });
      group.addLayer(mk);
    });
    var ordered = v.points.slice().sort(function (a, b) { return severity(a) - severity(b); });
    ordered.forEach(function (p) {
      if (p.rain) {   // covered by a rain warning: a thick ring in its colour, as on the county's page
        group.addLayer(L.circleMarker(toLatLng(p), { renderer: canvas, radius: 11, color: p.rain, weight: 4,
          fill: false, interactive: false, pane: "hmPoints", className: "hm-rain-ring" }));
        hm.counts.rings = (hm.counts.rings || 0) + 1;
      }
      var mk = L.circleMarker(toLatLng(p), { renderer: canvas, radius: p.seq === hm.selected ? 8 : 6, color: "#333",
        weight: p.seq === hm.selected ? 3 : 1, fillColor: p.colour, fillOpacity: 0.9, pane: "hmPoints" });
      mk.bindTooltip(linesHtml(p.tooltip));
      mk.on("click", function () { onPointClick(p.seq); });
      group.addLayer(mk);
      hm.markers[p.seq] = mk;
    });
    hm.counts.points = v.points.length;
    hm.counts.clusters = v.clusters.length;
    hm.counts.in_view = v.total;
  }

  hm.setView = function (v) {
    if (v.id && v.id < hm.viewShown) { return false; }   // an answer overtaken by a newer question
    drawView(v);
    hm.viewShown = v.id || hm.viewShown;
    if (v.id && v.id === hm.viewAsked && hm.viewAskedAt) { hm.viewTimes.push(performance.now() - hm.viewAskedAt); }
    hm.viewsDrawn = (hm.viewsDrawn || 0) + 1;
    hm.lastDrawnAt = performance.now();
    if (!hm.ready) { markReady(); }
    return true;
  };

  function markReady() {
    hm.ready = true;
    document.body.setAttribute("data-hazardmap-ready", "1");
    if (hm.bridge) { hm.bridge.mapReady(hm.statsJson()); }
  }

  function onPointClick(seq) {
    hm.selectPoint(seq, false);
    if (hm.bridge) { hm.bridge.pointClicked(seq); }
  }

  // A seat's label goes to the first place beside its square that covers no symbol and no other
  // seat's name: right of the square, left of it, then beside the points that sit on the seat
  // (points known only by their township, moved beside each other by declutter), above, below.
  // Where none is free and nearer its own seat than any other (a small map of the whole county), the
  // name waits for a closer zoom rather than hide a symbol or name the wrong seat.
  function seatIcon(t, pos) {
    var style = pos === false ? ' style="display:none"' :
      pos ? ' style="left:' + pos[0] + "px; top:" + pos[1] + 'px"' : "";
    return L.divIcon({ className: "hm-seat-wrap",
      html: '<div class="hm-seat"></div><span class="hm-seat-label"' + style + ">" + esc(t.label) + "</span>",
      iconSize: [8, 8], iconAnchor: [4, 4] });
  }

  function labelWidth(text) {  // 12 px bold: a Chinese character 12 px, anything else about 7
    var w = 0;
    for (var i = 0; i < text.length; i++) { w += text.charCodeAt(i) > 0x2e80 ? 12 : 7; }
    return w + 2;
  }

  function placeSeatLabels(points, taken) {
    if (!hm.map.hasLayer(hm.layers.townships)) { return; }
    // Symbols with 4 px to spare (a selected disc is drawn 1.25 times larger); names 3 px apart.
    var boxes = (taken || []).map(function (b) { return [b[0] - 4, b[1] - 4, b[2] + 4, b[3] + 4]; });
    (hm.seats || []).forEach(function (s) {
      var c = hm.map.latLngToLayerPoint(toLatLng(s.seat));
      boxes.push([c.x - 4, c.y - 4, c.x + 4, c.y + 4]);
    });
    var free = function (a) {
      return boxes.every(function (b) { return a[0] - 3 >= b[2] || a[2] + 3 <= b[0] || a[1] >= b[3] || a[3] <= b[1]; });
    };
    var seatsAt = (hm.seats || []).map(function (s) { return hm.map.latLngToLayerPoint(toLatLng(s.seat)); });
    var distance = function (b, q) {
      return Math.hypot(Math.max(b[0] - q.x, 0, q.x - b[2]), Math.max(b[1] - q.y, 0, q.y - b[3]));
    };
    var shown = hm.map.hasLayer(hm.layers.points);
    // Seats with points on them first: those names say where the points are.
    var order = (hm.seats || []).map(function (s) {
      s.atPoints = shown ? points.filter(function (p) {
        return p.marker && Math.abs(p.lat - s.seat.lat) < 1e-5 && Math.abs(p.lon - s.seat.lon) < 1e-5;
      }).length : 0;
      return s;
    }).sort(function (a, b) { return b.atPoints - a.atPoints; });
    order.forEach(function (s) {
      var at = points.filter(function (p) {
        return shown && p.marker && Math.abs(p.lat - s.seat.lat) < 1e-5 && Math.abs(p.lon - s.seat.lon) < 1e-5;
      });
      var c = seatsAt[hm.seats.indexOf(s)];
      var w = labelWidth(s.seat.label), h = 18;
      var lo = Math.min.apply(null, at.map(function (p) { return (p.dx || 0) - 13; }).concat([-4]));
      var hi = Math.max.apply(null, at.map(function (p) { return (p.dx || 0) + 13; }).concat([4]));
      var top = Math.min.apply(null, at.map(function (p) { return (p.dy || 0) - 13; }).concat([-4]));
      var bottom = Math.max.apply(null, at.map(function (p) { return (p.dy || 0) + 13; }).concat([4]));
      // Left/top edges of the label relative to the seat's centre, nearest first; then the same
      // places one and two steps further out.
      var options = [[5, -10], [-5 - w, -10], [hi + 3, -10], [lo - 3 - w, -10], [-w / 2, top - 2 - h], [-w / 2, bottom + 2],
        [5, -h - 4], [5, 4], [-5 - w, -h - 4], [-5 - w, 4], [hi + 3, top - h], [hi + 3, bottom], [lo - 3 - w, top - h],
        [lo - 3 - w, bottom]];
      [1, 2].forEach(function (k) {
        options.push([hi + 3 + 13 * k, -10], [lo - 3 - w - 13 * k, -10], [5, -10 - 18 * k], [5, -10 + 18 * k],
          [-5 - w, -10 - 18 * k], [-5 - w, -10 + 18 * k], [-w / 2, top - 2 - h - 9 * k], [-w / 2, bottom + 2 + 9 * k]);
      });
      var fits = options.filter(function (o) { return free([c.x + o[0], c.y + o[1], c.x + o[0] + w, c.y + o[1] + h]); });
      // A name nearer to another seat than to its own (or the points drawn on it) would name the wrong one.
      var group = [c.x + lo, c.y + top, c.x + hi, c.y + bottom];
      var best = fits.filter(function (o) {
        var box = [c.x + o[0], c.y + o[1], c.x + o[0] + w, c.y + o[1] + h];
        var own = Math.max(0, Math.max(group[0] - box[2], box[0] - group[2], group[1] - box[3], box[1] - group[3]));
        return seatsAt.every(function (q) { return q === c || distance(box, q) > own + 2; });
      })[0];
      var pos = false;
      if (best) {
        boxes.push([c.x + best[0], c.y + best[1], c.x + best[0] + w, c.y + best[1] + h]);
        pos = [Math.round(best[0] + 4), Math.round(best[1] + 4)];  // relative to the 8 px square's corner
      }
      if (String(pos) !== String(s.pos)) { s.pos = pos; s.marker.setIcon(seatIcon(s.seat, pos)); }
    });
  }

  function drawRainGauges(sites) {
    var g = hm.layers.rain_gauges;
    g.clearLayers();
    hm.gauges = sites;
    sites.forEach(function (s) {
      s.marker = L.marker(toLatLng(s), { icon: gaugeIcon(s), keyboard: false, pane: "hmGauges" });
      g.addLayer(s.marker.bindTooltip(linesHtml(s.tooltip)));
    });
    hm.counts.rain_gauges = sites.length;
  }

  function drawReference(layers) {
    // The bureau's own lines and polygons (roads, rivers, township boundaries): thin and blue, under the points.
    layers.forEach(function (r) {
      var township = r.role === "township";
      hm.layers[r.key].addLayer(L.geoJSON(r.geojson, {
        style: { color: township ? "#5b6f94" : "#1f4e9c", weight: township ? 1.5 : 2, fill: r.kind === "polygon",
                 fillOpacity: 0.03, dashArray: township ? "4 3" : null },
        onEachFeature: function (f, layer) { if (f.properties.name) { layer.bindTooltip(esc(f.properties.name), { sticky: true }); } }
      }));
    });
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
      var mk = L.marker(toLatLng(t), { icon: seatIcon(t, null), interactive: false, keyboard: false, pane: "hmSeats" });
      hm.seats.push({ seat: t, marker: mk, atPoints: 0, pos: null });
      hm.layers.townships.addLayer(mk);
    });
    st.villages.forEach(function (v) {
      var mk = L.circleMarker(toLatLng(v), { renderer: canvas, radius: 2.5, weight: 1, color: "#5d6d7e", fillColor: "#fff", fillOpacity: 1 });
      mk.bindTooltip(esc(v.label), { permanent: true, direction: "right", className: "hm-village-label", offset: [3, 0] });
      hm.layers.villages.addLayer(mk);
    });
  }

  function drawWorks(payload) {
    var g = hm.layers.emergency_works;
    g.clearLayers();
    hm.works = payload.works;
    hm.worksUnlocated = payload.unlocated;
    payload.works.forEach(function (w) {
      w.marker = L.marker(toLatLng(w), { icon: workIcon(w), keyboard: false, pane: "hmWorks" });
      g.addLayer(w.marker.bindTooltip(linesHtml(w.tooltip)).bindPopup(linesHtml(w.popup)));
    });
    var el = document.querySelector(".hm-legend .hm-works-unlocated");
    if (el) { el.textContent = payload.unlocated ? "（另 " + Number(payload.unlocated) + " 项无坐标）" : ""; }
  }

  function legendControl(lg) {
    var c = L.control({ position: "bottomright" });
    c.onAdd = function () {
      var div = L.DomUtil.create("div", "hm-legend");
      var h = "<b class='hm-legend-title' title='点击收起/展开'>图例</b><div class='hm-legend-body'>";
      h += "<div class='hm-shown'></div>";
      h += "<div class='hm-legend-sec'>巡查状态</div>";
      lg.statuses.forEach(function (s) {
        h += "<div><span class='hm-sw' style='background:" + esc(s.colour) + "'></span>" + esc(s.label) + "</div>";
      });
      if (hm.data.view_query) {
        h += "<div><span class='hm-cl-sw hm-cl-danger'></span>聚合圈红边：内有危险（橙边：异常）</div>";
      }
      h += "<div class='hm-legend-sec'>定位精度</div>";
      lg.precision.forEach(function (p) {
        h += "<div><span class='hm-sw hm-sw-" + esc(p.cls) + "'></span>" + esc(p.label) + "</div>";
      });
      h += "<div class='hm-legend-sec'>其他</div>";
      h += "<div><span class='hm-seat hm-inline'></span>乡镇街道驻地</div>";
      h += "<div><span class='hm-sw hm-sw-county'></span>县界</div>";
      // Rain gauges take the colour of their warning level now; points a warning covers get a ring in it.
      var rg = function (s) {
        return "<span class='hm-rg hm-inline' style='background:" + esc(s.colour) + "'></span>" + esc(s.label) + " ";
      };
      h += "<div class='hm-legend-sec'>雨量计站点（当前预警等级）</div>";
      h += "<div class='hm-rain-row'>" + lg.rain.states.map(rg).join("") + "</div>";
      h += "<div class='hm-rain-row'>预警 " + lg.rain.levels.map(rg).join("") + "</div>";
      h += "<div><span class='hm-ring-sample hm-inline' style='outline-color:" + esc(lg.rain.ring) +
        "'></span>预警覆盖的隐患点（外圈为预警色，应巡查）</div>";
      h += "<div class='hm-legend-sec'>排危除险工程<span class='hm-works-unlocated'></span></div>";
      lg.works.forEach(function (s) {
        h += "<div><span class='hm-ew hm-inline' style='background:" + esc(s.colour) + "'>排</span>" + esc(s.label) + "</div>";
      });
      h += "<div class='hm-unlocated'></div></div>";
      div.innerHTML = h;
      var userChose = false;
      div.querySelector(".hm-legend-title").addEventListener("click", function () {
        userChose = true;
        L.DomUtil[L.DomUtil.hasClass(div, "hm-collapsed") ? "removeClass" : "addClass"](div, "hm-collapsed");
        declutter();
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
      clusters: hm.counts.clusters || 0, in_view: hm.counts.in_view || 0, view_query: !!hm.data.view_query,
      rain_gauges: hm.counts.rain_gauges || 0, villages: hm.data.static.villages.length,
      townships: hm.data.static.townships.length, emergency_works: (hm.works || []).length,
      selected: hm.selected, visible: visible, datum: hm.data.datum };
  };
  hm.statsJson = function () { return JSON.stringify(hm.stats()); };
  // The works as drawn (for the tests): status, colour, tooltip and popup as plain text.
  hm.worksInfo = function () {
    return JSON.stringify((hm.works || []).map(function (w) {
      var el = w.marker.getElement && w.marker.getElement();
      var icon = el && el.querySelector(".hm-ew");
      return { id: w.id, seq: w.seq, year: w.year, status: icon ? icon.getAttribute("data-status") : "",
        colour: icon ? icon.style.background : "", tooltip: textOf(w.marker.getTooltip().getContent()),
        popup: textOf(w.marker.getPopup().getContent()) };
    }));
  };
  hm.seatLabelsAtPoints = function () {
    var out = {};
    (hm.seats || []).forEach(function (s) { if (s.atPoints) { out[s.seat.label] = s.atPoints; } });
    return JSON.stringify(out);
  };

  // Plain text of an HTML string, parsed without running or loading anything (for the tests).
  function textOf(htmlText) {
    return new DOMParser().parseFromString(String(htmlText), "text/html").body.textContent;
  }

  hm.markerInfo = function (seq) {
    var mk = hm.markers[seq];
    if (!mk) { return JSON.stringify(null); }
    var ll = mk.getLatLng();
    var el = mk.getElement && mk.getElement();
    var inner = el && el.querySelector(".hm-pt");
    var pt = hm.map.latLngToContainerPoint(ll);
    var dx = (mk.hmPoint && mk.hmPoint.dx) || 0;  // where the icon is drawn (see declutter)
    var dy = (mk.hmPoint && mk.hmPoint.dy) || 0;
    var popup = mk.getPopup && mk.getPopup();
    return JSON.stringify({ lat: ll.lat, lon: ll.lng, x: pt.x + dx, y: pt.y + dy, dx: dx, dy: dy,
      selected: !!(inner && inner.classList.contains("hm-selected")),
      colour: inner ? inner.style.background : "", status: mk.hmPoint ? mk.hmPoint.status : "",
      tooltip: mk.getTooltip() ? textOf(mk.getTooltip().getContent()) : "",
      popup: popup ? textOf(popup.getContent()) : "" });
  };

  hm.selectPoint = function (seq, pan) {
    var old = hm.markers[hm.selected];
    hm.selected = seq || 0;
    [old, hm.markers[hm.selected]].forEach(function (mk) {
      if (mk && mk.hmPoint) { mk.setIcon(pointIcon(mk.hmPoint)); }
    });
    [old, hm.markers[hm.selected]].forEach(function (m) {
      if (m && m.hmPoint && m.setZIndexOffset) { m.setZIndexOffset(zOffset(m.hmPoint)); }
    });
    if (hm.data.view_query) {
      if (old && old.setRadius) { old.setRadius(6); old.setStyle({ weight: 1 }); }
      var now = hm.markers[hm.selected];
      if (now && now.setRadius) { now.setRadius(8); now.setStyle({ weight: 3 }); now.bringToFront(); }
    }
    var mk = hm.markers[hm.selected];
    if (mk) {
      if (pan) { hm.fitting = true; hm.map.panTo(mk.getLatLng(), { animate: false }); hm.fitting = false; }
    }
    return !!mk;
  };

  hm.setShown = function (shown) { showShown(shown); };

  function showShown(shown) {
    // Which points the map shows and how many, counted by the application from its data.
    var el = document.querySelector(".hm-legend .hm-shown");
    if (!el || !shown) { return; }
    el.textContent = shown.count === null ? shown.title + "：图上 " + Number(shown.drawn) + " 处" :
      shown.title + "：" + Number(shown.count) + " 处（图上 " + Number(shown.drawn) + " 处）";
  }

  function showUnlocated(list) {
    // Points with no position cannot be drawn: say so on the map itself.
    var el = document.querySelector(".hm-legend .hm-unlocated");
    if (!el) { return; }
    el.innerHTML = list.length ? "<div class='hm-legend-sec'>未定位（图上无位置）</div>" +
      list.map(function (u) { return "<div>" + Number(u.seq) + "号 " + esc(u.name) + "</div>"; }).join("") : "";
  }

  hm.setPoints = function (update) {
    hm.data.points = update.points;
    showUnlocated(update.unlocated);
    showShown(update.shown);
    drawRainGauges(update.rain_gauges);
    drawWorks(update.works);
    if (hm.data.view_query) { requestView(); return Promise.resolve(); }
    return drawPoints(update.points).then(function () { hm.selectPoint(hm.selected, false); });
  };

  hm.setLayerVisible = function (key, on) {
    var layer = hm.layers[key];
    if (!layer) { return false; }
    if (on && !hm.map.hasLayer(layer)) { layer.addTo(hm.map); }
    if (!on && hm.map.hasLayer(layer)) { hm.map.removeLayer(layer); }
    declutter();  // a hidden layer frees the places its symbols took
    return true;
  };

  hm.setPickMode = function (on) {
    hm.pickMode = !!on;
    L.DomUtil[on ? "addClass" : "removeClass"](hm.map.getContainer(), "hm-picking");
  };

  function fitCounty() {
    hm.fitting = true;
    if (hm.data.start_box && hm.data.view_query) {   // a large register: where the user left the map
      var b = hm.data.start_box;
      hm.map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { animate: false });
      hm.fitting = false;
      return;
    }
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
      // A large register: ready once the first view is drawn (hm.setView).
      if (hm.data.view_query) { requestView(); return; }
      // The window waits for this handshake before it trusts the page (and before synthetic clicks).
      if (hm.ready) { hm.bridge.mapReady(hm.statsJson()); }
    });
  }

  hm.readData = function (id) { return JSON.parse(document.getElementById(id).textContent); };

  hm.init = function (map, data) {
    hm.map = map;
    hm.data = data;
    // folium sets zoom limits only on tile layers; with none, Leaflet has no maxZoom and clustering needs one.
    map.setMinZoom(6);
    map.setMaxZoom(18);
    var canvas = L.canvas({ padding: 0.5 });
    Object.keys(PANES).forEach(function (name) { map.createPane(name).style.zIndex = PANES[name]; });
    data.layers.forEach(function (l) { hm.layers[l.key] = L.featureGroup(); });
    if (data.tiles) {
      var t = data.tiles;
      L.tileLayer(t.url, { subdomains: t.subdomains, maxZoom: t.max_zoom, attribution: t.attribution }).addTo(map);
      if (t.label_url) { L.tileLayer(t.label_url, { subdomains: t.subdomains, maxZoom: t.max_zoom }).addTo(map); }
    }
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("村庄点位：Vonng/adcode（CC BY 4.0，源自高德与国家统计局区划代码）");
    drawStatic(data.static, canvas);
    drawReference(data.reference || []);
    drawRainGauges(data.rain_gauges);
    var overlays = {};
    data.layers.forEach(function (l) {
      if (l.visible) { hm.layers[l.key].addTo(map); }
      overlays[l.label] = hm.layers[l.key];
    });
    if (data.layer_control) { L.control.layers(null, overlays, { collapsed: false, position: "topright" }).addTo(map); }
    L.control.scale({ imperial: false, metric: true, position: "bottomleft" }).addTo(map);
    legendControl(data.legend).addTo(map);
    drawWorks(data.works);
    showUnlocated(data.unlocated);
    showShown(data.shown);
    map.options.zoomSnap = 0.25;  // fit the county snugly, not to the nearest whole zoom
    fitCounty();
    // The window lays itself out after the page loads: keep the county fitted until the user moves the map.
    map.on("resize", function () { if (!hm.userMoved) { fitCounty(); } });
    map.on("dragstart", function () { hm.userMoved = true; });
    map.on("zoomstart", function () { if (!hm.fitting) { hm.userMoved = true; } });
    map.on("zoomend", updateLabelZoom);
    map.on("zoomend", declutter);
    map.on("resize moveend", declutter);  // the legend stays put on screen while the map moves
    updateLabelZoom();
    map.on("mousemove", throttle(function (e) {
      if (hm.bridge) { hm.bridge.cursorMoved(e.latlng.lng, e.latlng.lat); }
    }, 40));
    map.on("click", function (e) {
      if (hm.pickMode && hm.bridge) { hm.bridge.mapClicked(e.latlng.lng, e.latlng.lat); }
    });
    if (data.view_query) {
      map.on("moveend", debounce(requestView, 40));
    } else {
      drawPoints(data.points).then(markReady);
    }
    connectBridge();
  };
})();

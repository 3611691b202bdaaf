// The visitors' hall map: zoom and pan (mouse, touch, keyboard), exhibitor cards on click
// or keyboard focus, and a visit plan kept in the browser (localStorage).
(function () {
  "use strict";
  var svg = document.getElementById("hall-map");
  if (!svg) return;
  var card = document.getElementById("exhibitor-card");
  var cards = JSON.parse(document.getElementById("booth-cards").textContent);
  var full = svg.getAttribute("data-viewbox").split(" ").map(Number);
  var view = full.slice();
  var STORE = "exhibit-visit:" + location.pathname.split("/")[1];

  function apply() { svg.setAttribute("viewBox", view.join(" ")); }
  function zoom(factor, cx, cy) {
    var w = Math.min(full[2] * 1.2, Math.max(full[2] / 20, view[2] * factor));
    var h = w * full[3] / full[2];
    cx = cx === undefined ? view[0] + view[2] / 2 : cx;
    cy = cy === undefined ? view[1] + view[3] / 2 : cy;
    view = [cx - (cx - view[0]) * w / view[2], cy - (cy - view[1]) * h / view[3], w, h];
    apply();
  }
  function pan(dx, dy) { view[0] += dx * view[2]; view[1] += dy * view[3]; apply(); }
  function toSvg(evt) {
    var r = svg.getBoundingClientRect();
    return [view[0] + (evt.clientX - r.left) / r.width * view[2],
            view[1] + (evt.clientY - r.top) / r.height * view[3]];
  }

  document.querySelectorAll("[data-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      var what = button.getAttribute("data-zoom");
      if (what === "in") zoom(0.7);
      else if (what === "out") zoom(1 / 0.7);
      else { view = full.slice(); apply(); }
    });
  });
  svg.addEventListener("wheel", function (evt) {
    evt.preventDefault();
    var p = toSvg(evt);
    zoom(evt.deltaY < 0 ? 0.85 : 1 / 0.85, p[0], p[1]);
  }, { passive: false });

  // Pointer events cover mouse, pen and touch; two fingers pinch.
  var pointers = {}, last = null, pinch = null, moved = false;
  svg.addEventListener("pointerdown", function (evt) {
    pointers[evt.pointerId] = evt; moved = false;
    last = [evt.clientX, evt.clientY];
  });
  svg.addEventListener("pointermove", function (evt) {
    if (!pointers[evt.pointerId]) return;
    pointers[evt.pointerId] = evt;
    var ids = Object.keys(pointers);
    var r = svg.getBoundingClientRect();
    if (ids.length === 2) {
      var a = pointers[ids[0]], b = pointers[ids[1]];
      var d = Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY);
      if (pinch) zoom(pinch / d, view[0] + ((a.clientX + b.clientX) / 2 - r.left) / r.width * view[2],
                      view[1] + ((a.clientY + b.clientY) / 2 - r.top) / r.height * view[3]);
      pinch = d; moved = true;
      return;
    }
    var dx = evt.clientX - last[0], dy = evt.clientY - last[1];
    if (Math.abs(dx) + Math.abs(dy) > 3) moved = true;
    if (moved) { pan(-dx / r.width, -dy / r.height); last = [evt.clientX, evt.clientY]; }
  });
  function release(evt) { delete pointers[evt.pointerId]; pinch = null; }
  svg.addEventListener("pointerup", release);
  svg.addEventListener("pointercancel", release);

  svg.addEventListener("keydown", function (evt) {
    var keys = { "+": [0.8], "=": [0.8], "-": [1.25], "_": [1.25] };
    var moves = { ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, -0.1], ArrowDown: [0, 0.1] };
    if (keys[evt.key]) { zoom(keys[evt.key][0]); evt.preventDefault(); }
    else if (moves[evt.key] && evt.target === svg) { pan(moves[evt.key][0], moves[evt.key][1]); evt.preventDefault(); }
    else if ((evt.key === "Enter" || evt.key === " ") && evt.target.classList.contains("booth")) {
      show(evt.target); evt.preventDefault();
    }
  });

  function visitPlan() {
    try { return JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (e) { return []; }
  }
  function savePlan(items) { localStorage.setItem(STORE, JSON.stringify(items)); }

  function show(booth) {
    if (!card) return;  // the visit plan's map has no exhibitor card
    document.querySelectorAll(".booth-selected").forEach(function (b) { b.classList.remove("booth-selected"); });
    booth.classList.add("booth-selected");
    var number = booth.getAttribute("data-number");
    var info = cards[number];
    card.textContent = "";
    var title = document.createElement("h2");
    title.className = "card-title";
    title.textContent = card.getAttribute("data-booth-word") + " " + number;
    card.appendChild(title);
    if (!info) {
      var p = document.createElement("p");
      p.textContent = card.getAttribute("data-vacant");
      card.appendChild(p);
      return;
    }
    var name = document.createElement("a");
    name.href = info.url; name.textContent = info.name; name.className = "card-exhibitor";
    card.appendChild(name);
    if (info.region) {
      var region = document.createElement("p"); region.className = "meta"; region.textContent = info.region;
      card.appendChild(region);
    }
    var list = document.createElement("ul"); list.className = "card-solutions";
    var planned = visitPlan().map(function (i) { return i.id; });
    info.solutions.forEach(function (s) {
      var li = document.createElement("li");
      var a = document.createElement("a"); a.href = s.url; a.textContent = s.title;
      var add = document.createElement("button");
      add.type = "button"; add.className = "button button-small button-secondary";
      var inPlan = planned.indexOf(s.id) >= 0;
      add.textContent = inPlan ? card.getAttribute("data-added") : card.getAttribute("data-add");
      add.setAttribute("aria-pressed", inPlan ? "true" : "false");
      add.addEventListener("click", function () {
        var items = visitPlan().filter(function (i) { return i.id !== s.id; });
        if (add.getAttribute("aria-pressed") !== "true") items.push({ id: s.id, title: s.title, booth: number });
        savePlan(items);
        show(booth);
      });
      li.appendChild(a); li.appendChild(document.createTextNode(" ")); li.appendChild(add);
      list.appendChild(li);
    });
    card.appendChild(list);
  }

  document.querySelectorAll(".hall-map .booth").forEach(function (booth) {
    booth.addEventListener("focus", function () { show(booth); });
    booth.addEventListener("click", function () { if (!moved) show(booth); });
  });
  document.querySelectorAll("[data-focus-booth]").forEach(function (link) {
    link.addEventListener("click", function (evt) {
      var booth = document.getElementById("booth-" + link.getAttribute("data-focus-booth"));
      if (booth) { evt.preventDefault(); booth.focus(); }
    });
  });
  var hits = document.querySelectorAll(".booth-selected, .booth-hit");
  if (hits.length) show(hits[0]);
  window.exhibitMap = { zoom: zoom, view: function () { return view.slice(); } };
})();

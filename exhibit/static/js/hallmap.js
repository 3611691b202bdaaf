// The visitors' hall map: zoom and pan (mouse, touch, keyboard), exhibitor cards on click
// or keyboard focus, and a visit plan kept in the browser (localStorage).
(function () {
  "use strict";
  var svg = document.getElementById("hall-map");
  if (!svg) return;
  var card = document.getElementById("exhibitor-card");
  var cards = JSON.parse(document.getElementById("booth-cards").textContent);
  var full = svg.getAttribute("data-viewbox").split(" ").map(Number);
  var view = svg.getAttribute("viewBox").split(" ").map(Number);  // "you are here" starts close
  var STORE = "exhibit-visit:" + location.pathname.split("/")[1];

  // During a drag or a pinch the drawing moves as a picture (a CSS transform: the compositor
  // moves it without redrawing thousands of booths); the viewBox follows at most every
  // COMMIT ms and when the fingers lift (bench/map_gestures.py measures the difference).
  var COMMIT = 600, moving = null, box = null, committed = 0;
  function apply() {
    if (!moving) { svg.setAttribute("viewBox", view.join(" ")); return; }
    var k = box.width / view[2];
    svg.style.transform = "translate(" + (moving[0] - view[0]) * k + "px," +
      (moving[1] - view[1]) * k + "px) scale(" + moving[2] / view[2] + ")";
    if (performance.now() - committed > COMMIT) commit();
  }
  function commit() {
    svg.setAttribute("viewBox", view.join(" "));
    svg.style.transform = "";
    moving = view.slice(); committed = performance.now();
  }
  function startMoving() {
    if (moving) return;
    box = svg.getBoundingClientRect();
    moving = view.slice(); committed = performance.now();
  }
  function stopMoving() {
    if (!moving) return;
    commit(); moving = null;
  }
  function zoom(factor, cx, cy) {
    var w = Math.min(full[2] * 1.2, Math.max(full[2] / 20, view[2] * factor));
    var h = w * view[3] / view[2];  // keeps the view's shape (a phone's is taller)
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
    startMoving();
  });
  svg.addEventListener("pointermove", function (evt) {
    if (!pointers[evt.pointerId]) return;
    pointers[evt.pointerId] = evt;
    var ids = Object.keys(pointers);
    var r = box;  // the drawing's place before this gesture moved it
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
  function release(evt) {
    delete pointers[evt.pointerId]; pinch = null;
    if (!Object.keys(pointers).length) stopMoving();
  }
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
  function savePlan(items) {
    localStorage.setItem(STORE, JSON.stringify(items));
    // Keep the plan's route for a walk with no network (the service worker saves the page).
    if (items.length && window.exhibitOffline && card) {
      window.exhibitOffline.save(card.getAttribute("data-visit-url") + "?solutions=" +
        items.map(function (i) { return i.id; }).join(","));
    }
  }

  // On a phone the card is a bottom sheet over the map: open while a booth is chosen,
  // closed by its button or Escape (focus goes back to the booth).
  var shown = null, closing = false;
  function closeSheet() {
    if (!card || !card.classList.contains("is-open")) return;
    card.classList.remove("is-open");
    if (shown) {
      shown.classList.remove("booth-selected");
      closing = true; shown.focus({ preventScroll: true }); closing = false;
    }
  }
  document.addEventListener("keydown", function (evt) { if (evt.key === "Escape") closeSheet(); });

  function show(booth) {
    if (!card) return;  // the visit plan's map has no exhibitor card
    document.querySelectorAll(".booth-selected").forEach(function (b) { b.classList.remove("booth-selected"); });
    booth.classList.add("booth-selected");
    shown = booth;
    var number = booth.getAttribute("data-number");
    var info = cards[number];
    card.textContent = "";
    card.classList.add("is-open");
    var close = document.createElement("button");
    close.type = "button"; close.className = "sheet-close"; close.textContent = "✕";
    close.setAttribute("aria-label", card.getAttribute("data-close"));
    close.addEventListener("click", closeSheet);
    card.appendChild(close);
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
    if (card.getAttribute("data-visit-url") && visitPlan().length) {
      var visit = document.createElement("a");
      visit.href = card.getAttribute("data-visit-url"); visit.className = "sheet-visit";
      visit.textContent = card.getAttribute("data-visit") + " (" + visitPlan().length + ")";
      card.appendChild(visit);
    }
  }

  // The legend and the track filters fold away on a phone (CSS shows them on a wide screen).
  var toggle = document.getElementById("legend-toggle");
  if (toggle) toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    document.getElementById("map-legend").classList.toggle("is-open", open);
  });
  document.querySelectorAll("input[data-track]").forEach(function (box) {
    box.addEventListener("change", function () {
      var track = box.getAttribute("data-track");
      svg.querySelectorAll('.booth[data-track="' + track + '"]').forEach(function (b) {
        b.classList.toggle("booth-dimmed", !box.checked);
      });
    });
  });

  document.querySelectorAll(".hall-map .booth").forEach(function (booth) {
    booth.addEventListener("focus", function () { if (!closing) show(booth); });
    booth.addEventListener("click", function () { if (!moved) show(booth); });
  });
  document.querySelectorAll("[data-focus-booth]").forEach(function (link) {
    link.addEventListener("click", function (evt) {
      var booth = document.getElementById("booth-" + link.getAttribute("data-focus-booth"));
      if (booth) { evt.preventDefault(); booth.focus(); }
    });
  });
  // A chosen booth opens its card; so does the first search hit, except on a phone where
  // the sheet would cover the other hits (there it opens for a single hit only).
  var phone = window.matchMedia("(max-width: 40rem)").matches;
  // On a phone the hall (wider than tall) would fill a strip across a tall screen: start
  // with its full height instead, round the chosen booth or the middle ("Весь зал" shows all).
  if (phone && view.join(" ") === full.join(" ")) {
    var box = svg.getBoundingClientRect();
    var fill = (box.width / box.height) / (full[2] / full[3]);
    if (box.height > 0 && fill < 1) {
      var focus = document.querySelector(".booth-selected") || (document.querySelectorAll(".booth-hit").length === 1 && document.querySelector(".booth-hit"));
      var centre = [full[0] + full[2] / 2, full[1] + full[3] / 2];
      if (focus) { var fb = focus.getBBox(); centre[0] = fb.x + fb.width / 2; }
      view = [centre[0] - full[2] * fill / 2, full[1], full[2] * fill, full[3]];
      apply();
    }
  }
  var hits = document.querySelectorAll(".booth-selected, .booth-hit");
  if (hits.length && (!phone || hits.length === 1 || hits[0].classList.contains("booth-selected"))) show(hits[0]);
  // With no network (or on a saved copy of this page) the search bar searches the index the
  // browser keeps: the booths found are highlighted and listed under the map.
  var form = document.getElementById("map-search");
  function searchSaved(query) {
    var status = document.getElementById("map-found");
    var results = document.getElementById("map-results");
    return window.exhibitOffline.search(query).then(function (items) {
      svg.querySelectorAll(".booth-hit").forEach(function (b) { b.classList.remove("booth-hit"); });
      var booths = {};
      items.forEach(function (item) { if (item.booth) booths[item.booth] = true; });
      Object.keys(booths).forEach(function (number) {
        var booth = document.getElementById("booth-" + number);
        if (booth) booth.classList.add("booth-hit");
      });
      var count = Object.keys(booths).length;
      status.textContent = status.getAttribute("data-saved-found").replace("{count}", count);
      var list = results.querySelector(".results");
      list.textContent = "";
      items.slice(0, 20).forEach(function (item) {
        var li = document.createElement("li");
        if (item.booth) {
          var tag = document.createElement("a");
          tag.className = "booth-tag"; tag.href = "#booth-" + item.booth; tag.textContent = item.booth;
          tag.addEventListener("click", function (evt) {
            var booth = document.getElementById("booth-" + item.booth);
            if (booth) { evt.preventDefault(); booth.focus(); }
          });
          li.appendChild(tag); li.appendChild(document.createTextNode(" "));
        }
        var link = document.createElement("a"); link.href = item.url; link.textContent = item.title;
        li.appendChild(link);
        var sub = document.createElement("span"); sub.className = "muted"; sub.textContent = " — " + item.sub;
        li.appendChild(sub);
        list.appendChild(li);
      });
      results.hidden = items.length === 0;
    });
  }
  if (form && window.exhibitOffline) {
    form.addEventListener("submit", function (evt) {
      if (!window.exhibitOffline.saved && navigator.onLine) return;
      evt.preventDefault();
      var query = document.getElementById("map-q").value;
      history.replaceState(null, "", location.pathname + "?q=" + encodeURIComponent(query));
      searchSaved(query).catch(function () { form.submit(); });
    });
    var asked = new URLSearchParams(location.search).get("q");
    var input = document.getElementById("map-q");
    if (window.exhibitOffline.saved && asked && input.value !== asked) {
      input.value = asked;
      searchSaved(asked).catch(function () { /* no saved index */ });
    }
  }
  window.exhibitMap = { zoom: zoom, view: function () { return view.slice(); } };
})();

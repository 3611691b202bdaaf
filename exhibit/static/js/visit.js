// The visit plan lives in the browser (no account needed): this page reads it from
// localStorage into the URL, and keeps it in step when a stop is removed or printed.
(function () {
  "use strict";
  var STORE = "exhibit-visit:" + location.pathname.split("/")[1];
  function stored() {
    try {
      var items = JSON.parse(localStorage.getItem(STORE) || "[]");
      return Array.isArray(items) ? items.filter(function (i) { return i && typeof i.id === "number"; }) : [];
    } catch (e) { return []; }
  }
  // A shared list (its page, /SLUG/shared?f=…) is merged into this browser's own list.
  var shared = document.getElementById("shared-items");
  if (shared) {
    var mine = stored();
    var known = mine.map(function (i) { return i.id; });
    var added = 0;
    JSON.parse(shared.textContent).forEach(function (item) {
      if (known.indexOf(item.id) >= 0) return;
      mine.push({ id: item.id, title: item.title, booth: item.booth });
      known.push(item.id); added++;
    });
    localStorage.setItem(STORE, JSON.stringify(mine));
    var said = document.getElementById("shared-merged");
    said.textContent = said.getAttribute("data-text").replace("{added}", added).replace("{total}", mine.length);
  }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      field.select();
      var done = function () { button.textContent = button.getAttribute("data-copied"); };
      if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, function () {});
      else if (document.execCommand("copy")) done();
    });
  });
  var box = document.getElementById("visit-plan");
  if (!box) return;
  var items = stored();
  var params = new URLSearchParams(location.search);
  if (!params.get("solutions") && items.length) {
    params.set("solutions", items.map(function (i) { return i.id; }).join(","));
    location.replace(location.pathname + "?" + params.toString());
    return;
  }
  var shown = box.getAttribute("data-solutions");
  if (window.exhibitOffline && shown) {
    if (!window.exhibitOffline.saved) window.exhibitOffline.save(location.pathname + location.search);
    else if (params.get("solutions") && params.get("solutions") !== shown) {
      // A saved copy made for another plan: say so rather than show the wrong walk as this one.
      var other = document.getElementById("saved-other-plan");
      if (other) other.hidden = false;
    }
  }
  document.querySelectorAll("[data-remove]").forEach(function (link) {
    link.addEventListener("click", function () {
      var id = Number(link.getAttribute("data-remove"));
      localStorage.setItem(STORE, JSON.stringify(items.filter(function (i) { return i.id !== id; })));
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();

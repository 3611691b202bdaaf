// The visit plan lives in the browser (no account needed): this page reads it from
// localStorage into the URL, and keeps it in step when a stop is removed or printed.
(function () {
  "use strict";
  var box = document.getElementById("visit-plan");
  if (!box) return;
  var STORE = "exhibit-visit:" + location.pathname.split("/")[1];
  var items;
  try { items = JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (e) { items = []; }
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

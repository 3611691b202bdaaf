// The hall plan: show a booth's details on hover or keyboard focus (progressive: every
// booth is a link, so the plan works without this script).
(function () {
  "use strict";
  var panel = document.getElementById("booth-details");
  if (!panel) return;
  function show(booth) {
    var text = booth.getAttribute("data-label");
    panel.textContent = "";
    var p = document.createElement("p");
    p.className = "plan-details-text";
    p.textContent = text;
    var link = document.createElement("a");
    link.href = booth.getAttribute("href");
    link.textContent = panel.getAttribute("data-open") || "Открыть стенд " + booth.getAttribute("data-number");
    panel.appendChild(p);
    panel.appendChild(link);
  }
  document.querySelectorAll(".hall-plan .booth").forEach(function (booth) {
    booth.addEventListener("focus", function () { show(booth); });
    booth.addEventListener("mouseenter", function () { show(booth); });
  });
})();

// The socket's point on a booth's drawing: a click fills the order form's x and y (plan
// metres); the server checks that the point lies inside the booth.
(function () {
  "use strict";
  var svg = document.getElementById("socket-drawing");
  if (!svg) return;
  var x = document.getElementById("x"), y = document.getElementById("y");
  var mark = document.getElementById("socket-new");
  svg.addEventListener("click", function (event) {
    var p = svg.createSVGPoint();
    p.x = event.clientX;
    p.y = event.clientY;
    var at = p.matrixTransform(svg.getScreenCTM().inverse());
    var minx = parseFloat(svg.dataset.minx), maxy = parseFloat(svg.dataset.maxy);
    x.value = (at.x + minx).toFixed(2);
    y.value = (maxy - at.y).toFixed(2);
    mark.setAttribute("cx", at.x);
    mark.setAttribute("cy", at.y);
    mark.setAttribute("visibility", "visible");
  });
})();

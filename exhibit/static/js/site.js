// Site-wide progressive behaviour (every page works without it):
// - the account menu (<details>) closes on Escape or a click elsewhere;
// - a form marked data-busy shows that long work is under way: its button is disabled,
//   says so (data-busy text) and the form is aria-busy, until the answer arrives;
// - a form marked data-download fetches its file in the background, so the page keeps
//   its busy state until the file is there (and goes to the error page if it fails);
// - a form marked data-confirm asks that question before it is sent;
// - pointing at (or tabbing to) a finding of a plan check (data-issue) highlights every
//   booth it names and its place on the plan together (data-issues).
(function () {
  "use strict";

  function focusIssue(evt) {
    var item = evt.target.closest && evt.target.closest("[data-issue]");
    if (!item) return;
    var on = evt.type === "mouseover" || evt.type === "focusin";
    var key = item.getAttribute("data-issue");
    document.querySelectorAll("[data-issues]").forEach(function (el) {
      var mine = (" " + el.getAttribute("data-issues") + " ").indexOf(" " + key + " ") >= 0;
      el.classList.toggle("issue-focus", on && mine);
    });
  }
  ["mouseover", "mouseout", "focusin", "focusout"].forEach(function (type) {
    document.addEventListener(type, focusIssue);
  });

  document.addEventListener("submit", function (evt) {
    var question = evt.target.getAttribute && evt.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) evt.preventDefault();
  }, true);

  document.addEventListener("click", function (evt) {
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      if (!menu.contains(evt.target)) menu.open = false;
    });
  });
  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape") return;
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });

  function setBusy(form, busy) {
    var button = form.querySelector("button[type=submit], button:not([type])");
    form.setAttribute("aria-busy", busy ? "true" : "false");
    var status = form.querySelector(".busy-status");
    if (!status) {
      status = document.createElement("p");
      status.className = "busy-status";
      status.setAttribute("role", "status");
      form.appendChild(status);
    }
    status.textContent = busy ? form.getAttribute("data-busy") : "";
    if (!button) return;
    if (busy) {
      if (!button.hasAttribute("data-label")) button.setAttribute("data-label", button.textContent);
      button.textContent = form.getAttribute("data-busy");
      button.disabled = true;
      button.classList.add("is-busy");
    } else if (button.hasAttribute("data-label")) {
      button.textContent = button.getAttribute("data-label");
      button.disabled = false;
      button.classList.remove("is-busy");
    }
  }

  function filename(response, fallback) {
    var header = response.headers.get("Content-Disposition") || "";
    var star = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (star) return decodeURIComponent(star[1]);
    var plain = /filename="?([^";]+)"?/i.exec(header);
    return plain ? plain[1] : fallback;
  }

  function download(form) {
    var url = form.action + "?" + new URLSearchParams(new FormData(form)).toString();
    setBusy(form, true);
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { location.href = url; return null; }
      var name = filename(response, "download.pdf");
      return response.blob().then(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = name;
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      });
    }).catch(function () { location.href = url; }).then(function () { setBusy(form, false); });
  }

  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function (evt) {
      if (form.getAttribute("aria-busy") === "true") { evt.preventDefault(); return; }
      if (form.hasAttribute("data-download") && window.fetch && window.URLSearchParams) {
        evt.preventDefault();
        download(form);
        return;
      }
      // Disable after the browser has taken the submission (a disabled button sends nothing).
      setTimeout(function () { setBusy(form, true); }, 0);
    });
  });
  // Back from the next page (the page may come from the back-forward cache): ready again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-busy][aria-busy=true]").forEach(function (form) {
      setBusy(form, false);
    });
  });
})();
// On a phone the search filters start folded (a filter in use stays open), so the results
// are not pushed below a long list of regions.
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(max-width: 50rem)").matches) return;
  document.querySelectorAll("details.facet:not(.facet-chosen)").forEach(function (facet) {
    facet.open = false;
  });
})();
// «В план визита» on a solution's page: the same plan (localStorage) as the hall map keeps.
(function () {
  "use strict";
  var STORE = "exhibit-visit:" + location.pathname.split("/")[1];
  function plan() {
    try { return JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (e) { return []; }
  }
  document.querySelectorAll("[data-visit-add]").forEach(function (button) {
    var id = Number(button.getAttribute("data-visit-add"));
    var label = button.textContent;
    function render() {
      var inPlan = plan().some(function (i) { return i.id === id; });
      button.setAttribute("aria-pressed", inPlan ? "true" : "false");
      button.textContent = inPlan ? button.getAttribute("data-added") : label;
    }
    button.addEventListener("click", function () {
      var items = plan().filter(function (i) { return i.id !== id; });
      if (button.getAttribute("aria-pressed") !== "true") {
        items.push({ id: id, title: button.getAttribute("data-title"), booth: button.getAttribute("data-booth") });
      }
      localStorage.setItem(STORE, JSON.stringify(items));
      render();
      if (window.exhibitOffline && items.length) {  // keep the plan's route for no network
        window.exhibitOffline.save("/" + location.pathname.split("/")[1] + "/visit?solutions=" +
          items.map(function (i) { return i.id; }).join(","));
      }
    });
    button.hidden = false;
    render();
  });
})();

// Suggestions as you type in the search box: the ARIA 1.2 combobox pattern with a listbox.
// - the input is role=combobox, aria-autocomplete=list, aria-expanded, aria-controls;
// - ↓/↑ move through the suggestions (aria-activedescendant; focus stays in the input),
//   Enter opens the one chosen (or searches, when none is), Escape closes the list
//   (a second Escape clears the box), Tab leaves it closed;
// - a polite status line says how many suggestions there are;
// - a click or a tap on a suggestion opens it.
// Without JavaScript the box is a plain search field and the form works as before.
(function () {
  "use strict";

  var box = document.querySelector(".combobox[data-suggest]");
  if (!box) return;
  var input = box.querySelector("input");
  var list = box.querySelector("[role=listbox]");
  var status = box.querySelector("[aria-live]");
  var endpoint = box.getAttribute("data-suggest");
  var items = [];
  var active = -1;
  var timer = null;
  var asked = "";
  var controller = null;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  function announce(count) {
    var text = count
      ? box.getAttribute("data-count-template").replace("{n}", String(count))
      : box.getAttribute("data-none");
    status.textContent = text;
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function choose(index) {
    var options = list.querySelectorAll("[role=option]");
    options.forEach(function (option, k) {
      option.setAttribute("aria-selected", k === index ? "true" : "false");
    });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(found) {
    items = found;
    list.textContent = "";
    found.forEach(function (item, k) {
      var option = document.createElement("li");
      option.id = list.id + "-" + k;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.className = "suggestion suggestion-" + item.type;
      var kind = document.createElement("span");
      kind.className = "suggestion-kind";
      kind.textContent = item.type_label;
      var label = document.createElement("span");
      label.className = "suggestion-label";
      label.textContent = item.label;
      option.appendChild(kind);
      option.appendChild(document.createTextNode(" "));
      option.appendChild(label);
      if (item.detail) {
        var detail = document.createElement("span");
        detail.className = "suggestion-detail";
        detail.textContent = item.detail;
        option.appendChild(document.createTextNode(" "));
        option.appendChild(detail);
      }
      option.addEventListener("mousedown", function (evt) {
        evt.preventDefault(); // keep the focus in the input
      });
      option.addEventListener("click", function () {
        window.location.assign(item.url);
      });
      list.appendChild(option);
    });
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (found.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    } else {
      close();
    }
    announce(found.length);
  }

  function ask() {
    var q = input.value.trim();
    if (q === asked) return;
    asked = q;
    if (q.length < 2) {
      show([]);
      status.textContent = "";
      return;
    }
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    fetch(endpoint + "?q=" + encodeURIComponent(q), {
      headers: { Accept: "application/json" },
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        return response.ok ? response.json() : { suggestions: [] };
      })
      .then(function (data) {
        if (input.value.trim() === q) show(data.suggestions || []);
      })
      .catch(function () {
        /* a lost request leaves the box as it was */
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 120);
  });

  input.addEventListener("keydown", function (evt) {
    var open = !list.hidden && items.length > 0;
    if (evt.key === "ArrowDown") {
      evt.preventDefault();
      if (!open) {
        if (items.length) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
          choose(0);
        } else {
          asked = "";
          ask();
        }
        return;
      }
      choose(active + 1 >= items.length ? 0 : active + 1);
    } else if (evt.key === "ArrowUp") {
      if (!open) return;
      evt.preventDefault();
      choose(active <= 0 ? items.length - 1 : active - 1);
    } else if (evt.key === "Enter") {
      if (open && active >= 0) {
        evt.preventDefault();
        window.location.assign(items[active].url);
      }
    } else if (evt.key === "Escape") {
      if (open) {
        evt.preventDefault();
        close();
      } else if (input.value) {
        evt.preventDefault();
        input.value = "";
        asked = "";
        status.textContent = "";
      }
    } else if (evt.key === "Tab") {
      close();
    }
  });

  input.addEventListener("blur", function () {
    window.setTimeout(close, 150);
  });
})();

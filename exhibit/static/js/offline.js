// Offline visits (issue 19), the page's side: registers the service worker (/sw.js), asks it
// to save the exhibition on each visit online and when the network returns, says when a
// page shows saved data (and from when), and searches the saved index with no network.
(function () {
  "use strict";
  var root = document.documentElement;
  var named = document.querySelector('meta[name="exhibit-exhibition"]');
  var slug = named && named.getAttribute("content");
  var lang = root.getAttribute("lang") || "ru";
  var saved = root.getAttribute("data-saved-at");
  var note = document.getElementById("saved-note");
  if (saved !== null && note) {
    var when = new Date(saved);
    var text = isNaN(when) ? "" : when.toLocaleString(lang, {
      day: "numeric", month: "long", hour: "2-digit", minute: "2-digit"
    });
    note.textContent = note.getAttribute("data-text").replace("{when}", text);
    note.hidden = false;
  }

  function words(text) {
    // As the server's tokenise(): lower case, accents off (ё → е, й stays), letters and digits.
    return String(text).toLowerCase().normalize("NFD")
      .replace(/[\u0300-\u036f]/g, function (mark, at, all) {
        return mark === "\u0306" && all[at - 1] === "и" ? mark : "";
      }).normalize("NFC").split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }
  var index = null;
  function loadIndex() {
    if (!index) {
      index = fetch("/" + slug + "/offline/index.json").then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (data) {
        data.items.forEach(function (item) { item.words = item.w.split(" "); });
        return data.items;
      });
      index.catch(function () { index = null; });
    }
    return index;
  }
  // Every query word must start a word of the entry (a long word loses its ending, so that
  // «транспорта» finds «транспортный»); a booth number matches the booth. Titles rank first.
  function search(query) {
    var asked = words(query).map(function (w) {
      return w.length > 5 ? w.slice(0, Math.max(5, w.length - 2)) : w;
    });
    return loadIndex().then(function (items) {
      if (!asked.length) return [];
      var found = [];
      items.forEach(function (item) {
        var score = 0;
        var title = words(item.title);
        for (var i = 0; i < asked.length; i++) {
          var w = asked[i];
          var hit = item.booth && item.booth.toLowerCase() === w ? 3
            : title.some(function (t) { return t.indexOf(w) === 0; }) ? 2
            : item.words.some(function (t) { return t.indexOf(w) === 0; }) ? 1 : 0;
          if (!hit) return;
          score += hit;
        }
        found.push({ item: item, score: score + (item.k === "s" ? 0.5 : 0) });
      });
      found.sort(function (a, b) { return b.score - a.score || a.item.title.localeCompare(b.item.title, "ru"); });
      return found.map(function (f) { return f.item; });
    });
  }

  window.exhibitOffline = {
    saved: saved !== null,
    search: search,
    save: function (url) {
      if (!("serviceWorker" in navigator) || !navigator.onLine) return;
      navigator.serviceWorker.ready.then(function (reg) {
        if (reg.active) reg.active.postMessage({ type: "save", slug: slug, url: url, lang: lang });
      });
    }
  };

  if (!slug || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js").catch(function () { /* no offline copy */ });
  function ask() {
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) reg.active.postMessage({ type: "sync", slug: slug, lang: lang });
    });
  }
  navigator.serviceWorker.addEventListener("message", function (evt) {
    var data = evt.data || {};
    if (data.slug !== slug) return;
    root.setAttribute("data-offline-state", data.type);
    // A page showing saved data is fetched again once the network is back.
    if (data.type === "synced" && saved !== null && navigator.onLine) location.reload();
    // "Online" may come before the network works (hall Wi-Fi): try again, waiting longer
    // each time; a page showing saved data keeps trying, another gives up after a few.
    if (data.type === "sync-failed" && navigator.onLine && (saved !== null || tries < 4)) {
      setTimeout(ask, Math.min(60000, 1000 * Math.pow(2, tries++)));
    }
  });
  var tries = 0;
  if (navigator.onLine) ask();
  window.addEventListener("online", function () { tries = 0; ask(); });
})();

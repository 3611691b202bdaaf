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
        data.items.forEach(function (item) {
          item.words = item.w.split(" ");
          item.terms = item.t ? item.t.split(" ") : [];
        });
        return data.items;
      });
      index.catch(function () { index = null; });
    }
    return index;
  }
  // The other keyboard layout (PC ЙЦУКЕН ↔ QWERTY), as the server's fix_layout(): each chunk
  // turned the way most of its letters point; null when nothing could have been mistyped.
  var QWERTY = "`qwertyuiop[]asdfghjkl;'zxcvbnm,.~QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>";
  var JCUKEN = "ёйцукенгшщзхъфывапролджэячсмитьбюЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ";
  function otherLayout(text) {
    var changed = false;
    var out = String(text).split(/(\s+)/).map(function (chunk) {
      var latin = 0, cyrillic = 0;
      for (var i = 0; i < chunk.length; i++) {
        if (/[a-z]/i.test(chunk[i])) latin++;
        else if (JCUKEN.indexOf(chunk[i]) >= 0) cyrillic++;
      }
      var from = latin > cyrillic ? QWERTY : cyrillic ? JCUKEN : null;
      if (!from) return chunk;
      var to = from === QWERTY ? JCUKEN : QWERTY;
      changed = true;
      return chunk.split("").map(function (ch) {
        var at = from.indexOf(ch);
        return at >= 0 ? to[at] : ch;
      }).join("");
    }).join("");
    return changed ? out : null;
  }
  // Whether a and b differ by at most one edit (a letter changed, added, dropped, or two
  // neighbours swapped).
  function oneEdit(a, b) {
    if (a === b) return true;
    if (Math.abs(a.length - b.length) > 1) return false;
    var i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    if (a.length === b.length) {
      return a.slice(i + 1) === b.slice(i + 1) ||
        (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
    }
    return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }
  // A word of the entry the query word w (already cut) starts, give or take one edit.
  function nearPrefix(w, t) {
    for (var n = w.length - 1; n <= w.length + 1; n++) {
      if (n <= t.length && oneEdit(w, t.slice(0, n))) return true;
    }
    return false;
  }
  // How well the entry answers one query word: its booth (3), a word of its title (2) or of
  // its other words (1) starting with it; a thesaurus term for its words (0.8: the query
  // word starts the term's stem, or the stem starts the query word); give or take one letter
  // in a word of five or more (half of what the exact match is worth).
  function hit(item, title, w) {
    if (item.booth && item.booth.toLowerCase() === w) return 3;
    function starts(t) { return t.indexOf(w) === 0; }
    if (title.some(starts)) return 2;
    if (item.words.some(starts)) return 1;
    if (item.terms.some(function (s) {
      return s.indexOf(w) === 0 || (s.length >= 4 && w.indexOf(s) === 0);
    })) return 0.8;
    if (w.length < 5) return 0;
    function near(t) { return nearPrefix(w, t); }
    return title.some(near) ? 1 : item.words.some(near) ? 0.5 : 0;
  }
  // Every query word must be answered (a long word loses its ending, so that «транспорта»
  // finds «транспортный»); titles rank first. A query that finds nothing is read again in
  // the other keyboard layout («ntkt» → «теле»).
  function cut(query) {
    return words(query).map(function (w) {
      return w.length > 5 ? w.slice(0, Math.max(5, w.length - 2)) : w;
    });
  }
  function find(items, asked) {
    var found = [];
    items.forEach(function (item) {
      var score = 0;
      var title = item.titleWords || (item.titleWords = words(item.title));
      for (var i = 0; i < asked.length; i++) {
        var got = hit(item, title, asked[i]);
        if (!got) return;
        score += got;
      }
      found.push({ item: item, score: score + (item.k === "s" ? 0.5 : 0) });
    });
    found.sort(function (a, b) { return b.score - a.score || a.item.title.localeCompare(b.item.title, "ru"); });
    return found.map(function (f) { return f.item; });
  }
  function search(query) {
    var asked = cut(query);
    return loadIndex().then(function (items) {
      if (!asked.length) return [];
      var found = find(items, asked);
      var other = found.length ? [] : cut(otherLayout(query) || "");
      return other.length ? find(items, other) : found;
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

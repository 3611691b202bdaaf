// exhibit's service worker (issue 19): the exhibition keeps working in a hall without Wi-Fi.
//
// - Pages a visitor opens go to the network first; only when it fails (or takes longer than
//   NETWORK_WAIT) is a saved copy shown, marked with the time it was saved (data-saved-at on
//   <html>; offline.js says so on the page). What a visitor opens is never stored: it may be
//   a signed-in page.
// - What is saved, the worker fetches itself without cookies (credentials "omit"), so it is
//   what every anonymous visitor sees: the list comes from /SLUG/offline.json (map, visit
//   page, catalogue, every exhibitor and solution page, the search index) with the data
//   version; a page asks for a sync on each visit online and when the network returns, and
//   only a new version fetches the list again.
// - A visit plan's page (its route) is saved when the page or the map asks (message "save").
// - Static files: network first, the saved copy when offline.
"use strict";

var SHELL = "exhibit-shell-v1";
var DATA = "exhibit-data:";
var META = "/__exhibit__/meta";
var LATEST_VISIT = "visit?saved=latest";
var NETWORK_WAIT = 8000;
var PARALLEL = 4;
var STATIC = ["/static/css/site.css", "/static/js/site.js", "/static/js/offline.js",
              "/static/js/hallmap.js", "/static/js/visit.js", "/static/js/suggest.js",
              "/static/img/icon.svg"];
// The pages a saved copy may answer for: /SLUG/, map, visit, search, the catalogue.
var SAVED_PAGES = /^\/([^/]+)\/(|map|visit|search|offline|exhibitors\/(\d+)?|solutions\/(\d+)?)$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll(STATIC).catch(function () { /* saved on the next visit */ });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("exhibit-shell-") === 0 && name !== SHELL;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
    promise.then(function (r) { clearTimeout(timer); resolve(r); },
                 function (e) { clearTimeout(timer); reject(e); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(SHELL).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname, { cacheName: SHELL }).then(function (hit) {
        return hit || Response.error();
      });
    }));
    return;
  }
  var match = SAVED_PAGES.exec(url.pathname);
  if (request.mode === "navigate" && match) {
    event.respondWith(withTimeout(fetch(request), NETWORK_WAIT).catch(function () {
      return savedPage(url, match[1], match[2]);
    }));
    return;
  }
  var index = /^\/([^/]+)\/offline\/index\.json$/.exec(url.pathname);
  if (index) {
    event.respondWith(fetch(request).catch(function () {
      return caches.open(DATA + index[1]).then(function (cache) { return cache.match(url.pathname); })
        .then(function (hit) { return hit || Response.error(); });
    }));
  }
});

function savedPage(url, slug, rest) {
  if (rest === "search") {  // no search page offline: the map searches the saved index
    var q = url.searchParams.get("q") || "";
    return Response.redirect("/" + slug + "/map" + (q ? "?q=" + encodeURIComponent(q) : ""), 302);
  }
  return caches.open(DATA + slug).then(function (cache) {
    var base = "/" + slug + "/";
    var tries = [url.pathname + url.search];
    if (rest === "map") tries.push(url.pathname + (url.searchParams.get("hall") ? "?hall=" + encodeURIComponent(url.searchParams.get("hall")) : ""), url.pathname);
    if (rest === "visit" && url.searchParams.get("solutions")) tries.push(base + LATEST_VISIT);
    tries.push(url.pathname, base + "offline");
    return tries.reduce(function (found, key) {
      return found.then(function (hit) { return hit || cache.match(key); });
    }, Promise.resolve(null));
  }).then(function (hit) {
    if (!hit) return new Response("", { status: 503, statusText: "Offline" });
    var when = hit.headers.get("X-Exhibit-Saved") || "";
    return hit.text().then(function (html) {
      return new Response(html.replace("<html ", '<html data-saved-at="' + when + '" '), {
        status: 200, headers: { "Content-Type": "text/html; charset=utf-8" }
      });
    });
  });
}

// Fetches one page without cookies and keeps it under its own address.
function store(cache, address, lang, when, key) {
  var sep = address.indexOf("?") >= 0 ? "&" : "?";
  return fetch(address + (lang ? sep + "lang=" + encodeURIComponent(lang) : ""),
               { credentials: "omit", cache: "no-store", redirect: "error" })
    .then(function (response) {
      if (!response.ok) return false;
      return response.blob().then(function (body) {
        var headers = new Headers(response.headers);
        headers.set("X-Exhibit-Saved", when);
        return cache.put(key || address, new Response(body, { status: 200, headers: headers }))
          .then(function () { return true; });
      });
    });
}

var syncing = {};
function sync(slug, lang) {
  if (!syncing[slug]) {
    syncing[slug] = fetchBundle(slug, lang).then(function (result) {
      delete syncing[slug]; return result;
    }, function (error) { delete syncing[slug]; throw error; });
  }
  return syncing[slug];
}

function fetchBundle(slug, lang) {
  var query = lang ? "?lang=" + encodeURIComponent(lang) : "";
  var cache, bundle;
  return Promise.all([
    fetch("/" + slug + "/offline.json" + query, { credentials: "omit", cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error("bundle " + r.status); return r.json(); }),
    caches.open(DATA + slug)
  ]).then(function (both) {
    bundle = both[0]; cache = both[1];
    return cache.match(META).then(function (r) { return r ? r.json() : null; });
  }).then(function (meta) {
    if (meta && meta.version === bundle.version) return { fresh: false, meta: meta };
    var when = new Date().toISOString();
    var addresses = bundle.pages.concat([bundle.index]);
    var next = 0, failed = 0;
    function worker() {
      if (next >= addresses.length) return Promise.resolve();
      var address = addresses[next++];
      return store(cache, address, lang, when).then(function (ok) { if (!ok) failed++; },
                                                     function () { failed++; }).then(worker);
    }
    var workers = [];
    for (var i = 0; i < PARALLEL; i++) workers.push(worker());
    return Promise.all(workers).then(function () {
      if (failed) throw new Error(failed + " pages not saved");  // try again next time
      // Forget pages the data no longer has (a withdrawn exhibitor); keep saved visit plans.
      var keep = {};
      addresses.forEach(function (a) { keep[new URL(a, self.location.origin).href] = true; });
      return cache.keys().then(function (requests) {
        return Promise.all(requests.filter(function (r) {
          var u = new URL(r.url);
          return !keep[r.url] && u.pathname !== "/" + slug + "/visit" && u.pathname !== META;
        }).map(function (r) { return cache.delete(r); }));
      });
    }).then(function () {
      var meta = { version: bundle.version, lang: bundle.lang, saved_at: when };
      return cache.put(META, new Response(JSON.stringify(meta))).then(function () {
        return { fresh: true, meta: meta };
      });
    });
  });
}

function tell(message) {
  return self.clients.matchAll({ type: "window" }).then(function (clients) {
    clients.forEach(function (client) { client.postMessage(message); });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var slug = String(data.slug || "");
  if (!/^[\w-]+$/.test(slug)) return;
  if (data.type === "sync") {
    event.waitUntil(sync(slug, data.lang).then(function (result) {
      return tell({ type: "synced", slug: slug, fresh: result.fresh, saved_at: result.meta.saved_at });
    }, function (error) {
      return tell({ type: "sync-failed", slug: slug, error: String(error) });
    }));
  } else if (data.type === "save") {
    // A visit plan's page: only /SLUG/visit?solutions=…, fetched without cookies.
    var url = new URL(String(data.url || ""), self.location.origin);
    if (url.origin !== self.location.origin || url.pathname !== "/" + slug + "/visit") return;
    var address = url.pathname + url.search;
    var when = new Date().toISOString();
    event.waitUntil(caches.open(DATA + slug).then(function (cache) {
      return store(cache, address, data.lang, when).then(function (ok) {
        return ok && store(cache, address, data.lang, when, "/" + slug + "/" + LATEST_VISIT);
      });
    }).then(function () { return tell({ type: "saved", slug: slug, url: address }); },
            function () { /* no network: nothing to save */ }));
  }
});

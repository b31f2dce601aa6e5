// backsafe service worker: keeps the in-browser pose model (the large, versioned files under
// /static/vendor/mediapipe-tasks-vision/: runtime, WebAssembly, model bundles) on the phone after the first visit,
// so live coaching starts fast and works on a weak gym connection. Pages, reports and the API are never cached here (they are personal and always fresh).
"use strict";
var CACHE = "backsafe-pose-tasks-vision-0.10.21";
var PREFIX = "/static/vendor/mediapipe-tasks-vision/";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("backsafe-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("fetch", function (e) {
  var url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== location.origin || url.pathname.indexOf(PREFIX) !== 0) { return; }
  e.respondWith(caches.open(CACHE).then(function (cache) {
    return cache.match(e.request).then(function (hit) {
      return hit || fetch(e.request).then(function (res) {
        if (res.ok) { cache.put(e.request, res.clone()); }
        return res;
      });
    });
  }));
});

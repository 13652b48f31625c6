// Puente's service worker: precaches the app shell so the app starts with no network.
// It never caches API traffic: case data lives encrypted in IndexedDB, not in caches.
const VERSION = "{{VERSION}}";
const CACHE = `puente-shell-${VERSION}`;
const ASSETS = {{ASSETS}};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("puente-shell-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  if (request.mode === "navigate") {
    // Fresh when the server answers; the cached shell when it does not.
    event.respondWith(
      fetch(request).catch(() => caches.match("/", { cacheName: CACHE })),
    );
    return;
  }
  event.respondWith(
    caches.match(request, { cacheName: CACHE }).then((cached) => cached || fetch(request)),
  );
});

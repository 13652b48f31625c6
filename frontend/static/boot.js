// Starts the app, and registers the service worker that keeps it usable offline.
import init, { mount } from "/{{JS}}";

await init({ module_or_path: "/{{WASM}}" });
mount();

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((error) => {
    console.warn("service worker registration failed", error);
  });
}

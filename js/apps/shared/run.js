// What every browser app does with the EventSource it was given: one
// connection to the Go test server's echo scenario, with a request header
// that only the polyfill can send (native EventSource takes no headers), and
// the outcome left in window.appResult for e2e/apps_test.go. The page's query
// gives the scenario key, and optionally wasm, a URL to set as wasmURL first.

export function run(EventSourceClass, app, setWasmURL = (url) => (EventSourceClass.wasmURL = url)) {
  const q = new URLSearchParams(location.search);
  if (q.has("wasm")) setWasmURL(q.get("wasm"));
  const events = [];
  const es = new EventSourceClass(`/sse/echo?h=X-App&key=${encodeURIComponent(q.get("key") || "")}`, {
    headers: { "X-App": app },
  });
  const finish = () => {
    es.close();
    window.appResult = {
      app,
      events,
      // Where the engine came from, as the browser fetched it.
      wasm: performance
        .getEntriesByType("resource")
        .map((r) => r.name)
        .filter((name) => /\.wasm(\?|$)/.test(name)),
      // What the global names are after the app's imports.
      globals: {
        EventSource: !globalThis.EventSourcePolyfill
          ? "no EventSourcePolyfill"
          : globalThis.EventSource === globalThis.EventSourcePolyfill
            ? "polyfill"
            : globalThis.EventSource === globalThis.NativeEventSource
              ? "native"
              : "other",
        NativeEventSource: typeof globalThis.NativeEventSource,
      },
    };
  };
  es.onopen = () => events.push("open");
  es.onmessage = (e) => {
    events.push("message " + e.data);
    finish();
  };
  es.onerror = () => {
    events.push("error " + es.readyState);
    if (es.readyState === es.CLOSED) finish();
  };
}

// installGlobals defines the globals of the classic script and of the
// package's "global" entries (SSE-1): EventSource where the environment has
// none (or, with replace, in place of the native one), EventSourcePolyfill
// always, and the environment's own as NativeEventSource. Each is a
// writable, configurable, non-enumerable global like the native one.

export function installGlobals(EventSource, replace) {
  const g = globalThis;
  const define = (name, value) => {
    try {
      Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
    } catch (_) {
      g[name] = value; // a non-configurable `var` of the page
    }
  };
  const existing = g.EventSource;
  const earlier = g.EventSourcePolyfill; // a copy of the polyfill loaded before
  const native = typeof existing === "function" && existing !== earlier && existing !== EventSource ? existing : null;
  if (native) define("NativeEventSource", native);
  if (typeof existing !== "function" || (replace && native)) define("EventSource", EventSource);
  define("EventSourcePolyfill", EventSource);
}

import http from "node:http";
import test from "node:test";
import { readFileSync } from "node:fs";
// The build under test: dist/ at the repository root (make build).
export const DIST = new URL("../../dist", import.meta.url).pathname;
export const routes = new Map();
export const log = [];
export const server = http.createServer((req, res) => {
  const u = new URL(req.url, "http://x");
  log.push({ path: u.pathname, method: req.method, headers: req.headers });
  if (u.pathname === "/eventsource.wasm") {
    res.writeHead(200, { "content-type": u.searchParams.get("ct") || "application/wasm" });
    res.end(readFileSync(DIST + "/eventsource.wasm"));
    return;
  }
  const h = routes.get(u.pathname);
  if (!h) { res.writeHead(404); res.end(); return; }
  h(req, res, u);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
export const base = `http://127.0.0.1:${server.address().port}`;
export const sse = (res, extra = {}) => res.writeHead(200, { "content-type": "text/event-stream", ...extra });
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export function until(fn, ms = 3000) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => { let v; try { v = fn(); } catch (e) { return reject(e); } if (v) return resolve(v); if (Date.now() - t0 > ms) return reject(new Error("timeout waiting for " + fn)); setTimeout(tick, 5); };
    tick();
  });
}
// Records every event of an EventSource with its readyState.
export function record(es, types = ["open", "message", "error"]) {
  const ev = [];
  for (const t of types) es.addEventListener(t, (e) => ev.push({ type: e.type, state: es.readyState, data: e.data, id: e.lastEventId, origin: e.origin, cls: e.constructor.name }));
  return ev;
}

// captureErrors collects what console.error prints, for tests of the
// console messages, and after the file's tests restores it and closes the
// server.
export function captureErrors() {
  const errors = [];
  const orig = console.error;
  console.error = (...a) => { errors.push(a.map(String).join(" ")); };
  test.after(() => { server.close(); server.closeAllConnections(); console.error = orig; });
  return errors;
}

// Node: the package's main entry with no setup at all (the engine is read
// from node_modules/eventsource-wasm/eventsource.wasm through the file
// system). Against the Go test server at ORIGIN, with scenario keys from
// PREFIX:
//
//   node js/apps/node/main.mjs ORIGIN PREFIX
//
// prints one JSON object: what a GET with a header, a POST with a body and a
// reconnection received; exits 1 with the events so far if one fails.
import { EventSource } from "eventsource-wasm";

const [origin, prefix] = process.argv.slice(2);

// collect opens a source and resolves to its events once `done` says so, or
// rejects on a CLOSED error or after 10 s.
function collect(url, init, done) {
  return new Promise((resolve, reject) => {
    const events = [];
    const es = new EventSource(url, init);
    const timer = setTimeout(() => stop(reject, new Error("timed out")), 10000);
    const stop = (settle, value) => {
      clearTimeout(timer);
      es.close();
      settle(value);
    };
    es.onopen = () => events.push({ type: "open" });
    es.onmessage = (e) => {
      events.push({ type: "message", data: JSON.parse(e.data), lastEventId: e.lastEventId });
      if (done(events)) stop(resolve, events);
    };
    es.onerror = () => {
      events.push({ type: "error", readyState: es.readyState });
      if (done(events)) stop(resolve, events);
      else if (es.readyState === EventSource.CLOSED) stop(reject, Object.assign(new Error("closed"), { events }));
    };
  });
}

const messages = (n) => (events) => events.filter((e) => e.type === "message").length >= n;
const result = { wasmURL: EventSource.wasmURL };
try {
  result.get = await collect(`${origin}/sse/echo?h=X-App&key=${prefix}-get`, { headers: { "X-App": "node" } }, messages(1));
  // POST is not repeated: the end of its body closes the source.
  result.post = await collect(
    `${origin}/sse/echo?key=${prefix}-post`,
    { method: "POST", body: "hello from node", headers: { "Content-Type": "text/plain" } },
    (events) => events.some((e) => e.type === "error"),
  );
  // The first response ends after an event with id 7; the reconnection
  // (after retry: 50 ms) must send Last-Event-ID: 7.
  result.reconnect = await collect(`${origin}/sse/echo?id.1=7&retry=50&key=${prefix}-reconnect`, {}, messages(2));
  console.log(JSON.stringify(result));
} catch (err) {
  console.log(JSON.stringify({ ...result, failed: String(err), events: err.events }));
  process.exitCode = 1;
}

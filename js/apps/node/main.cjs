// Node: require() of the package. It ships ES modules only; Node 20.19+ and
// 22.12+ load them with require() (synchronous, as the package has no
// top-level await). Prints the first message of ORIGIN's echo scenario.
//
//   node js/apps/node/main.cjs ORIGIN KEY
const { EventSource } = require("eventsource-wasm");

const [origin, key] = process.argv.slice(2);
const es = new EventSource(`${origin}/sse/echo?h=X-App&key=${key}`, { headers: { "X-App": "node-require" } });
const timer = setTimeout(() => {
  es.close();
  console.log(JSON.stringify({ failed: "timed out" }));
  process.exitCode = 1;
}, 10000);
es.onmessage = (e) => {
  clearTimeout(timer);
  es.close();
  console.log(JSON.stringify({ wasmURL: EventSource.wasmURL, data: JSON.parse(e.data) }));
};
es.onerror = () => {
  if (es.readyState !== EventSource.CLOSED) return;
  clearTimeout(timer);
  console.log(JSON.stringify({ failed: "closed" }));
  process.exitCode = 1;
};

// The global-replace entry: the global EventSource is the polyfill, so the
// standard constructor takes the extensions' options.
import "eventsource-wasm/global-replace";

const replaced = new EventSource("/stream", { headers: { Authorization: "Bearer token" }, method: "POST", body: "x" });
replaced.onmessage = (e) => e.data;

export { replaced };

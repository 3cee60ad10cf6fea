// The engine: fetched and compiled on the first connection, once per global
// scope, and shared by every EventSource. A failed load is forgotten so that a
// later EventSource tries again (for example after EventSourcePolyfill.wasmURL
// was corrected); so is an engine whose Go program exited, whose connections
// are told so that they reconnect on a fresh one.

import { feeder } from "./codec.js";
import { glue } from "./glue.js";
import { realGlobal } from "./realm.js";

// The calls of the bridge (wasm/exports.go).
const CALLS = ["open", "connect", "response", "feed", "end", "reset", "close"];

export const config = {
  // The URL of eventsource.wasm; the entry files set the default.
  wasmURL: "eventsource.wasm",
  // The default when it was guessed from the script's URL because the ES
  // module had no import.meta.url (an IIFE bundle); "" otherwise.
  guessedURL: "",
  // How long loading may take, from the request to a running engine: a wasm
  // server that never answers must not leave every EventSource CONNECTING.
  loadTimeout: 30000,
};

let current = null; // the promise of the engine in use or loading
let currentEngine = null; // what current resolved to

// Engine is one running Go instance: host has the bridge's calls; alive
// turns false when the program exits, and lost then tells every
// connection that registered.
class Engine {
  host;
  alive = true;
  lost = new Set();
  output = []; // the program's last lines of output
  memory = null; // a WeakRef to the instance's memory, for leak tests

  constructor(host) {
    this.host = host;
  }

  died(err) {
    if (!this.alive) return;
    this.alive = false;
    this.host = null; // release the dead instance's memory with the last reference
    const lines = this.output;
    const first = lines.find((l) => /^(fatal error|panic|runtime:)/.test(l)) || lines[0] || String(err || "exited");
    console.error(
      `EventSource: the WebAssembly engine stopped (${first}); ` +
        `its ${this.lost.size} connection(s) reconnect on a fresh engine.`,
    );
    if (lines.length > 1) console.debug(lines.join("\n"));
    const lost = [...this.lost];
    this.lost.clear();
    for (const notify of lost) notify();
  }
}

export function loadEngine() {
  if (currentEngine !== null && !currentEngine.alive) current = currentEngine = null;
  if (current === null) {
    const loading = start(config.wasmURL, config.loadTimeout);
    current = loading;
    loading.then(
      (engine) => {
        if (current === loading) currentEngine = engine;
      },
      () => {
        if (current === loading) current = null;
      },
    );
  }
  return current;
}

async function start(url, timeout) {
  const ctrl = new AbortController();
  let timer = 0;
  const timedOut = new Promise((_, reject) => {
    timer = realGlobal.setTimeout(() => {
      ctrl.abort();
      reject(new Error(`it did not load within ${timeout} ms`));
    }, timeout);
  });
  try {
    return await Promise.race([instantiate(url, ctrl.signal), timedOut]);
  } finally {
    realGlobal.clearTimeout(timer);
  }
}

async function instantiate(url, signal) {
  const local = glue();
  const go = new local.Go();
  const imports = go.importObject;
  const { instance } = await compile(url, imports, signal);
  if (signal.aborted) throw new Error("aborted");
  const output = [];
  const decoder = new TextDecoder();
  let pending = "";
  // The program's output (a panic's or a fatal error's dump) is kept for
  // Engine.died, not printed line by line.
  local.fs.writeSync = (fd, buf) => {
    pending += decoder.decode(buf);
    const nl = pending.lastIndexOf("\n");
    if (nl !== -1) {
      for (const line of pending.slice(0, nl).split("\n")) if (output.length < 200) output.push(line);
      pending = pending.slice(nl + 1);
    }
    return buf.length;
  };
  go.exit = () => {};
  // The bridge contract: Go's main fills `host` synchronously inside run()
  // and then blocks forever, so the promise of run() settles only if Go exits.
  const host = {};
  local.__eventsourceWasm = host;
  const running = go.run(instance);
  delete local.__eventsourceWasm;
  // feed, the call per chunk, is two exports that cross with numbers only.
  const ex = instance.exports;
  if (typeof ex.feed === "function" && typeof ex.feedBuffer === "function") {
    host.feed = feeder(ex, new realGlobal.TextDecoder("utf-8", { ignoreBOM: true }));
  }
  for (const name of CALLS) {
    if (typeof host[name] !== "function") throw new Error(`the engine did not register ${name}()`);
  }
  const engine = new Engine(host);
  engine.output = output;
  engine.memory = typeof WeakRef === "function" ? new WeakRef(instance.exports.mem) : null;
  const exited = (err) => {
    if (currentEngine === engine) current = currentEngine = null;
    engine.died(err);
  };
  running.then(exited, exited);
  return engine;
}

// compile fetches and instantiates eventsource.wasm. A file: URL, which is
// the module's default in Node (and fetch() cannot read there), is read
// with the file system when the runtime has one: process.getBuiltinModule
// (Node 20.16+, 22.3+) needs no import that a bundler would try to resolve
// for a browser. Elsewhere a file: URL goes to fetch(), which fails in Node
// before 20.16 with the message below.
async function compile(url, imports, signal) {
  const fsp = /^file:/i.test(url) ? nodeFS() : null;
  if (fsp) {
    let bytes;
    try {
      bytes = await fsp.readFile(new URL(url), { signal });
    } catch (err) {
      if (signal.aborted) throw err;
      const why = err && err.code === "ENOENT" ? "no such file" : (err && err.message) || err;
      throw new Error(`${why}${howToFix(url)}`, { cause: err });
    }
    return WebAssembly.instantiate(bytes, imports);
  }
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", signal });
  } catch (err) {
    if (signal.aborted) throw err;
    // A network error, or a cross-origin wasm without
    // Access-Control-Allow-Origin: fetch() cannot tell which.
    throw new Error(
      `${(err && err.message) || err}: unreachable, or served from another origin without Access-Control-Allow-Origin${howToFix(url)}`,
      { cause: err },
    );
  }
  if (!response.ok) throw new Error(`HTTP status ${response.status}${howToFix(url)}`);
  const type = response.headers.get("content-type") || "";
  // instantiateStreaming compiles while downloading but insists on the
  // application/wasm MIME type; a misconfigured server still works, slower.
  return typeof WebAssembly.instantiateStreaming === "function" && /^\s*application\/wasm\s*(;|$)/i.test(type)
    ? WebAssembly.instantiateStreaming(response, imports)
    : WebAssembly.instantiate(await response.arrayBuffer(), imports);
}

function nodeFS() {
  try {
    const proc = realGlobal.process;
    return proc && typeof proc.getBuiltinModule === "function" ? proc.getBuiltinModule("node:fs/promises") : null;
  } catch (_) {
    return null;
  }
}

// howToFix ends the message of a failed load: what the page can do.
function howToFix(url) {
  const guessed =
    url === config.guessedURL
      ? " This bundle has no import.meta.url, so the URL was taken from the script's own."
      : "";
  return (
    `.${guessed} Serve eventsource.wasm from the eventsource-wasm package there, or set ` +
    `EventSourcePolyfill.wasmURL (the static wasmURL of the imported EventSource) to its URL ` +
    `before the first EventSource is constructed.`
  );
}

// debug resolves to the engine's counters ({connections, funcs, goroutines,
// inBytes, outBytes, budgetBytes, and buffered: the bytes of body each
// connection's parser holds}, see debug() in wasm/memory.go) and a
// WeakRef to its memory, or to null when no engine is loaded. With
// "crash", the engine panics instead, and debug resolves to the WeakRef to
// the memory that its death should release.
export function debug(command) {
  if (current === null) return Promise.resolve(null);
  return current
    .then((e) => {
      if (!e.alive) return null;
      if (command === "crash") {
        try {
          e.host.debug("crash");
        } catch (_) {
          // The panic unwinds through the call.
        }
        return { memory: e.memory };
      }
      const [connections, funcs, goroutines, inBytes, outBytes, budgetBytes, ...buffered] = e.host.debug().split(" ").map(Number);
      return { connections, funcs, goroutines, inBytes, outBytes, budgetBytes, buffered, memory: e.memory };
    })
    .catch(() => null);
}

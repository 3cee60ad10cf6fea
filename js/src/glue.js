// Go's glue (wasm_exec.js), run against a private global scope.
//
// wasm_exec.js defines globalThis.Go, fs, process and path. It runs here
// with `globalThis` bound to a Proxy of the real global: reads fall through
// to the real global, writes land in `local`, so nothing leaks (SSE-1: the
// script adds no other global). The names the glue owns are never read from
// the page, so a page's own `fs` or `process` cannot confuse it. Go's
// js.Global() is this proxy too; calling a real global function through it
// (js.Global().Call(...)) would have the wrong `this`.
//
// The glue's other free names are parameters of its wrapper (see
// wasm_exec_glue.js): its bare `fs` goes to the private fs; its
// TextDecoder keeps a leading U+FEFF, which the default one drops from
// every string Go returns, and data may begin with one (SSE-32 strips only
// the stream's); and its timers cannot throw "Go program has already
// exited" into the page after the engine died.

import { realGlobal } from "./realm.js";
import runGlue from "./wasm_exec_glue.js";

const GLUE_OWNED = new Set(/** @type {(string | symbol)[]} */ (["Go", "fs", "process", "path"]));
let glueScope = null;

function KeepBOMDecoder(label) {
  return new realGlobal.TextDecoder(label, { ignoreBOM: true });
}

function guardedSetTimeout(callback, delay) {
  return realGlobal.setTimeout(() => {
    try {
      callback();
    } catch (_) {
      // A Go timer firing after its program exited: engine.js has
      // already reported the exit.
    }
  }, delay);
}

// glue returns the private scope, running the glue on the first call.
export function glue() {
  if (glueScope) return glueScope;
  const local = Object.create(null);
  const scope = new Proxy(realGlobal, {
    get: (target, key) => (key in local || GLUE_OWNED.has(key) ? local[key] : Reflect.get(target, key)),
    set: (target, key, value) => {
      local[key] = value;
      return true;
    },
    has: (target, key) => key in local || Reflect.has(target, key),
    deleteProperty: (target, key) => delete local[key],
  });
  const fs = { writeSync: (fd, buf) => local.fs.writeSync(fd, buf) };
  runGlue(scope, KeepBOMDecoder, guardedSetTimeout, fs);
  if (typeof local.Go !== "function") throw new Error("Go's wasm_exec.js did not define Go");
  glueScope = local;
  return local;
}

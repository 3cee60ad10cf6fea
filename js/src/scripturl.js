// besideScript resolves a file name against the URL of the script being
// evaluated, for code that has no import.meta.url: the classic script, and
// the ES module bundled into a classic script (an IIFE, where bundlers make
// import.meta empty). It must be called while the script is evaluated.
//
// In a window, document.currentScript; in a worker (importScripts) there is
// none and self.location is the worker's URL, so the first script URL of a
// stack trace taken right now, which is this file's; else the document's or
// worker's own URL.

import { realGlobal } from "./realm.js";

export function besideScript(name) {
  let script = "";
  try {
    const current = /** @type {HTMLScriptElement | null} */ (realGlobal.document && realGlobal.document.currentScript);
    if (current && typeof current.src === "string") script = current.src; // not an SVG <script>
    if (!script) {
      const m = /(?:https?|file):\/\/[^\s()]+?\.js\b/.exec(String(new Error().stack));
      if (m) script = m[0];
    }
    if (!script && realGlobal.location) script = String(realGlobal.location.href);
    return script ? new URL(name, script).href : name;
  } catch (_) {
    return name;
  }
}

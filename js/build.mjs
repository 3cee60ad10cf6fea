// Assembles the bundles in dist/ from js/eventsource.js and Go's glue
// (dist/wasm_exec.js, copied there by the Makefile), with no dependencies:
//
//   node js/build.mjs [dist]
//   node js/build.mjs --sizes FILE...
//
// The first writes eventsource-polyfill.js (classic script), eventsource-polyfill.mjs
// (ES module), eventsource-polyfill.d.ts, and .gz/.br copies of the .js, .mjs
// and .wasm files, then prints their sizes. Assembly is plain text work: the
// source's "//#if classic" / "//#if module" … "//#endif" blocks are kept for
// one bundle only, and "//#include wasm_exec.js" is replaced by the glue.
// The second prints a JSON object of each file's raw, gzip and brotli sizes,
// compressed as dist/ is, for the size report of `make bench`.

import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));

const BANNER =
  "/*! eventsource-wasm: an EventSource (Server-Sent Events) polyfill whose engine is Go\n" +
  " * compiled to WebAssembly; it loads eventsource.wasm from next to this file.\n" +
  " * Includes Go's wasm_exec.js: Copyright 2018 The Go Authors, BSD-style license. */\n";

// assemble returns the text of one bundle; target is "classic" or "module".
export function assemble(source, glue, target) {
  if (target !== "classic" && target !== "module") throw new Error(`unknown target ${target}`);
  const out = [];
  let keep = true;
  let open = null;
  let included = false;
  source.split("\n").forEach((line, i) => {
    const where = `js/eventsource.js:${i + 1}`;
    const marker = /^\s*\/\/#(if (classic|module)|endif|include wasm_exec\.js)\s*$/.exec(line);
    if (marker) {
      if (marker[2]) {
        if (open) throw new Error(`${where}: nested //#if`);
        open = marker[2];
        keep = open === target;
      } else if (marker[1] === "endif") {
        if (!open) throw new Error(`${where}: //#endif without //#if`);
        open = null;
        keep = true;
      } else if (keep) {
        out.push(glue.trimEnd());
        included = true;
      }
      return;
    }
    // Whole-line comments of our source are left out of the bundle (the
    // glue, license header included, is kept verbatim).
    if (!keep || /^\s*\/\//.test(line)) return;
    if (line.trim() === "" && (out.length === 0 || out[out.length - 1] === "")) return;
    out.push(line.trimEnd());
  });
  if (open) throw new Error(`js/eventsource.js: //#if ${open} is never closed`);
  if (!included) throw new Error("js/eventsource.js: no //#include wasm_exec.js line");
  const body = out.join("\n").trim() + "\n";
  if (target === "module") return BANNER + body;
  return BANNER + '(function () {\n"use strict";\n' + body + "})();\n";
}

function gzip(buf) {
  return gzipSync(buf, { level: constants.Z_BEST_COMPRESSION, memLevel: 9 });
}

function brotli(buf, text) {
  return brotliCompressSync(buf, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
      [constants.BROTLI_PARAM_MODE]: text ? constants.BROTLI_MODE_TEXT : constants.BROTLI_MODE_GENERIC,
      [constants.BROTLI_PARAM_SIZE_HINT]: buf.length,
    },
  });
}

function build(dist) {
  const gluePath = join(dist, "wasm_exec.js");
  if (!existsSync(gluePath)) {
    throw new Error(`${gluePath} is missing: it is Go's lib/wasm/wasm_exec.js (run make build)`);
  }
  const glue = readFileSync(gluePath, "utf8");
  const source = readFileSync(join(here, "eventsource.js"), "utf8");
  writeFileSync(join(dist, "eventsource-polyfill.js"), assemble(source, glue, "classic"));
  writeFileSync(join(dist, "eventsource-polyfill.mjs"), assemble(source, glue, "module"));
  writeFileSync(join(dist, "eventsource-polyfill.d.ts"), readFileSync(join(here, "eventsource-polyfill.d.ts")));

  const compressed = ["eventsource-polyfill.js", "eventsource-polyfill.mjs", "eventsource.wasm"];
  for (const name of compressed) {
    const path = join(dist, name);
    if (!existsSync(path)) {
      console.warn(`warning: ${path} is missing; not compressed`);
      continue;
    }
    const buf = readFileSync(path);
    writeFileSync(path + ".gz", gzip(buf));
    writeFileSync(path + ".br", brotli(buf, !name.endsWith(".wasm")));
  }

  // Sizes of every file in dist/; the compressed sizes of files without
  // precompressed copies are computed for the table only.
  const rows = [["file", "raw", "gzip", "brotli"]];
  for (const name of readdirSync(dist).sort()) {
    if (/\.(gz|br)$/.test(name)) continue;
    const path = join(dist, name);
    const buf = readFileSync(path);
    const size = (ext, make) => (existsSync(path + ext) ? readFileSync(path + ext).length : make().length);
    rows.push([
      name,
      String(buf.length),
      String(size(".gz", () => gzip(buf))),
      String(size(".br", () => brotli(buf, !name.endsWith(".wasm")))),
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) {
    console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
  }
}

function sizes(files) {
  const out = {};
  for (const file of files) {
    const buf = readFileSync(file);
    const text = !file.endsWith(".wasm");
    out[file] = { raw: buf.length, gzip: gzip(buf).length, brotli: brotli(buf, text).length };
  }
  console.log(JSON.stringify(out));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    if (process.argv[2] === "--sizes") sizes(process.argv.slice(3));
    else build(resolve(process.argv[2] || "dist"));
  } catch (err) {
    console.error(`${basename(process.argv[1])}: ${err.message}`);
    process.exit(1);
  }
}

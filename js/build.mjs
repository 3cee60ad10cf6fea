// Builds the shim's bundles in dist/ from the modules of js/src and Go's glue
// (dist/wasm_exec.js, copied there by the Makefile), with esbuild:
//
//   node js/build.mjs [dist]
//   node js/build.mjs --sizes FILE...
//
// The first writes eventsource-polyfill.js (classic script: an IIFE that
// defines the globals), eventsource-polyfill.mjs (ES module),
// eventsource-polyfill.d.ts, and .gz/.br copies of the .js, .mjs and .wasm
// files, then prints their sizes; and lays out the npm package in
// dist/package (see layOutPackage), which `npm pack` turns into the tarball. The glue is bundled in place of
// js/src/wasm_exec_glue.js, wrapped in a function so that its global names
// resolve to the private scope of js/src/glue.js.
// The second prints a JSON object of each file's raw, gzip and brotli sizes,
// compressed as dist/ is, for the size report of `make bench`.

import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "src");
const root = dirname(here);

const BANNER =
  "/*! eventsource-wasm: an EventSource (Server-Sent Events) polyfill whose engine is Go\n" +
  " * compiled to WebAssembly; it loads eventsource.wasm from next to this file. MIT License.\n" +
  " * Includes Go's wasm_exec.js: Copyright 2018 The Go Authors, BSD-style license. */";

// The glue as the module js/src/glue.js imports: its free names are the
// wrapper's parameters (see js/src/wasm_exec_glue.js).
export function glueModule(glue) {
  return "export default function runGlue(globalThis, TextDecoder, setTimeout, fs) {\n" + glue.trimEnd() + "\n}\n";
}

function gluePlugin(glue) {
  return {
    name: "wasm-exec-glue",
    setup(build) {
      build.onLoad({ filter: /[\\/]wasm_exec_glue\.js$/ }, () => ({ contents: glueModule(glue), loader: "js" }));
    },
  };
}

// The package's global entries import the package's ES module instead of
// bundling a second copy of the polyfill.
const moduleImport = {
  name: "package-module",
  setup(build) {
    build.onResolve({ filter: /^\.\/entry-module\.js$/ }, () => ({ path: "./eventsource-polyfill.mjs", external: true }));
  },
};

const GLOBAL_BANNER = "/*! eventsource-wasm: the polyfill's ES module, and its globals. MIT License. */";

// bundle returns the text of one bundle; target is "classic", "module",
// "global" or "global-replace".
export async function bundle(glue, target) {
  const global = target === "global" || target === "global-replace";
  if (target !== "classic" && target !== "module" && !global) throw new Error(`unknown target ${target}`);
  const result = await esbuild.build({
    entryPoints: [join(src, global ? "entry-global.js" : `entry-${target}.js`)],
    bundle: true,
    write: false,
    format: target === "classic" ? "iife" : "esm",
    platform: "neutral",
    target: "es2022",
    legalComments: "none",
    banner: { js: target === "classic" ? BANNER + '\n"use strict";' : global ? GLOBAL_BANNER : BANNER },
    define: global ? { REPLACE: String(target === "global-replace") } : {},
    plugins: global ? [moduleImport] : [gluePlugin(glue)],
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

// The shared worker of the shared option (js/src/entry-shared-worker.js):
// a classic worker script with its own copy of the engine's loader and the
// connection, served next to the polyfill.
export const SHARED_WORKER = "eventsource-shared-worker.js";

export async function bundleSharedWorker(glue) {
  const result = await esbuild.build({
    entryPoints: [join(src, "entry-shared-worker.js")],
    bundle: true,
    write: false,
    format: "iife",
    platform: "neutral",
    target: "es2022",
    legalComments: "none",
    banner: { js: BANNER.replace("it loads", "this is its shared worker; it loads") + '\n"use strict";' },
    plugins: [gluePlugin(glue)],
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

async function buildSharedWorker(dist, glue) {
  const path = join(dist, SHARED_WORKER);
  const text = await bundleSharedWorker(glue);
  writeFileSync(path, text);
  writeFileSync(path + ".gz", gzip(Buffer.from(text)));
  writeFileSync(path + ".br", brotli(Buffer.from(text), true));
}

// The npm package, as `npm pack` takes it: every file a user needs and no
// other. js/npm holds what is written by hand (package.json, the types of
// the classic script and the global entries); the rest is built here or is
// at the repository's root.
const PACKAGE_FILES = [
  // [name in the package, where it comes from]
  ["package.json", join(here, "npm", "package.json")],
  ["README.md", join(root, "README.md")],
  ["LICENSE", join(root, "LICENSE")],
  ["CHANGELOG.md", join(root, "CHANGELOG.md")],
  ["eventsource-polyfill.d.mts", join(here, "eventsource-polyfill.d.ts")],
  ["classic.d.ts", join(here, "npm", "classic.d.ts")],
  ["global.d.mts", join(here, "npm", "global.d.mts")],
  ["global-replace.d.mts", join(here, "npm", "global-replace.d.mts")],
];

async function layOutPackage(dist, glue) {
  const pkg = join(dist, "package");
  rmSync(pkg, { recursive: true, force: true });
  mkdirSync(pkg);
  for (const [name, from] of PACKAGE_FILES) copyFileSync(from, join(pkg, name));
  for (const name of ["eventsource-polyfill.mjs", "eventsource-polyfill.js", "eventsource.wasm", SHARED_WORKER]) {
    copyFileSync(join(dist, name), join(pkg, name));
  }
  chmodSync(join(pkg, "eventsource.wasm"), 0o644); // go build makes it executable
  for (const target of ["global", "global-replace"]) writeFileSync(join(pkg, `${target}.mjs`), await bundle(glue, target));
  writeFileSync(join(pkg, "THIRD-PARTY-NOTICES.md"), notices());
  // Every file that package.json names must be there, and nothing else.
  const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
  const listed = new Set(["package.json", "README.md", "LICENSE", ...manifest.files]);
  const present = new Set(readdirSync(pkg));
  const missing = [...listed].filter((f) => !present.has(f));
  const unlisted = [...present].filter((f) => !listed.has(f));
  if (missing.length || unlisted.length) {
    throw new Error(`dist/package: missing ${missing.join(", ") || "nothing"}; not in "files": ${unlisted.join(", ") || "nothing"}`);
  }
}

// notices returns the licences of the code that the wasm engine and the
// scripts contain besides this project's: Go's runtime and standard library
// (and wasm_exec.js, embedded in the scripts), and each module that ./wasm
// links, as `go list` reports them for GOOS=js GOARCH=wasm.
function notices() {
  const go = process.env.GO || "go";
  const run = (args, env = {}) =>
    execFileSync(go, args, { cwd: root, encoding: "utf8", env: { ...process.env, ...env } }).trim();
  const goroot = run(["env", "GOROOT"]);
  const goVersion = run(["env", "GOVERSION"]);
  const mods = run(["list", "-deps", "-f", "{{with .Module}}{{if not .Main}}{{.Path}}@{{.Version}} {{.Dir}}{{end}}{{end}}", "./wasm"], {
    GOOS: "js",
    GOARCH: "wasm",
  });
  const parts = [
    "# Third-party notices",
    "",
    "eventsource.wasm is a Go program: it contains Go's runtime and standard library, and the " +
      "modules below. eventsource-polyfill.js and eventsource-polyfill.mjs contain Go's wasm_exec.js. " +
      "This project's own code is under the MIT License (LICENSE).",
    "",
    `## Go (${goVersion})`,
    "",
    "```",
    readFileSync(join(goroot, "LICENSE"), "utf8").trim(),
    "```",
  ];
  for (const line of [...new Set(mods.split("\n").filter(Boolean))].sort()) {
    const [mod, dir] = line.split(" ");
    const licence = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    if (!licence) throw new Error(`${mod} has no licence file in ${dir}`);
    parts.push("", `## ${mod}`, "", "```", readFileSync(join(dir, licence), "utf8").trim(), "```");
  }
  return parts.join("\n") + "\n";
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

async function build(dist) {
  const gluePath = join(dist, "wasm_exec.js");
  if (!existsSync(gluePath)) {
    throw new Error(`${gluePath} is missing: it is Go's lib/wasm/wasm_exec.js (run make build)`);
  }
  const glue = readFileSync(gluePath, "utf8");
  writeFileSync(join(dist, "eventsource-polyfill.js"), await bundle(glue, "classic"));
  writeFileSync(join(dist, "eventsource-polyfill.mjs"), await bundle(glue, "module"));
  writeFileSync(join(dist, "eventsource-polyfill.d.ts"), readFileSync(join(here, "eventsource-polyfill.d.ts")));
  await buildSharedWorker(dist, glue);
  await layOutPackage(dist, glue);

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
    if (/\.(gz|br|tgz)$/.test(name) || name === "package" || name === "apps") continue;
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
    else await build(resolve(process.argv[2] || "dist"));
  } catch (err) {
    console.error(`${basename(process.argv[1])}: ${err.message}`);
    process.exit(1);
  }
}

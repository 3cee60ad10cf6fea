// Builds each browser app with its bundler, as its users would, into
// OUT/<app>/ (default dist/apps at the repository's root), after the packed
// eventsource-wasm tarball was installed into node_modules (make apps):
//
//   node js/apps/build.mjs [OUT]
//
// A build fails on any error or warning of its bundler except the ones
// listed in `expected` with the reason, so that a bundler that chokes on the
// package (its Node branch, its wasm asset) fails the test run. The
// e2e suite (e2e/apps_test.go) serves and loads each app.

import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { build as viteBuild, createLogger } from "vite";
import webpack from "webpack";
import webpackConfig from "./webpack/webpack.config.js";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || join(here, "..", "..", "dist", "apps"));

// The warnings that every user of these bundlers sees, and why they are fine.
// (esbuild says nothing of the empty import.meta of an IIFE: it does not
// warn about code in node_modules.)
const expected = {
  // webpack's performance hints: eventsource.wasm is 2.8 MB, over the
  // 244 KiB that webpack suggests for an asset; it is fetched on the first
  // connection, not with the page.
  webpack: [/asset size limit/, /entrypoint size limit/, /webpack performance recommendations/],
};

function check(app, warnings) {
  const unexpected = warnings.filter((w) => !(expected[app] || []).some((re) => re.test(w)));
  if (unexpected.length) throw new Error(`${app}: unexpected warnings:\n${unexpected.join("\n")}`);
}

// The wasm, where esbuild users copy it from: the package exports it.
const wasm = fileURLToPath(import.meta.resolve("eventsource-wasm/eventsource.wasm"));

const apps = {
  async vite(dir) {
    const warnings = [];
    const logger = createLogger("warn");
    logger.warn = (msg) => warnings.push(msg);
    logger.warnOnce = (msg) => warnings.push(msg);
    await viteBuild({
      root: join(here, "vite"),
      configFile: false,
      base: "./", // served under /apps/vite/
      customLogger: logger,
      logLevel: "warn",
      build: { outDir: dir, emptyOutDir: true },
    });
    return warnings;
  },

  async webpack(dir) {
    const stats = await new Promise((ok, fail) =>
      webpack(webpackConfig(dir), (err, stats) => (err ? fail(err) : ok(stats))),
    );
    const info = stats.toJson({ all: false, errors: true, warnings: true });
    if (stats.hasErrors()) throw new Error(`webpack: ${info.errors.map((e) => e.message).join("\n")}`);
    copyFileSync(join(here, "webpack", "index.html"), join(dir, "index.html"));
    return info.warnings.map((w) => w.message);
  },

  async "esbuild-esm"(dir) {
    return esbuildApp(dir, "esm");
  },

  async "esbuild-iife"(dir) {
    return esbuildApp(dir, "iife");
  },
};

async function esbuildApp(dir, format) {
  const result = await esbuild.build({
    entryPoints: [join(here, "esbuild", `${format}.js`)],
    bundle: true,
    format,
    outfile: join(dir, "main.js"),
    logLevel: "silent",
  });
  copyFileSync(join(here, "esbuild", `${format}.html`), join(dir, "index.html"));
  copyFileSync(wasm, join(dir, "eventsource.wasm")); // the README's one step
  return result.warnings.map((w) => w.text);
}

rmSync(out, { recursive: true, force: true });
for (const [app, build] of Object.entries(apps)) {
  const dir = join(out, app);
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const warnings = await build(dir);
  check(app, warnings);
  const note = warnings.length ? ` (${warnings.length} expected warnings)` : "";
  console.log(`${app}: built in ${Math.round(performance.now() - t0)} ms${note}`);
}

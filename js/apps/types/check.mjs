// Type-checks the typed usage of the installed package with tsc --strict
// under moduleResolution nodenext, node16 and bundler, with TypeScript 7 and
// 5.9 (devDependencies of js/apps):
//
//   node js/apps/types/check.mjs
//
// Every file must check cleanly except must-fail.mts, whose lines marked
// "// error TSnnnn" must each have exactly that error: so the check fails
// if the types stop rejecting what they must (a wrong option type, say),
// and not only if they reject too much.

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const compilers = ["typescript", "typescript-5"];
const configs = ["nodenext", "node16", "bundler"];

const expected = new Set();
readFileSync(join(here, "must-fail.mts"), "utf8")
  .split("\n")
  .forEach((line, i) => {
    const m = /\/\/ error (TS\d+)$/.exec(line);
    if (m) expected.add(`must-fail.mts:${i + 1}: ${m[1]}`);
  });
if (expected.size === 0) throw new Error("must-fail.mts marks no error");

async function tsc(compiler, config) {
  const bin = join(here, "..", "node_modules", compiler, "bin", "tsc");
  const args = [bin, "-p", join(here, `tsconfig.${config}.json`), "--pretty", "false"];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: here }).catch((err) => err);
  const got = new Set();
  const other = [];
  for (const line of String(stdout).split("\n")) {
    const m = /^(\S+)\((\d+),\d+\): error (TS\d+)/.exec(line);
    if (m) got.add(`${m[1]}:${m[2]}: ${m[3]}`);
    else if (line && !line.startsWith(" ")) other.push(line);
  }
  const version = JSON.parse(readFileSync(join(here, "..", "node_modules", compiler, "package.json"), "utf8")).version;
  const problems = [
    ...[...got].filter((e) => !expected.has(e)).map((e) => `unexpected ${e}`),
    ...[...expected].filter((e) => !got.has(e)).map((e) => `missing ${e}`),
    ...other.map((l) => `tsc: ${l}`),
  ];
  return { name: `TypeScript ${version}, ${config}`, problems, stdout };
}

// Two at a time: TypeScript 5 takes about 2.5 s a run here, 7 under 1 s.
const jobs = compilers.flatMap((c) => configs.map((k) => [c, k]));
const results = [];
async function worker() {
  for (let job; (job = jobs.shift()); ) results.push(await tsc(...job));
}
await Promise.all([worker(), worker()]);
let failed = false;
for (const r of results.sort((a, b) => (a.name < b.name ? -1 : 1))) {
  if (r.problems.length) {
    failed = true;
    console.error(`${r.name}: FAIL\n  ${r.problems.join("\n  ")}\n--- tsc said:\n${r.stdout}`);
  } else console.log(`${r.name}: ok (${expected.size} expected errors in must-fail.mts, none elsewhere)`);
}
if (failed) process.exit(1);

// Placeholder for Go's wasm_exec.js: js/build.mjs replaces this module with
// the glue of the Go toolchain that built the engine, wrapped as
//
//   export default function runGlue(globalThis, TextDecoder, setTimeout, fs) {
//     <glue>
//   }
//
// so that the glue's global names resolve to what glue.js passes in. The
// source tree never holds a copy of the glue.
// eslint-disable-next-line no-unused-vars
export default function runGlue(globalThis, TextDecoder, setTimeout, fs) {
  throw new Error("eventsource-wasm: run js/build.mjs; Go's glue is included at build time");
}

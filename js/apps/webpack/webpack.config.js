// An ordinary production build: nothing in it is for eventsource-wasm.
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

export default (outDir) => ({
  mode: "production",
  context: dirname(fileURLToPath(import.meta.url)),
  entry: "./main.js",
  output: { path: outDir, filename: "main.js" },
  devtool: false,
});

// Bundles src/editor.js and its CodeMirror packages into one minified file,
// src/zonegraph/web/static/editor.js (run: npm ci && node build.mjs, or `make editor`).
// The output is committed: the Python package ships it, and nothing loads from a CDN.
import { build } from "esbuild";
import { statSync } from "node:fs";

const out = "../../src/zonegraph/web/static/editor.js";
await build({
  entryPoints: ["src/editor.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "none",
  banner: { js: "/* zonegraph SPARQL editor: CodeMirror 6 (MIT, codemirror.net), built by web/editor/build.mjs */" },
  outfile: out,
});
const size = statSync(out).size;
console.log(`${out}: ${size} bytes`);
if (size > 400 * 1024) {
  console.error("the editor bundle is over 400 KB");
  process.exit(1);
}

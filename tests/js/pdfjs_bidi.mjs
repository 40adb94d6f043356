// Read JSON [string, ...] on stdin; print JSON [text pdf.js keeps for each, ...]:
// pdf.js's own bidi (src/core/bidi.js, bundled in the worker) run on each string,
// as getTextContent runs it on each text item.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const worker = await readFile(
  require.resolve("pdfjs-dist/legacy/build/pdf.worker.mjs"), "utf8");
// the bundle keeps each source module between ";// ./src/..." markers
const start = worker.indexOf(";// ./src/core/bidi.js");
const end = worker.indexOf(";// ./src/", start + 1);
if (start < 0 || end < 0) throw new Error("pdf.js bidi module not found in the worker");
const source = "function warn() {}\n" + worker.slice(start, end) + "\nexport { bidi };\n";
const { bidi } = await import("data:text/javascript," + encodeURIComponent(source));

const strings = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(strings.map((s) => bidi(s, -1, false).str)));

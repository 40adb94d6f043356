// Print the text pdf.js extracts from each PDF given, as JSON {path: text}.
// Items are joined as pdf.js's own viewer lays them out: strings in order,
// a line break where pdf.js says a line ends (hasEOL).
import { readFile } from "node:fs/promises";

// pdfjs-dist 6 wants Node 22; Debian 12's node 20 lacks only this (the legacy build
// polyfills the rest).
Promise.withResolvers ??= function withResolvers() {
  let resolve, reject;
  const promise = new Promise((yes, no) => { resolve = yes; reject = no; });
  return { promise, resolve, reject };
};
const { getDocument } = await import("pdfjs-dist/legacy/build/pdf.mjs");

const result = {};
for (const path of process.argv.slice(2)) {
  const data = new Uint8Array(await readFile(path));
  const task = getDocument({ data, verbosity: 0, isEvalSupported: false,
                           useSystemFonts: false });
  const pdf = await task.promise;
  const pages = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const page = await pdf.getPage(n);
    const content = await page.getTextContent();
    pages.push(content.items.map((item) => item.str + (item.hasEOL ? "\n" : "")).join(""));
  }
  result[path] = pages.join("\n");
  await task.destroy();
}
process.stdout.write(JSON.stringify(result));

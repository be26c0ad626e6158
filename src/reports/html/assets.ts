import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * uPlot's script and stylesheet, read from node_modules when a report is rendered and inlined into
 * it, so the HTML opens offline and never fetches anything (docs/decisions.md: why uPlot).
 */

let cached: { js: string; css: string } | undefined;

export function chartLibrary(): { js: string; css: string } {
  if (cached === undefined) {
    const require = createRequire(import.meta.url);
    const js = readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8");
    const css = readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8");
    // Inline text must not end the <script>/<style> element it sits in.
    cached = { js: js.replace(/<\/script/gi, "<\\/script"), css: css.replace(/<\/style/gi, "<\\/style") };
  }
  return cached;
}

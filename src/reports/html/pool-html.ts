import type { RunResult } from "../../result/result-types.js";
import { POOL_HEADER, poolLines, poolRows } from "../pool-lines.js";
import { escapeHtml, htmlTable, section } from "./escape.js";

/** The HTML report's connection-pool section: the summary lines and the (shortened) series table. */
export function poolBlock(result: RunResult): string {
  const lines = poolLines(result);
  if (lines.length === 0) return "";
  const { rows, bucketSize } = poolRows(result.series);
  const note =
    bucketSize > 1
      ? `<p class="muted">Each row is the worst of ${bucketSize} s ending at t (open: the fewest).</p>`
      : "";
  return section(
    "pool",
    "Connection pool",
    `<ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join("")}</ul>${note}${htmlTable(
      POOL_HEADER,
      rows.map((r) => r.map(String)),
    )}`,
  );
}

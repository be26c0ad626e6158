import { formatMs, padEndWidth, padStartWidth } from "../format.js";
import type { CompareCell, CompareRow, Comparison } from "./compare-runs.js";

/** The comparison as a terminal table and as Markdown: the same cells, two layouts. */

export function formatValue(value: number | undefined, unit: string): string {
  if (value === undefined) return "–";
  if (unit === "ms") return formatMs(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString("en-US");
  return (Math.round(value * 100) / 100).toString();
}

export function formatDelta(cell: CompareCell): string {
  if (cell.deltaPercent === undefined) return "";
  if (cell.change === "~") return `~ (p=${cell.p?.toFixed(2)})`;
  const sign = cell.deltaPercent > 0 ? "+" : "";
  const pct = Number.isFinite(cell.deltaPercent) ? `${sign}${cell.deltaPercent.toFixed(1)}%` : "new";
  const p = cell.p !== undefined ? ` p=${cell.p.toFixed(3)}` : "";
  return `${pct} ${cell.change}${p}`;
}

function cellText(row: CompareRow, cell: CompareCell, i: number): string {
  const runs = cell.values.length > 1 ? ` (n=${cell.values.length})` : "";
  const value = `${formatValue(cell.center, row.unit)}${runs}`;
  return i === 0 ? value : `${value} ${formatDelta(cell)}`.trim();
}

function header(comparison: Comparison): string[] {
  return ["metric", ...comparison.groups.map((g, i) => (i === 0 ? `base: ${g.label}` : g.label))];
}

function bodyRows(comparison: Comparison): string[][] {
  return comparison.rows.map((row) => [
    `${row.label} (${row.unit})`,
    ...row.cells.map((c, i) => cellText(row, c, i)),
  ]);
}

function verdictLines(comparison: Comparison): string[] {
  if (comparison.limits.length === 0) return ["no --max-regression gate set"];
  if (comparison.regressions.length === 0)
    return [
      `gate PASS: no regression beyond ${comparison.limits.map((l) => `${l.key}=${l.percent}%`).join(", ")}`,
    ];
  return [
    `gate FAIL: ${comparison.regressions.length} regression(s)`,
    ...comparison.regressions.map(
      (r) =>
        `  ${r.label} in ${r.group}: ${r.deltaPercent > 0 ? "+" : ""}${r.deltaPercent.toFixed(1)}% (limit ${r.limitPercent}%)`,
    ),
  ];
}

export function renderCompareText(comparison: Comparison): string {
  const rows = [header(comparison), ...bodyRows(comparison)];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) =>
    r.map((cell, c) => (c === 0 ? padEndWidth(cell, widths[c]) : padStartWidth(cell, widths[c]))).join("  "),
  );
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return [
    ...lines,
    "",
    `"~": not beyond noise (Mann-Whitney U, p ≥ ${comparison.alpha}); better/worse by the metric's direction.`,
    ...verdictLines(comparison),
  ].join("\n");
}

export function renderCompareMarkdown(comparison: Comparison): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const head = header(comparison);
  const lines = [
    "# cachestress compare",
    "",
    ...comparison.groups.map(
      (g, i) =>
        `- ${i === 0 ? "**base**" : "current"} \`${esc(g.label)}\`: ${g.runs} run(s): ${g.paths.map((p) => `\`${esc(p)}\``).join(", ")}`,
    ),
    "",
    `| ${head.map(esc).join(" | ")} |`,
    `|---|${head
      .slice(1)
      .map(() => "---:")
      .join("|")}|`,
    ...bodyRows(comparison).map((r) => `| ${r.map(esc).join(" | ")} |`),
    "",
    `"~": not beyond noise (Mann-Whitney U, p ≥ ${comparison.alpha}).`,
    "",
    ...verdictLines(comparison).map((l) => (l.startsWith("  ") ? `- ${l.trim()}` : `**${l}**`)),
  ];
  return `${lines.join("\n")}\n`;
}

/** Number formatting and a plain-text table for the bench output. */

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Columns after the first two are right-aligned (numbers). */
export function renderTable(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows
    .map((r) => r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "))
    .join("\n");
}

export const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
export const fmtUs = (n: number) => n.toFixed(2);
export const fmtMs = (n: number | undefined) => (n === undefined ? "-" : n.toFixed(3));
export const fmtRatio = (n: number) => `${n.toFixed(2)}×`;
export const fmtPercent = (n: number | undefined) => (n === undefined ? "-" : `${n.toFixed(2)} %`);

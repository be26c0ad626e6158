import type { RunResult } from "../result/result-types.js";

/**
 * The scenario check as plain lines: its one-line outcome, each figure, and every failed
 * expectation. Shared by the terminal summary and the Markdown report.
 */
export function checkLines(result: RunResult): string[] {
  const check = result.check;
  if (check === undefined) return [];
  const figures = Object.entries(check.figures)
    .filter(([, v]) => v !== null)
    .map(([name, value]) => `  ${name}: ${typeof value === "number" ? formatFigure(value) : String(value)}`);
  return [
    `check ${check.kind}: ${check.ok ? "OK" : "FAILED"}: ${check.summary}`,
    ...figures,
    ...check.problems.map((p) => `  FAILED: ${p}`),
  ];
}

function formatFigure(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}

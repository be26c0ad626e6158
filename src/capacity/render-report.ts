import { redactText } from "../core/redact.js";
import {
  formatCount,
  formatDurationMs,
  formatMs,
  formatPercent,
  formatRate,
  padEndWidth,
  padStartWidth,
} from "../reports/format.js";
import type { CapacityResult, CapacityStep } from "./capacity-result.js";
import { KNEE_FACTOR, KNEE_MIN_RISE_MS } from "./knee.js";

/**
 * The capacity search for people: a terminal table (stderr) and a Markdown file, both from the same
 * rows. The rows are the steps sorted by asked rate, i.e. the latency-versus-throughput curve, with
 * the last good rate and the knee marked. Both renderers return strings; nothing writes here.
 */

export const HEADER = [
  "step",
  "asked ops/s",
  "achieved ops/s",
  "p50 ms",
  "p99 ms",
  "p99.9 ms",
  "errors",
  "late",
  "result",
];
/** Columns 1..7 hold numbers: right-aligned. */
const NUMERIC = new Set([0, 1, 2, 3, 4, 5, 6, 7]);

export function stepResultText(step: CapacityStep): string {
  if (step.verdict === "pass") return step.notes.length > 0 ? "PASS (late sends)" : "PASS";
  if (step.verdict === "stopped") return "stopped";
  if (step.verdict === "target-lost") return "target lost";
  if (!step.clientKeptUp) return "FAIL (client)";
  // The SLO held but the server fell behind the asked rate (backpressure).
  return step.sloOk ? "FAIL (rate)" : "FAIL (SLO)";
}

function marks(result: CapacityResult, step: CapacityStep): string[] {
  const found: string[] = [];
  if (step.verdict === "pass" && step.askedRate === result.capacity.lastGoodRate) found.push("capacity");
  if (result.knee !== null && step.askedRate === result.knee.rate && step.verdict !== "stopped")
    found.push("knee");
  return found;
}

/** One row per step, sorted by asked rate (the curve); `marks` name the capacity and knee rows. */
export function capacityRows(
  result: CapacityResult,
): { cells: string[]; marks: string[]; step: CapacityStep }[] {
  return [...result.steps]
    .sort((a, b) => a.askedRate - b.askedRate || a.index - b.index)
    .map((step) => ({
      step,
      marks: marks(result, step),
      cells: [
        String(step.index),
        formatRate(step.askedRate),
        `${formatRate(step.achievedRate)} (${formatPercent(step.achievedPercent)})`,
        formatMs(step.latencyMs.p50),
        formatMs(step.latencyMs.p99),
        formatMs(step.latencyMs.p999),
        formatPercent(step.errorPercent),
        formatPercent(step.lateStartPercent),
        stepResultText(step),
      ],
    }));
}

function searchLine(result: CapacityResult): string {
  const s = result.search;
  const growth =
    s.growth.kind === "factor" ? `×${s.growth.factor}` : `+${formatRate(s.growth.stepRate)} ops/s`;
  return (
    `search: start ${formatRate(s.startRate)} ops/s, ${growth} per step until the first failure, then bisect; ` +
    `${formatDurationMs(s.stepDurationMs)} per step, at most ${s.maxSteps} steps` +
    `${s.maxRate !== undefined ? `, max ${formatRate(s.maxRate)} ops/s` : ""}, precision ${formatPercent(s.precisionPercent)}`
  );
}

function kneeText(result: CapacityResult): string {
  const k = result.knee;
  if (k === null && result.curve.filter((p) => p.verdict === "pass" || p.verdict === "fail").length < 2) {
    return "knee: none: it needs at least two measured rates";
  }
  if (k === null) {
    return `knee: none: p99 never stayed above max(${KNEE_FACTOR}× its low-load value, +${KNEE_MIN_RISE_MS} ms) up to the highest rate`;
  }
  return (
    `knee: ${formatRate(k.rate)} ops/s (p99 ${formatMs(k.p99Ms)} ms, above ${formatMs(k.limitMs)} ms = ` +
    `max(${KNEE_FACTOR}× the low-load p99 ${formatMs(k.lowLoadP99Ms)} ms, +${KNEE_MIN_RISE_MS} ms), and at every higher rate)`
  );
}

function countText(result: CapacityResult): string {
  const c = result.countCheck;
  if (!c.checked) return "count check: not every step could read INFO commandstats";
  return c.ok
    ? `count check: ok, the server counted ${formatCount(c.server)} SET/GET over the steps; the client sent ${formatCount(c.sent)}`
    : `COUNT MISMATCH: the server counted ${formatCount(c.server)}, the client sent ${formatCount(c.sent)} and read ${formatCount(c.completed)} replies`;
}

/** The table and verdict for stderr. */
export function renderCapacityTable(result: CapacityResult, options: { color?: boolean } = {}): string {
  const paint = (text: string, code: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const rows = capacityRows(result);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (NUMERIC.has(i) ? padStartWidth(c, widths[i]) : padEndWidth(c, widths[i])))
      .join("  ");
  const lines = [
    paint(`cachestress capacity: ${result.scenario} (${result.env}), target ${result.target.url}`, "1"),
    `SLO: ${result.search.slo.join(", ")}  (latency from each operation's intended start)`,
    searchLine(result),
    "",
    line(HEADER),
  ];
  for (const row of rows) {
    const text = `${line(row.cells)}${row.marks.length > 0 ? `  ◀ ${row.marks.join(", ")}` : ""}`;
    lines.push(row.step.verdict === "pass" ? text : paint(text, row.step.verdict === "fail" ? "31" : "33"));
  }
  lines.push("", paint(result.capacity.message, result.capacity.lastGoodRate !== null ? "32" : "31"));
  lines.push(kneeText(result), countText(result));
  for (const w of result.warnings) lines.push(paint(`WARNING: ${redactText(w)}`, "33"));
  return lines.join("\n");
}

function mdCell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

/** The Markdown file written beside the JSON. */
export function renderCapacityMarkdown(result: CapacityResult): string {
  const verdict =
    result.capacity.lastGoodRate !== null
      ? `${formatRate(result.capacity.lastGoodRate)} ops/s`
      : "no capacity found";
  const lines = [
    `# cachestress capacity: ${result.scenario} (${result.env}), ${verdict}`,
    "",
    redactText(result.capacity.message),
    "",
    `- Target: ${result.target.url}${result.target.managed ? " (a redis-server started for this search)" : ""}` +
      `${result.target.serverVersion ? `, Redis ${result.target.serverVersion}` : ""}`,
    `- SLO: ${result.search.slo.map((s) => `\`${s}\``).join(", ")} (latency from each operation's intended start)`,
    `- ${searchLine(result).replace(/^search: /, "Search: ")}`,
    `- Status: ${result.status}, ${result.startedAt} to ${result.endedAt}`,
    `- ${kneeText(result).replace(/^knee: /, "Knee: ")}`,
    `- ${countText(result).replace(/^count check: /, "Count check: ")}`,
    "",
    "## Latency versus throughput",
    "",
    `| ${HEADER.join(" | ")} | |`,
    `| ${HEADER.map((_, i) => (NUMERIC.has(i) ? "---:" : "---")).join(" | ")} | --- |`,
  ];
  for (const row of capacityRows(result)) {
    lines.push(`| ${row.cells.map(mdCell).join(" | ")} | ${row.marks.map((m) => `**${m}**`).join(", ")} |`);
  }
  const failed = result.steps.filter((s) => s.reasons.length > 0);
  if (failed.length > 0) {
    lines.push("", "## Why steps failed", "");
    for (const s of failed) {
      lines.push(`- Step ${s.index} (${formatRate(s.askedRate)} ops/s): ${redactText(s.reasons.join("; "))}`);
    }
  }
  const noted = result.steps.filter((s) => s.notes.length > 0);
  if (noted.length > 0) {
    lines.push("", "## Notes", "");
    for (const s of noted)
      lines.push(`- Step ${s.index} (${formatRate(s.askedRate)} ops/s): ${s.notes.join("; ")}`);
  }
  if (result.warnings.length > 0) {
    lines.push("", "## Warnings", "", ...result.warnings.map((w) => `- ${redactText(w)}`));
  }
  lines.push(
    "",
    "Each step is a constant-rate open-loop run with its own count check against INFO commandstats. " +
      "A step passes when the SLO held and at least 95 % of the asked rate was achieved; latency counts from each " +
      "operation's intended start, so a client's late sends can only make a step look worse. A failed step is the " +
      "client's failure when the client fell behind (under 95 % achieved or over 1 % of sends late) with pipeline " +
      "slots free, and the server's when the pipelines were full of unanswered requests (rate × service time p99 " +
      "at least half the slots) or the client kept up.",
    "",
  );
  return lines.join("\n");
}

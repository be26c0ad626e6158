import { redactText, redactUrl } from "../core/redact.js";
import { keepUpAdvice } from "../result/generator-behind.js";
import type { CountCheck, LatencySummaryMs, RunResult } from "../result/result-types.js";
import { alertLines, auditLines, costLines, recommendationLines, zoneLines } from "./analysis-sections.js";
import { checkLines } from "./check-lines.js";
import { faultLines } from "./fault-lines.js";
import {
  displayWidth,
  formatCount,
  formatDurationMs,
  formatMs,
  formatPercent,
  formatRate,
  formatThresholdActual,
  padEndWidth,
  padStartWidth,
  percentOf,
} from "./format.js";
import { isPartialShard, shardLines } from "./shard-lines.js";

/**
 * The human summary the CLI prints to stderr at the end of a run. It returns a string so tests can
 * read it and the CLI decides where it goes; nothing here writes to a stream.
 */

export interface SummaryOptions {
  /** ANSI colours for a TTY. Off by default: logs and CI output should stay plain text. */
  color?: boolean;
}

/**
 * Above this share of late starts the open-loop schedule was not kept by the load generator itself,
 * so the corrected latencies partly measure cachestress rather than the server.
 */
export const LATE_START_WARN_PERCENT = 1;

const TABLE_HEADER = ["command", "ops", "ops/s", "p50", "p90", "p99", "p99.9", "max", "errors"];

type Paint = (text: string, tone: "ok" | "bad" | "warn" | "bold") => string;

const SGR: Record<Parameters<Paint>[1], string> = { ok: "32", bad: "31", warn: "33", bold: "1" };

export function renderSummary(result: RunResult, options: SummaryOptions = {}): string {
  const paint: Paint = options.color
    ? (text, tone) => `\u001b[${SGR[tone]}m${text}\u001b[0m`
    : (text) => text;
  const lines: string[] = [];

  lines.push(...headerLines(result, paint));
  // The zones lead the report: the first thing a reader sees is whether the run was healthy.
  const zones = zoneLines(result);
  if (zones.length > 0) lines.push("", ...zones);
  lines.push("");
  lines.push(
    result.mode === "open-loop"
      ? "latency (ms, from each operation's intended start: corrected for coordinated omission)"
      : "latency (ms, from send to reply)",
  );
  lines.push(...commandTable(result));
  if (result.openLoop) lines.push("", ...openLoopLines(result, paint));
  lines.push("", ...errorLines(result, paint));
  lines.push(...countCheckLines(result.countCheck, paint));
  const shard = shardLines(result);
  if (shard.length > 0) lines.push("", ...shard);
  if (!isPartialShard(result)) {
    lines.push("", ...thresholdLines(result, paint));
    lines.push(verdictLine(result, paint));
  }
  if (result.cleanup.error) {
    lines.push(
      paint(
        `cleanup failed under prefix ${result.cleanup.prefix}: ${redactText(result.cleanup.error)}`,
        "warn",
      ),
    );
  } else if (result.cleanup.kept) {
    lines.push(`keys kept under prefix ${result.cleanup.prefix} (${result.cleanup.note ?? "--keep-keys"})`);
  }
  const rest = [
    checkLines(result),
    faultLines(result),
    alertLines(result),
    recommendationLines(result),
    costLines(result),
    auditLines(result),
  ].filter((b) => b.length > 0);
  for (const block of rest) lines.push("", ...block);
  for (const warning of result.warnings) lines.push(paint(`warning: ${redactText(warning)}`, "warn"));
  return `${lines.join("\n")}\n`;
}

function headerLines(result: RunResult, paint: Paint): string[] {
  const partial = result.status !== "completed";
  const status = partial ? paint(`${result.status.toUpperCase()} (PARTIAL)`, "bad") : result.status;
  const header =
    `cachestress ${result.tool.version}  scenario ${result.scenario}  ${result.mode}  ` +
    `${redactUrl(result.target.url)}  ${formatDurationMs(result.durationMs)}  ${status}`;
  const lines = [paint(header, "bold")];
  if (partial) {
    const reason = result.stopReason ? ` (${redactText(result.stopReason)})` : "";
    lines.push(
      paint(
        `PARTIAL RUN: ${result.status}${reason}; the numbers below cover only the ` +
          `${formatDurationMs(result.durationMs)} measured before it ended.`,
        "bad",
      ),
    );
  }
  return lines;
}

function latencyCells(latency: LatencySummaryMs): string[] {
  return [latency.p50, latency.p90, latency.p99, latency.p999, latency.max].map(formatMs);
}

function commandTable(result: RunResult): string[] {
  const rows = Object.entries(result.perCommand).map(([name, command]) => [
    name,
    formatCount(command.ops),
    formatRate(command.opsPerSec),
    ...latencyCells(command.latency),
    formatCount(command.errors),
  ]);
  const total = [
    "TOTAL",
    formatCount(result.totals.ops),
    formatRate(result.totals.opsPerSec),
    ...latencyCells(result.latency),
    formatCount(result.totals.errors),
  ];
  return alignTable(TABLE_HEADER, rows, total);
}

/**
 * Pads every column to its widest cell by display width: the first column is left-aligned text,
 * the rest are right-aligned numbers so digits line up.
 */
export function alignTable(header: string[], rows: string[][], footer?: string[]): string[] {
  const all = footer ? [header, ...rows, footer] : [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => displayWidth(row[col] ?? ""))));
  const line = (row: string[]) =>
    row
      .map((cell, col) => (col === 0 ? padEndWidth(cell, widths[col]) : padStartWidth(cell, widths[col])))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const out = [line(header), rule, ...rows.map(line)];
  if (footer) out.push(rule, line(footer));
  return out;
}

/** Operations sent in the measured part; replies stand in when an older engine did not count sends. */
export function opsBase(result: RunResult): number {
  return result.totals.sent > 0 ? result.totals.sent : result.totals.ops;
}

function openLoopLines(result: RunResult, paint: Paint): string[] {
  const openLoop = result.openLoop!;
  const achieved = percentOf(result.totals.opsPerSec, openLoop.targetRate);
  const lines = [
    `open loop: target ${formatRate(openLoop.targetRate)} ops/s, achieved ` +
      `${formatRate(result.totals.opsPerSec)} ops/s (${formatPercent(achieved)})`,
  ];
  if (result.serviceTime) {
    lines.push(
      `service time (ms, from the actual send): p50 ${formatMs(result.serviceTime.p50)}  ` +
        `p99 ${formatMs(result.serviceTime.p99)}`,
    );
  }
  const latePercent = percentOf(openLoop.lateStarts, opsBase(result));
  lines.push(
    `late starts: ${formatCount(openLoop.lateStarts)} (${formatPercent(latePercent)} of ops), ` +
      `schedule lag p99 ${formatMs(openLoop.scheduleLagMs.p99)} ms, max ${formatMs(openLoop.scheduleLagMs.max)} ms`,
  );
  lines.push(
    `event-loop delay: p99 ${formatMs(openLoop.eventLoopDelayMs.p99)} ms, ` +
      `max ${formatMs(openLoop.eventLoopDelayMs.max)} ms`,
  );
  if (latePercent > LATE_START_WARN_PERCENT) {
    lines.push(
      paint(
        `WARNING: ${formatPercent(latePercent)} of operations started late: cachestress itself could not keep ` +
          "the schedule, so part of the latency above is the load generator's, not the server's. " +
          `To keep it: ${keepUpAdvice(result.config.threads)}.`,
        "warn",
      ),
    );
  }
  return lines;
}

function errorLines(result: RunResult, paint: Paint): string[] {
  const { totals } = result;
  // Errors include operations lost with a connection, which never got a reply, so divide by sent.
  const errorPercent = percentOf(totals.errors, opsBase(result));
  const errorText = `errors: ${formatCount(totals.errors)} (${formatPercent(errorPercent)} of ops)`;
  const lines = [totals.errors > 0 ? paint(errorText, "bad") : errorText];
  const kinds = Object.entries(totals.errorsByKind)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1]);
  if (kinds.length > 0) {
    lines.push(
      `  by kind: ${kinds.map(([kind, count]) => `${redactText(kind)} ${formatCount(count)}`).join(", ")}`,
    );
  }
  lines.push(`timeouts: ${formatCount(totals.timeouts)}  reconnects: ${formatCount(totals.reconnects)}`);
  const a = result.availability;
  if (a?.unavailableMs !== undefined && a.unavailableMs > 0)
    lines.push(
      paint(
        `availability: ${a.availabilityPercent} % (${formatDurationMs(a.unavailableMs)} without a successful reply; ` +
          `longest ${formatDurationMs(a.longestGapMs)} from ${a.fromS} s to ${a.toS} s)`,
        "bad",
      ),
    );
  return lines;
}

/**
 * A command's count is consistent when the server executed at least every operation that got a
 * reply and no more than were sent (a request in flight when the run ended may or may not have run).
 */
export function countMatches(entry: { sent: number; completed: number; server: number }): boolean {
  return entry.server >= entry.completed && entry.server <= entry.sent;
}

function countCheckLines(check: CountCheck, paint: Paint): string[] {
  const note = check.note ? ` (${redactText(check.note)})` : "";
  if (!check.checked) return [`count check: not checked${note}`];
  const entries = Object.entries(check.byCommand);
  if (check.ok) {
    const counted = entries.map(([name, c]) => `${formatCount(c.server)} ${name}`).join(", ");
    return [`count check: server counted ${counted || "nothing"}: matches${note}`];
  }
  // When the check failed, every command is listed with both sides so the reader sees which one is off.
  const detail = entries
    .map(([name, c]) => {
      const flag = countMatches(c) ? "" : " <- MISMATCH";
      return `${formatCount(c.server)} ${name} (sent ${formatCount(c.sent)}, replied ${formatCount(c.completed)})${flag}`;
    })
    .join("; ");
  const lines = [paint(`!! COUNT MISMATCH: server counted ${detail || "nothing"}`, "bad")];
  if (check.note) lines.push(paint(`!! ${redactText(check.note)}`, "bad"));
  return lines;
}

function thresholdLines(result: RunResult, paint: Paint): string[] {
  if (result.thresholds.length === 0)
    return ["thresholds: none (a run without thresholds passes unless no operation succeeded)"];
  const width = Math.max(...result.thresholds.map((t) => displayWidth(t.expression)));
  const lines = ["thresholds:"];
  for (const t of result.thresholds) {
    const mark = t.ok ? paint("✓", "ok") : paint("✗", "bad");
    lines.push(`  ${mark} ${padEndWidth(t.expression, width)}  actual ${formatThresholdActual(t.actual)}`);
  }
  return lines;
}

function verdictLine(result: RunResult, paint: Paint): string {
  const failed = result.thresholds.filter((t) => !t.ok).length;
  const notes: string[] = [];
  if (failed > 0) notes.push(`${failed} of ${result.thresholds.length} thresholds failed`);
  if (result.check !== undefined && !result.check.ok) notes.push(`the ${result.check.kind} check failed`);
  for (const reason of result.verdictReasons ?? []) notes.push(redactText(reason));
  // A run that did not reach its end is never a pass, whatever its part measured (exit 3 or 4).
  if (result.status !== "completed") {
    const held =
      notes.length === 0 ? "the thresholds held over the part measured; " : `${notes.join("; ")}; `;
    const verdict = result.status === "stopped" ? "STOPPED" : "FAIL";
    return paint(`verdict: ${verdict}, not a pass (${held}the run ${result.status} before its end)`, "bad");
  }
  const text = `verdict: ${result.verdict === "pass" ? "PASS" : "FAIL"}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
  return paint(text, result.verdict === "pass" ? "ok" : "bad");
}

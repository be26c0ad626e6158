import type { Stage } from "../config/types.js";
import { redactText, redactUrl } from "../core/redact.js";
import type { LatencySummaryMs, RunResult, SeriesPoint } from "../result/result-types.js";
import { analysisLines } from "./analysis-sections.js";
import {
  formatBytes,
  formatCount,
  formatDurationMs,
  formatMs,
  formatPercent,
  formatRate,
  formatThresholdActual,
  NO_VALUE,
  percentOf,
} from "./format.js";
import { poolMarkdown } from "./pool-lines.js";
import { checklistMarkdown, hitGroupsMarkdown } from "./row-sections.js";
import { serverColumns } from "./server-columns.js";
import { isPartialShard, shardLines } from "./shard-lines.js";
import { countMatches, LATE_START_WARN_PERCENT, opsBase } from "./summary-table.js";

/**
 * The Markdown summary written beside the JSON result: the same facts as the terminal summary plus
 * the configuration and a per-second series, in a form that pastes into a pull request or a wiki.
 * Every free-text field goes through redactText, and both URLs through redactUrl, even though the
 * result should already be redacted: a report is the one artefact that gets shared widely.
 */

/** Longer series are aggregated into buckets so the table stays readable (and the file small). */
export const MAX_SERIES_ROWS = 120;

export interface SeriesRow {
  tS: number;
  opsPerSec: number;
  targetRate?: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
}

/**
 * Folds consecutive points into at most `maxRows` rows. Percentiles cannot be merged from
 * percentiles, so a bucket reports the mean of its p50s and the worst p99 and max: the
 * conservative reading for a table whose job is to show where latency went bad.
 */
export function aggregateSeries(
  series: SeriesPoint[],
  maxRows = MAX_SERIES_ROWS,
): { rows: SeriesRow[]; bucketSize: number } {
  const bucketSize = Math.max(1, Math.ceil(series.length / Math.max(1, maxRows)));
  const rows: SeriesRow[] = [];
  for (let start = 0; start < series.length; start += bucketSize) {
    const bucket = series.slice(start, start + bucketSize);
    const targets = bucket.map((p) => p.targetRate).filter((r): r is number => r !== undefined);
    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    rows.push({
      tS: bucket[bucket.length - 1].tS,
      opsPerSec: mean(bucket.map((p) => p.opsPerSec)),
      targetRate: targets.length > 0 ? mean(targets) : undefined,
      p50Ms: mean(bucket.map((p) => p.p50Ms)),
      p99Ms: Math.max(...bucket.map((p) => p.p99Ms)),
      maxMs: Math.max(...bucket.map((p) => p.maxMs)),
      errors: bucket.reduce((sum, p) => sum + p.errors, 0),
    });
  }
  return { rows, bucketSize };
}

/** Makes a value safe inside a table cell: a `|` would start a new column, a newline end the row. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** An inline code span that survives backticks inside the value. */
function code(text: string): string {
  const fence = text.includes("`") ? "``" : "`";
  return `${fence}${fence.length > 1 ? ` ${text} ` : text}${fence}`;
}

function table(header: string[], rows: string[][], rightAlignFrom = 1): string[] {
  const align = header.map((_, i) => (i >= rightAlignFrom ? "---:" : "---"));
  const line = (row: string[]) => `| ${row.map(cell).join(" | ")} |`;
  return [line(header), `|${align.join("|")}|`, ...rows.map(line)];
}

export function describeStage(stage: Stage): string {
  const over = formatDurationMs(stage.durationMs);
  switch (stage.kind) {
    case "constant":
      return `constant ${formatRate(stage.rate)} ops/s for ${over}`;
    case "ramp":
      return `ramp ${formatRate(stage.fromRate)} → ${formatRate(stage.toRate)} ops/s over ${over}`;
    case "step": {
      const cap = stage.maxRate === undefined ? "" : `, max ${formatRate(stage.maxRate)}`;
      return `step from ${formatRate(stage.startRate)} ops/s, +${formatRate(stage.stepRate)} every ${formatDurationMs(stage.stepEveryMs)}${cap}, for ${over}`;
    }
    case "burst":
      return `burst ${formatRate(stage.baseRate)} ops/s ×${stage.multiplier} for ${formatDurationMs(stage.burstMs)} every ${formatDurationMs(stage.burstEveryMs)}, for ${over}`;
    case "wave":
      return `wave ${formatRate(stage.baseRate)} ± ${formatRate(stage.amplitude)} ops/s, period ${formatDurationMs(stage.periodMs)}, for ${over}`;
    case "chaos":
      return `chaos ${formatRate(stage.minRate)}–${formatRate(stage.maxRate)} ops/s, new rate every ${formatDurationMs(stage.changeEveryMs)}, for ${over}`;
  }
}

function verdictSection(result: RunResult): string[] {
  const failed = result.thresholds.filter((t) => !t.ok);
  const lines: string[] = [];
  if (isPartialShard(result)) {
    lines.push(
      `**Verdict: at merge** (shard ${result.shard!.index}/${result.shard!.count}: thresholds and the count check are judged over all shards by \`cachestress merge\`)`,
    );
  } else if (result.verdict === "pass" && result.status !== "completed") {
    // Stopped by a signal (exit 4) or failed (exit 3): never a pass, whatever the part measured.
    const verdict = result.status === "stopped" ? "STOPPED" : "FAIL";
    lines.push(`**Verdict: ${verdict}, not a pass** (the run ${result.status} before its end)`);
  } else if (result.verdict === "pass") {
    const held =
      result.thresholds.length === 0
        ? "no thresholds set"
        : `all ${result.thresholds.length} thresholds held`;
    lines.push(`**Verdict: PASS** (${held})`);
  } else if (failed.length === 0 && (result.verdictReasons ?? []).length > 0) {
    lines.push(`**Verdict: FAIL** (${result.verdictReasons!.map(redactText).join("; ")})`);
  } else if (failed.length === 0 && result.check !== undefined && !result.check.ok) {
    lines.push(
      `**Verdict: FAIL** (the ${result.check.kind} check failed: ${result.check.problems.join("; ")})`,
    );
  } else {
    const which = failed.map((t) => `${code(t.expression)} (actual ${formatThresholdActual(t.actual)})`);
    lines.push(
      `**Verdict: FAIL** (${failed.length} of ${result.thresholds.length} thresholds failed: ${which.join(", ")})`,
    );
  }
  if (result.status !== "completed") {
    const reason = result.stopReason ? `: ${redactText(result.stopReason)}` : "";
    lines.push(
      "",
      `> **Partial run** (${result.status}${reason}). The numbers cover only the ${formatDurationMs(result.durationMs)} measured before it ended.`,
    );
  }
  if (result.stoppedBy !== undefined)
    lines.push(
      "",
      `> **Budget reached**: --${result.stoppedBy.limit} ${result.stoppedBy.budget} passed at ${result.stoppedBy.atS} s; the run stopped itself (${result.stoppedBy.ops} operations, about USD ${result.stoppedBy.costUsd} on ElastiCache Serverless ${result.stoppedBy.engine}).`,
    );
  if (result.countCheck.checked && !result.countCheck.ok) {
    lines.push(
      "",
      "> **COUNT MISMATCH**: the server's own counts disagree with the tool's; see the count check below.",
    );
  }
  return lines;
}

function configSection(result: RunResult): string[] {
  const { config, target } = result;
  const server = [target.serverVersion ? `version ${target.serverVersion}` : "version unknown"];
  if (target.managed) server.push("started by cachestress");
  if (target.tls) server.push("TLS");
  const load =
    config.stages && config.stages.length > 0
      ? config.stages.map(describeStage).join("; ")
      : config.rate !== undefined
        ? `open loop at ${formatRate(config.rate)} ops/s`
        : "closed loop";
  const rows: string[][] = [
    ["target", code(redactUrl(target.url))],
    ["configured URL", config.url === undefined ? "none (local server)" : code(redactUrl(config.url))],
    ["server", `${target.host}:${target.port} db ${target.db}, ${target.topology}, ${server.join(", ")}`],
    ["env", code(config.env)],
    ["mode", result.mode],
    ["load", load],
    ["started / ended (UTC)", `${result.startedAt} / ${result.endedAt}`],
    ["measured duration", formatDurationMs(result.durationMs)],
    ["connections × pipeline × threads", `${config.connections} × ${config.pipeline} × ${config.threads}`],
    ["commands (weight)", config.commands.map((c) => `${c.template ?? c.name} ${c.weight}`).join(", ")],
    ["keys", `${config.keyPattern} over ${formatCount(config.keyMax)} keys, prefix ${code(config.prefix)}`],
    [
      "value size",
      config.dataset === undefined
        ? `${formatBytes(config.dataSizeMin)} – ${formatBytes(config.dataSizeMax)}`
        : `${config.dataset} dataset records (JSON)`,
    ],
    ["TTL", config.ttlS === undefined ? "none" : `${formatCount(config.ttlS)} s`],
    ["operation timeout", `${formatCount(config.timeoutMs)} ms`],
    ["warmup / prefill", `${formatDurationMs(config.warmupMs)} / ${config.prefill ? "yes" : "no"}`],
    ["seed", String(config.seed)],
    ["tool", `${result.tool.name} ${result.tool.version}, result schema ${result.schemaVersion}`],
  ];
  return ["## Target and configuration", "", ...table(["", ""], rows, 2)];
}

function latencyRow(name: string, ops: number, rate: number, l: LatencySummaryMs, errors: number): string[] {
  const ms = [l.p50, l.p90, l.p95, l.p99, l.p999, l.max, l.mean].map(formatMs);
  return [name, formatCount(ops), formatRate(rate), ...ms, formatCount(errors)];
}

function latencySection(result: RunResult): string[] {
  const from =
    result.mode === "open-loop"
      ? "from each operation's intended start, corrected for coordinated omission"
      : "from send to reply";
  const header = ["command", "ops", "ops/s", "p50", "p90", "p95", "p99", "p99.9", "max", "mean", "errors"];
  const rows = Object.entries(result.perCommand).map(([name, c]) =>
    latencyRow(name, c.ops, c.opsPerSec, c.latency, c.errors),
  );
  const { totals } = result;
  rows.push(latencyRow("**TOTAL**", totals.ops, totals.opsPerSec, result.latency, totals.errors));
  return [`## Latency by command (ms, ${from})`, "", ...table(header, rows)];
}

function totalsSection(result: RunResult): string[] {
  const { totals } = result;
  const errorPercent = formatPercent(percentOf(totals.errors, opsBase(result)));
  return [
    "## Totals",
    "",
    ...table(
      ["ops", "ops/s", "sent", "errors", "timeouts", "reconnects"],
      [
        [
          formatCount(totals.ops),
          formatRate(totals.opsPerSec),
          formatCount(totals.sent),
          `${formatCount(totals.errors)} (${errorPercent})`,
          formatCount(totals.timeouts),
          formatCount(totals.reconnects),
        ],
      ],
      0,
    ),
  ];
}

function openLoopSection(result: RunResult): string[] {
  const openLoop = result.openLoop;
  if (!openLoop) return [];
  const latePercent = percentOf(openLoop.lateStarts, opsBase(result));
  const lines = [
    "## Open loop",
    "",
    `- Target rate ${formatRate(openLoop.targetRate)} ops/s, achieved ${formatRate(result.totals.opsPerSec)} ops/s (${formatPercent(percentOf(result.totals.opsPerSec, openLoop.targetRate))}).`,
    `- Late starts (sent 1 ms or more after schedule): ${formatCount(openLoop.lateStarts)} (${formatPercent(latePercent)} of ops); schedule lag p50 ${formatMs(openLoop.scheduleLagMs.p50)} ms, p99 ${formatMs(openLoop.scheduleLagMs.p99)} ms, max ${formatMs(openLoop.scheduleLagMs.max)} ms.`,
    `- Event-loop delay of the tool: p50 ${formatMs(openLoop.eventLoopDelayMs.p50)} ms, p99 ${formatMs(openLoop.eventLoopDelayMs.p99)} ms, max ${formatMs(openLoop.eventLoopDelayMs.max)} ms.`,
  ];
  if (latePercent > LATE_START_WARN_PERCENT) {
    lines.push(
      `- **Warning**: more than ${LATE_START_WARN_PERCENT} % of operations started late. cachestress itself could not keep the schedule, so part of the latency is the load generator's, not the server's.`,
    );
  }
  const service = Object.entries(result.perCommand).filter(([, c]) => c.serviceTime !== undefined);
  if (result.serviceTime || service.length > 0) {
    const rows = service.map(([name, c]) => serviceRow(name, c.serviceTime!));
    if (result.serviceTime) rows.push(serviceRow("**TOTAL**", result.serviceTime));
    lines.push("", "Service time (ms, from the actual send to reply):", "");
    lines.push(...table(["command", "p50", "p90", "p99", "p99.9", "max", "mean"], rows));
  }
  return lines;
}

function serviceRow(name: string, l: LatencySummaryMs): string[] {
  return [name, ...[l.p50, l.p90, l.p99, l.p999, l.max, l.mean].map(formatMs)];
}

function thresholdsSection(result: RunResult): string[] {
  if (result.thresholds.length === 0) return ["## Thresholds", "", "None set: the run passes on completion."];
  const rows = result.thresholds.map((t) => [
    t.ok ? "✓" : "✗ FAIL",
    code(t.expression),
    formatThresholdActual(t.actual),
  ]);
  return ["## Thresholds", "", ...table(["", "expression", "actual"], rows, 2)];
}

function countCheckSection(result: RunResult): string[] {
  const check = result.countCheck;
  const note = check.note ? ` ${redactText(check.note)}` : "";
  if (!check.checked) return ["## Count check", "", `Not checked.${note}`];
  const status = check.ok
    ? "Matches: the server counted what the tool measured."
    : "**MISMATCH**: the server's counts disagree with the tool's.";
  const rows = Object.entries(check.byCommand).map(([name, c]) => [
    name,
    formatCount(c.sent),
    formatCount(c.completed),
    formatCount(c.server),
    countMatches(c) ? "ok" : "**MISMATCH**",
  ]);
  return [
    "## Count check",
    "",
    `${status}${note}`,
    "",
    ...table(["command", "sent", "replied", "server", ""], rows),
  ];
}

function errorsSection(result: RunResult): string[] {
  const kinds = Object.entries(result.totals.errorsByKind).sort((a, b) => b[1] - a[1]);
  if (kinds.length === 0) return ["## Errors by kind", "", "None."];
  return [
    "## Errors by kind",
    "",
    ...table(
      ["kind", "count"],
      kinds.map(([k, n]) => [redactText(k), formatCount(n)]),
    ),
  ];
}

function seriesSection(result: RunResult): string[] {
  if (result.series.length === 0) return ["## Per-second series", "", "No samples."];
  const { rows, bucketSize } = aggregateSeries(result.series);
  const hasTarget = rows.some((r) => r.targetRate !== undefined);
  const server = serverColumns(result.serverSeries);
  const header = [
    "t (s)",
    "ops/s",
    ...(hasTarget ? ["target"] : []),
    "p50 (ms)",
    "p99 (ms)",
    "max (ms)",
    "errors",
    ...server.headers,
  ];
  const body = rows.map((r, i) => [
    String(r.tS),
    formatRate(r.opsPerSec),
    ...(hasTarget ? [r.targetRate === undefined ? NO_VALUE : formatRate(r.targetRate)] : []),
    formatMs(r.p50Ms),
    formatMs(r.p99Ms),
    formatMs(r.maxMs),
    formatCount(r.errors),
    ...server.cells(i === 0 ? 0 : rows[i - 1].tS, r.tS),
  ]);
  const lines = ["## Per-second series", ""];
  if (bucketSize > 1) {
    lines.push(
      `Each row aggregates ${bucketSize} s ending at t: ops/s and target are means, p50 the mean of the p50s, p99 and max the worst second; server CPU, memory and clients the worst sample, hit % the mean.`,
      "",
    );
  }
  return [...lines, ...table(header, body)];
}

function phasesAndCleanupSections(result: RunResult): string[] {
  const phaseRows: string[][] = [];
  for (const name of ["warmup", "prefill"] as const) {
    const phase = result.phases[name];
    if (phase) phaseRows.push([name, formatCount(phase.ops), formatDurationMs(phase.durationMs)]);
  }
  phaseRows.push(["measure", formatCount(result.totals.ops), formatDurationMs(result.durationMs)]);
  const { cleanup } = result;
  const cleanupText = cleanup.error
    ? `**Failed** under prefix ${code(cleanup.prefix)}: ${redactText(cleanup.error)}`
    : cleanup.kept
      ? `Keys kept under prefix ${code(cleanup.prefix)} (${cleanup.note ?? "asked to keep them"}).`
      : `Deleted ${formatCount(cleanup.keysDeleted)} keys under prefix ${code(cleanup.prefix)}.`;
  return [
    "## Phases",
    "",
    ...table(["phase", "ops", "duration"], phaseRows),
    "",
    "## Cleanup",
    "",
    cleanupText,
  ];
}

/** Zones, recommendations, cost and audit, as the terminal summary shows them. */
function analysisSection(result: RunResult): string[] {
  const lines = analysisLines(result);
  return lines.length > 0 ? ["## Zones, recommendations, cost", "", "```text", ...lines, "```"] : [];
}

function shardSection(result: RunResult): string[] {
  const lines = shardLines(result);
  return lines.length > 0 ? ["## Shards", "", "```text", ...lines, "```"] : [];
}

export function renderMarkdown(result: RunResult): string {
  const sections: string[][] = [
    [
      `# cachestress: ${result.scenario} (${result.env}), ${isPartialShard(result) ? `SHARD ${result.shard!.index}/${result.shard!.count}` : result.verdict.toUpperCase()}`,
    ],
    verdictSection(result),
    analysisSection(result),
    configSection(result),
    totalsSection(result),
    latencySection(result),
    openLoopSection(result),
    shardSection(result),
    thresholdsSection(result),
    countCheckSection(result),
    errorsSection(result),
    poolMarkdown(result, (h, rows) => table(h, rows)),
    hitGroupsMarkdown(result),
    seriesSection(result),
    phasesAndCleanupSections(result),
    checklistMarkdown(result),
    result.warnings.length > 0
      ? ["## Warnings", "", ...result.warnings.map((w) => `- ${redactText(w)}`)]
      : [],
    failedOutputsSection(result),
  ];
  return `${sections
    .filter((s) => s.length > 0)
    .map((s) => s.join("\n"))
    .join("\n\n")}\n`;
}

/**
 * The sections of renderMarkdown by name, each with its own `##` heading, for Markdown templates
 * (src/reports/template/): the default template places every one of them, so a templated report
 * says all that this one does.
 */
export function markdownSections(result: RunResult): Record<string, string> {
  const text = (lines: string[]) => lines.join("\n");
  return {
    verdict: text(verdictSection(result)),
    analysis: text(analysisSection(result)),
    configuration: text(configSection(result)),
    totals: text(totalsSection(result)),
    latency: text(latencySection(result)),
    openLoop: text(openLoopSection(result)),
    shards: text(shardSection(result)),
    thresholds: text(thresholdsSection(result)),
    countCheck: text(countCheckSection(result)),
    errors: text(errorsSection(result)),
    pool: text(poolMarkdown(result, (h, rows) => table(h, rows))),
    series: text(seriesSection(result)),
    phases: text(phasesAndCleanupSections(result)),
    hitGroups: text(hitGroupsMarkdown(result)),
    checklist: text(checklistMarkdown(result)),
    warnings: [
      result.warnings.length > 0
        ? text(["## Warnings", "", ...result.warnings.map((w) => `- ${redactText(w)}`)])
        : "",
      text(failedOutputsSection(result)),
    ]
      .filter((t) => t !== "")
      .join("\n\n"),
  };
}

/** Outputs and publishers never fail a run, so one that failed is said here or nowhere. */
function failedOutputsSection(result: RunResult): string[] {
  const failed = (result.outputs ?? []).filter((o) => o.failures > 0);
  if (failed.length === 0) return [];
  return [
    "## Outputs that failed",
    "",
    ...failed.map(
      (o) =>
        `- ${o.name}: ${o.failures} failure(s) over ${o.events} event(s); last: ${redactText(o.lastError ?? "")}`,
    ),
  ];
}

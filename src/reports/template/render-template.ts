import { redactText, redactUrl } from "../../core/redact.js";
import type { RunResult } from "../../result/result-types.js";
import { alertLines, auditLines, costLines, zoneLines } from "../analysis-sections.js";
import { checkLines } from "../check-lines.js";
import { faultLines } from "../fault-lines.js";
import { formatDurationMs, formatMs, formatRate } from "../format.js";
import { describeStage, markdownSections, renderMarkdown } from "../markdown.js";
import { resourceLines } from "../resource-lines.js";
import { isPartialShard } from "../shard-lines.js";
import { DEFAULT_TEMPLATE } from "./default-template.js";

/**
 * Fills a Markdown template's `{{name}}` placeholders from a run result. Sections keep their
 * headings one level down (`###`), so they sit under the template's own `##` headings. Empty
 * sections leave no blank run of lines behind.
 */

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

/** Every placeholder name a template may use (docs/reports.md describes each). */
export const PLACEHOLDERS = [
  "title",
  "scenario",
  "env",
  "verdictWord",
  "startedAt",
  "endedAt",
  "duration",
  "opsPerSec",
  "p50Ms",
  "p99Ms",
  "p999Ms",
  "maxMs",
  "errors",
  "objective",
  "environment",
  "verdict",
  "configuration",
  "totals",
  "latency",
  "openLoop",
  "thresholds",
  "countCheck",
  "errorsByKind",
  "pool",
  "series",
  "findings",
  "recommendations",
  "cost",
  "nextSteps",
  "shards",
  "phases",
  "warnings",
  "report",
  "hitGroups",
  "checklist",
] as const;

/** The names used in `template` that are not placeholders, to report them all at once. */
export function unknownPlaceholders(template: string): string[] {
  const known = new Set<string>(PLACEHOLDERS);
  const unknown = [...template.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((n) => !known.has(n));
  return [...new Set(unknown)];
}

export function renderTemplateMarkdown(result: RunResult, template: string = DEFAULT_TEMPLATE): string {
  const values = templateValues(result);
  const filled = template.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
  return `${filled.replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}

function demote(section: string): string {
  return section.replace(/^## /gm, "### ");
}

function withoutHeading(section: string): string {
  return section.replace(/^## [^\n]*\n+/, "");
}

function textBlock(lines: string[]): string {
  return lines.length > 0 ? ["```text", ...lines, "```"].join("\n") : "";
}

function verdictWord(result: RunResult): string {
  return isPartialShard(result)
    ? `SHARD ${result.shard!.index}/${result.shard!.count}`
    : result.verdict.toUpperCase();
}

function loadText(result: RunResult): string {
  const { config } = result;
  if (config.stages && config.stages.length > 0) return config.stages.map(describeStage).join("; ");
  if (config.rate !== undefined) return `an open-loop rate of ${formatRate(config.rate)} ops/s`;
  return `a closed loop of ${config.connections} connections × pipeline ${config.pipeline}`;
}

function objective(result: RunResult): string {
  const criteria =
    result.thresholds.length > 0
      ? `, judged by ${result.thresholds.map((t) => `\`${t.expression}\``).join(", ")}`
      : ", with no pass/fail thresholds set";
  return `Measure how ${result.target.host}:${result.target.port} (${result.target.topology}) holds ${loadText(result)} in the \`${result.scenario}\` scenario${criteria}.`;
}

function environment(result: RunResult): string {
  const t = result.target;
  const rows = [
    ["environment", `\`${result.env}\``],
    [
      "target",
      `\`${redactUrl(t.url)}\` (${t.topology}${t.tls ? ", TLS" : ""}${t.managed ? ", started by cachestress" : ""})`,
    ],
    ["server version", t.serverVersion ?? "unknown"],
    ["tool", `${result.tool.name} ${result.tool.version}, result schema ${result.schemaVersion}`],
    ["started / ended (UTC)", `${result.startedAt} / ${result.endedAt}`],
  ];
  return ["| | |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, "\\|")} |`)].join("\n");
}

/** Where in the run latency went bad: the worst second, and how p99 moved over the run. */
function latencyPattern(result: RunResult): string[] {
  if (result.series.length === 0) return [];
  const worst = result.series.reduce((a, b) => (b.p99Ms > a.p99Ms ? b : a));
  const p99s = result.series.map((p) => p.p99Ms).sort((a, b) => a - b);
  const median = p99s[Math.floor(p99s.length / 2)];
  return [
    `latency: per-second p99 median ${formatMs(median)} ms, worst ${formatMs(worst.p99Ms)} ms at t=${worst.tS} s (max ${formatMs(worst.maxMs)} ms)`,
  ];
}

function findings(result: RunResult): string {
  const blocks = [
    zoneLines(result),
    resourceLines(result),
    latencyPattern(result),
    checkLines(result),
    faultLines(result),
    alertLines(result),
    auditLines(result),
  ].filter((b) => b.length > 0);
  return textBlock(blocks.flatMap((b, i) => (i === 0 ? b : ["", ...b])).map(redactText));
}

function recommendations(result: RunResult): string {
  const recs = result.recommendations ?? [];
  if (recs.length === 0) return "None from this run.";
  return recs
    .map((r) =>
      [
        `- **${r.severity}: ${redactText(r.title)}**. ${redactText(r.advice)}`,
        ...r.evidence.map((e) => `  - evidence: ${redactText(e)}`),
      ].join("\n"),
    )
    .join("\n");
}

function nextSteps(result: RunResult): string {
  const steps: string[] = [];
  const failed = result.thresholds.filter((t) => !t.ok);
  if (failed.length > 0)
    steps.push(
      `Find out why ${failed.map((t) => `\`${t.expression}\``).join(", ")} failed before the next release.`,
    );
  if (result.countCheck.checked && !result.countCheck.ok)
    steps.push("Investigate the count mismatch: the server did not count what the tool sent.");
  for (const z of result.zones ?? [])
    if (z.zone === "risk" || z.zone === "failure")
      steps.push(
        `Look into ${z.label}: ${z.value} is in the ${z.zone} zone (stable below ${z.band.stableBelow}).`,
      );
  for (const r of result.recommendations ?? [])
    if (r.severity === "action") steps.push(`Act on: ${redactText(r.title)}.`);
  if (result.status !== "completed") steps.push("Repeat the run to its end; this one was partial.");
  if (result.thresholds.length === 0)
    steps.push("Set thresholds (`--threshold 'p(99)<10ms'`) so the run can gate a release.");
  steps.push(
    "Keep this result as the baseline and compare the next run with `cachestress compare BASE.json NEW.json`.",
  );
  return steps.map((s) => `- ${s}`).join("\n");
}

function templateValues(result: RunResult): Record<string, string> {
  const sections = markdownSections(result);
  const word = verdictWord(result);
  return {
    title: `cachestress: ${result.scenario} (${result.env}), ${word}`,
    scenario: result.scenario,
    env: result.env,
    verdictWord: word,
    startedAt: result.startedAt,
    endedAt: result.endedAt,
    duration: formatDurationMs(result.durationMs),
    opsPerSec: formatRate(result.totals.opsPerSec),
    p50Ms: formatMs(result.latency.p50),
    p99Ms: formatMs(result.latency.p99),
    p999Ms: formatMs(result.latency.p999),
    maxMs: formatMs(result.latency.max),
    errors: String(result.totals.errors),
    objective: objective(result),
    environment: environment(result),
    verdict: sections.verdict,
    configuration: withoutHeading(sections.configuration),
    totals: demote(sections.totals),
    latency: demote(sections.latency),
    openLoop: demote(sections.openLoop),
    thresholds: demote(sections.thresholds),
    countCheck: demote(sections.countCheck),
    errorsByKind: demote(sections.errors),
    pool: demote(sections.pool),
    series: demote(sections.series),
    findings: findings(result),
    recommendations: recommendations(result),
    cost: textBlock(costLines(result)),
    nextSteps: nextSteps(result),
    shards: sections.shards,
    phases: sections.phases,
    warnings: sections.warnings,
    report: renderMarkdown(result),
    hitGroups: demote(sections.hitGroups),
    checklist: demote(sections.checklist),
  };
}

import { redactText, redactUrl } from "../../core/redact.js";
import type { LatencySummaryMs, RunResult } from "../../result/result-types.js";
import { bandText } from "../../result/zones.js";
import {
  formatBytes,
  formatCount,
  formatDurationMs,
  formatMs,
  formatPercent,
  formatRate,
  formatThresholdActual,
  percentOf,
} from "../format.js";
import { describeStage } from "../markdown.js";
import { checklistHtml, hitGroupsHtml } from "../row-sections.js";
import { isPartialShard } from "../shard-lines.js";
import { countMatches, opsBase } from "../summary-table.js";
import type { ChartSpec } from "./chart-spec.js";
import { azureAndBudgetHtml } from "./cost-extras-html.js";
import { type Cell, escapeHtml, htmlTable, section } from "./escape.js";
import { chartFigure, htmlPage } from "./page.js";
import { poolBlock } from "./pool-html.js";
import { resourcesBlock } from "./resources-html.js";
import { runCharts, runMarkers } from "./run-charts.js";

/**
 * The self-contained HTML report of a run: verdict and risk zones first, then thresholds, charts
 * over time (throughput, latency per command, server), the latency distribution, the count check,
 * errors, recommendations with their evidence, cost, audit and the configuration. Every text from
 * the result is escaped (escape.ts) and redacted as in the Markdown report.
 */

const txt = (s: string) => escapeHtml(redactText(s));

function verdictBlock(result: RunResult): string {
  const partial = isPartialShard(result);
  const word = partial ? `SHARD ${result.shard!.index}/${result.shard!.count}` : result.verdict.toUpperCase();
  const cls = partial ? "muted" : result.verdict;
  const failed = result.thresholds.filter((t) => !t.ok);
  const lines: string[] = [];
  if (failed.length > 0)
    lines.push(
      `${failed.length} of ${result.thresholds.length} thresholds failed: ${failed.map((t) => `<code>${txt(t.expression)}</code>`).join(", ")}`,
    );
  else if (result.thresholds.length > 0) lines.push(`all ${result.thresholds.length} thresholds held`);
  else lines.push("no thresholds set");
  if (result.check !== undefined && !result.check.ok)
    lines.push(`the ${txt(result.check.kind)} check failed: ${txt(result.check.problems.join("; "))}`);
  if (result.status !== "completed")
    lines.push(
      `<span class="risk">partial run (${txt(result.status)}${result.stopReason ? `: ${txt(result.stopReason)}` : ""})</span>`,
    );
  if (result.stoppedBy !== undefined)
    lines.push(
      `<span class="risk">budget reached: --${txt(result.stoppedBy.limit)} ${result.stoppedBy.budget} passed at ${result.stoppedBy.atS} s (${result.stoppedBy.ops} operations, about USD ${result.stoppedBy.costUsd})</span>`,
    );
  if (result.countCheck.checked && !result.countCheck.ok)
    lines.push('<span class="fail">COUNT MISMATCH: the server counted differently</span>');
  const zones = (result.zones ?? []).map((z): Cell[] => [
    z.label,
    {
      html:
        z.zone === undefined
          ? '<span class="muted">not measured</span>'
          : `<span class="${z.zone}">${z.zone}</span>`,
    },
    z.value === undefined ? "–" : String(z.value),
    bandText(z),
    z.note ?? "",
  ]);
  return section(
    "verdict",
    "Verdict and risk zones",
    `<p><span class="badge ${cls}">${escapeHtml(word)}</span> ${lines.join("; ")}</p>
<p>${formatRate(result.totals.opsPerSec)} ops/s, p50 ${formatMs(result.latency.p50)} ms, p99 ${formatMs(result.latency.p99)} ms, p99.9 ${formatMs(result.latency.p999)} ms, max ${formatMs(result.latency.max)} ms, ${formatCount(result.totals.errors)} errors (${formatPercent(percentOf(result.totals.errors, opsBase(result)))}) over ${formatDurationMs(result.durationMs)}.</p>
${zones.length > 0 ? htmlTable(["metric", "zone", "value", "bands", "note"], zones) : ""}`,
  );
}

function thresholdsBlock(result: RunResult): string {
  if (result.thresholds.length === 0)
    return section("thresholds", "Thresholds", "<p>None set: the run passes on completion.</p>");
  const rows = result.thresholds.map((t): Cell[] => [
    { html: t.ok ? '<span class="pass">✓ pass</span>' : '<span class="fail">✗ FAIL</span>' },
    { html: `<code>${txt(t.expression)}</code>` },
    formatThresholdActual(t.actual),
  ]);
  return section("thresholds", "Thresholds", htmlTable(["", "expression", "actual"], rows));
}

function latencyRow(name: string, ops: number, rate: number, l: LatencySummaryMs, errors: number): Cell[] {
  return [
    name,
    formatCount(ops),
    formatRate(rate),
    ...[l.p50, l.p90, l.p99, l.p999, l.max, l.mean].map(formatMs),
    formatCount(errors),
  ];
}

function latencyTable(result: RunResult): string {
  const rows = Object.entries(result.perCommand).map(([n, c]) =>
    latencyRow(n, c.ops, c.opsPerSec, c.latency, c.errors),
  );
  rows.push(
    latencyRow("TOTAL", result.totals.ops, result.totals.opsPerSec, result.latency, result.totals.errors),
  );
  const header = ["command", "ops", "ops/s", "p50", "p90", "p99", "p99.9", "max", "mean", "errors"];
  const service = Object.entries(result.perCommand).filter(([, c]) => c.serviceTime !== undefined);
  const serviceTable =
    service.length === 0
      ? ""
      : `<p>Service time (ms, from the actual send):</p>${htmlTable(
          ["command", "p50", "p90", "p99", "p99.9", "max"],
          service.map(([n, c]) => [
            n,
            ...[
              c.serviceTime!.p50,
              c.serviceTime!.p90,
              c.serviceTime!.p99,
              c.serviceTime!.p999,
              c.serviceTime!.max,
            ].map(formatMs),
          ]),
        )}`;
  const from =
    result.mode === "open-loop"
      ? "from each operation's intended start (coordinated omission corrected)"
      : "from send to reply";
  return `<p>Latency in ms, ${from}.</p>${htmlTable(header, rows)}${serviceTable}`;
}

function chartsBlock(id: string, title: string, charts: ChartSpec[], intro = ""): string {
  if (charts.length === 0) return "";
  return section(id, title, `${intro}${charts.map(chartFigure).join("\n")}`);
}

function markerLegend(result: RunResult): string {
  const markers = runMarkers(result);
  if (markers.length === 0)
    return '<p class="muted">No alert fired and no fault was injected during the run.</p>';
  const rows = markers.map((m): Cell[] => [m.kind, m.fromS.toFixed(1), m.toS.toFixed(1), m.label]);
  return `<p class="legend-marks"><span style="color:var(--alert)">▮ alert</span><span style="color:var(--fault)">▮ fault</span><span style="color:var(--failover)">▮ failover</span> marked on every time chart.</p>${htmlTable(["kind", "from (s)", "to (s)", "what"], rows)}`;
}

function countCheckBlock(result: RunResult): string {
  const check = result.countCheck;
  if (!check.checked) return section("count-check", "Count check", `<p>Not checked. ${txt(check.note)}</p>`);
  const rows = Object.entries(check.byCommand).map(([n, c]): Cell[] => [
    n,
    formatCount(c.sent),
    formatCount(c.completed),
    formatCount(c.server),
    { html: countMatches(c) ? '<span class="pass">ok</span>' : '<span class="fail">MISMATCH</span>' },
  ]);
  const status = check.ok ? '<span class="pass">Matches</span>' : '<span class="fail">MISMATCH</span>';
  return section(
    "count-check",
    "Count check",
    `<p>${status}: ${txt(check.note)}</p>${htmlTable(["command", "sent", "replied", "server", ""], rows)}`,
  );
}

function errorsBlock(result: RunResult): string {
  const kinds = Object.entries(result.totals.errorsByKind).sort((a, b) => b[1] - a[1]);
  const body =
    kinds.length === 0
      ? "<p>None.</p>"
      : htmlTable(
          ["kind", "count"],
          kinds.map(([k, n]) => [redactText(k), formatCount(n)]),
        );
  return section(
    "errors",
    "Errors by kind",
    `${body}<p class="muted">${formatCount(result.totals.timeouts)} timeouts, ${formatCount(result.totals.reconnects)} reconnects.</p>`,
  );
}

function recommendationsBlock(result: RunResult): string {
  const recs = result.recommendations ?? [];
  if (recs.length === 0) return section("recommendations", "Recommendations", "<p>None from this run.</p>");
  const items = recs.map(
    (r) =>
      `<li><strong class="${r.severity === "action" ? "fail" : r.severity === "consider" ? "risk" : ""}">${escapeHtml(r.severity)}: ${txt(r.title)}</strong>. ${txt(r.advice)}<ul class="evidence">${r.evidence.map((e) => `<li>evidence: ${txt(e)}</li>`).join("")}</ul></li>`,
  );
  return section("recommendations", "Recommendations", `<ul>${items.join("\n")}</ul>`);
}

function costBlock(result: RunResult): string {
  const costs = result.costEstimate ?? [];
  const more = azureAndBudgetHtml(result);
  if (costs.length === 0) return more === "" ? "" : section("cost", "Cost of this load for a month", more);
  const rows = costs.map((c): Cell[] => [
    c.engine,
    `${c.currency} ${c.totalPerMonth.toFixed(2)}`,
    formatCount(c.ecpuPerSec),
    `${c.currency} ${c.ecpuCostPerMonth.toFixed(2)}`,
    `${c.dataGb} GB`,
    `${c.currency} ${c.dataCostPerMonth.toFixed(2)}`,
  ]);
  const notes = costs[0].assumptions.map((a) => `<li>${txt(a)}</li>`).join("");
  return section(
    "cost",
    "Cost of this load for a month (ElastiCache Serverless estimate)",
    `${htmlTable(["engine", "total / month", "ECPU/s", "ECPU cost", "data", "data cost"], rows)}<ul class="muted">${notes}<li>prices: ${txt(costs[0].priceSource)}, read ${txt(costs[0].priceReadOn)}</li></ul>${more}`,
  );
}

function auditBlock(result: RunResult): string {
  const audit = result.audit;
  if (audit === undefined) return "";
  const rows = audit.findings.map((f): Cell[] => [
    {
      html: f.ok
        ? '<span class="pass">ok</span>'
        : `<span class="${f.severity === "high" ? "fail" : "risk"}">${escapeHtml(f.severity)}</span>`,
    },
    f.setting,
    redactText(f.value ?? "?"),
    f.recommended,
    redactText(f.why),
  ]);
  const status = audit.ok ? '<span class="pass">PASS</span>' : '<span class="fail">FAIL</span>';
  return section(
    "audit",
    `Configuration audit (${audit.profile})`,
    `<p>${status}</p>${htmlTable(["", "setting", "value", "recommended", "why"], rows)}${audit.couldNotRead.map((l) => `<p class="muted">could not read: ${txt(l)}</p>`).join("")}`,
  );
}

function configBlock(result: RunResult): string {
  const { config, target } = result;
  const load = config.stages?.length
    ? config.stages.map(describeStage).join("; ")
    : config.rate !== undefined
      ? `open loop at ${formatRate(config.rate)} ops/s`
      : "closed loop";
  const rows: Cell[][] = [
    ["target", redactUrl(target.url)],
    [
      "server",
      `${target.host}:${target.port} db ${target.db}, ${target.topology}, version ${target.serverVersion ?? "unknown"}${target.managed ? ", started by cachestress" : ""}${target.tls ? ", TLS" : ""}`,
    ],
    ["env / scenario", `${result.env} / ${result.scenario}`],
    ["mode / load", `${result.mode}: ${load}`],
    ["started / ended (UTC)", `${result.startedAt} / ${result.endedAt}`],
    ["connections × pipeline × threads", `${config.connections} × ${config.pipeline} × ${config.threads}`],
    ["commands (weight)", config.commands.map((c) => `${c.template ?? c.name} ${c.weight}`).join(", ")],
    ["keys", `${config.keyPattern} over ${formatCount(config.keyMax)} keys, prefix ${config.prefix}`],
    [
      "value size",
      config.dataset === undefined
        ? `${formatBytes(config.dataSizeMin)} – ${formatBytes(config.dataSizeMax)}`
        : `${config.dataset} dataset`,
    ],
    ["tool", `${result.tool.name} ${result.tool.version}, result schema ${result.schemaVersion}`],
  ];
  return section(
    "configuration",
    "Target and configuration",
    htmlTable(
      ["", ""],
      rows.map(([k, v]) => [k, typeof v === "string" ? redactText(v) : v]),
    ),
  );
}

/** From 0 to the last time any chart has, so every time-axis chart shares one x axis. */
function timeRange(result: RunResult, charts: ChartSpec[]): [number, number] {
  let end = result.durationMs / 1000;
  for (const c of charts)
    if (c.timeAxis) for (const v of Object.values(c.variants)) end = Math.max(end, ...v.x);
  return [
    Math.min(
      0,
      ...charts.filter((c) => c.timeAxis).flatMap((c) => Object.values(c.variants)[0].x.slice(0, 1)),
    ),
    Math.max(1, end),
  ];
}

export function renderRunHtml(result: RunResult): string {
  const charts = runCharts(result);
  const byId = (ids: string[]) => charts.filter((c) => ids.includes(c.id));
  const server = charts.filter((c) => c.id.startsWith("server-"));
  const title = `cachestress: ${result.scenario} (${result.env})`;
  const body = [
    `<h1>${escapeHtml(title)}</h1><p class="muted">${escapeHtml(result.startedAt)} · ${escapeHtml(result.mode)} · ${escapeHtml(result.target.host)}:${result.target.port}</p>`,
    '<nav class="toc no-print"><a href="#verdict">verdict</a><a href="#thresholds">thresholds</a><a href="#over-time">over time</a><a href="#distribution">distribution</a><a href="#server">server</a><a href="#count-check">count check</a><a href="#errors">errors</a><a href="#recommendations">recommendations</a><a href="#configuration">configuration</a></nav>',
    verdictBlock(result),
    thresholdsBlock(result),
    chartsBlock(
      "over-time",
      "Throughput and latency over time",
      byId(["throughput", "latency"]),
      markerLegend(result),
    ),
    section(
      "distribution",
      "Latency distribution",
      `${charts.some((c) => c.id === "distribution") ? chartFigure(byId(["distribution"])[0]) : ""}${latencyTable(result)}`,
    ),
    chartsBlock("server", "Server (same time axis)", server),
    resourcesBlock(result),
    countCheckBlock(result),
    checklistHtml(result),
    hitGroupsHtml(result),
    errorsBlock(result),
    poolBlock(result),
    recommendationsBlock(result),
    costBlock(result),
    auditBlock(result),
    configBlock(result),
    result.warnings.length > 0
      ? section(
          "warnings",
          "Warnings",
          `<ul>${result.warnings.map((w) => `<li>${txt(w)}</li>`).join("")}</ul>`,
        )
      : "",
  ];
  return htmlPage({
    title,
    body: body.filter((b) => b !== "").join("\n"),
    data: { charts, markers: runMarkers(result), timeRange: timeRange(result, charts) },
  });
}

import { redactText } from "../../core/redact.js";
import { formatMs, formatRate } from "../format.js";
import { escapeHtml, htmlTable, section } from "../html/escape.js";
import { htmlPage } from "../html/page.js";
import type { RunSummary, SummaryRow } from "./summarize-runs.js";

/** The consolidated summary as Markdown (the stand-up document) and as a plain HTML page. */

const HEADER = [
  "environment",
  "scenario",
  "runs",
  "passed",
  "ops/s",
  "p50 ms",
  "p99 ms",
  "p99.9 ms",
  "max ms",
  "errors %",
  "hit %",
  "CPU % peak",
  "memory MB peak",
];

const opt = (v: number | undefined, digits = 1) => (v === undefined ? "–" : v.toFixed(digits));

function cells(r: SummaryRow): string[] {
  return [
    r.env,
    r.scenario,
    String(r.runs),
    `${r.passed}/${r.runs}`,
    formatRate(r.opsPerSec),
    formatMs(r.p50Ms),
    formatMs(r.p99Ms),
    formatMs(r.p999Ms),
    formatMs(r.maxMs),
    r.errorPercent.toFixed(2),
    opt(r.hitRatioPercent),
    opt(r.cpuPercentMax),
    opt(r.memoryMbMax),
  ];
}

export function renderSummaryMarkdown(summary: RunSummary, generatedAt: string): string {
  const esc = (s: string) => redactText(s).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  const runs = summary.rows.reduce((n, r) => n + r.runs, 0);
  const lines = [
    "# cachestress summary",
    "",
    `${runs} runs, ${summary.environments.length} environments (${summary.environments.join(", ")}), ${summary.scenarios.length} scenarios; generated ${generatedAt}. Figures are medians over a row's runs; max and peaks are the worst.`,
    "",
    "## Results by environment and scenario",
    "",
    `| ${HEADER.join(" | ")} |`,
    `|---|---|${HEADER.slice(2)
      .map(() => "---:")
      .join("|")}|`,
    ...summary.rows.map((r) => `| ${cells(r).map(esc).join(" | ")} |`),
    "",
    "## Findings",
    "",
    ...(summary.findings.length > 0
      ? summary.findings.map((f) => `- ${esc(f)}`)
      : ["No threshold failed, no zone at risk, every count matched."]),
    "",
    "## Latency patterns",
    "",
    ...(summary.patterns.length > 0 ? summary.patterns.map((p) => `- ${esc(p)}`) : ["Nothing stands out."]),
    "",
    "## Recommendations",
    "",
    ...(summary.recommendations.length > 0
      ? summary.recommendations.flatMap((m) => [
          `- **${m.severity}: ${esc(m.title)}** (${m.seenIn.map(esc).join(", ")}). ${esc(m.advice)}`,
          ...m.evidence.flatMap((e) => e.lines.map((l) => `  - ${esc(e.where)}: ${esc(l)}`)),
        ])
      : ["None."]),
    "",
    "## Files",
    "",
    ...summary.rows.flatMap((r) => r.files.map((f) => `- ${esc(r.env)}/${esc(r.scenario)}: \`${esc(f)}\``)),
  ];
  return `${lines.join("\n")}\n`;
}

export function renderSummaryHtml(summary: RunSummary, generatedAt: string): string {
  const list = (items: string[], empty: string) =>
    items.length > 0
      ? `<ul>${items.map((i) => `<li>${escapeHtml(redactText(i))}</li>`).join("")}</ul>`
      : `<p>${escapeHtml(empty)}</p>`;
  const recs = summary.recommendations.map(
    (m) =>
      `<li><strong>${escapeHtml(m.severity)}: ${escapeHtml(redactText(m.title))}</strong> (${escapeHtml(m.seenIn.join(", "))}). ${escapeHtml(redactText(m.advice))}<ul class="evidence">${m.evidence.flatMap((e) => e.lines.map((l) => `<li>${escapeHtml(`${e.where}: ${redactText(l)}`)}</li>`)).join("")}</ul></li>`,
  );
  const body = [
    `<h1>cachestress summary</h1><p class="muted">${escapeHtml(summary.environments.join(", "))} · generated ${escapeHtml(generatedAt)}</p>`,
    section("rows", "Results by environment and scenario", htmlTable(HEADER, summary.rows.map(cells))),
    section(
      "findings",
      "Findings",
      list(summary.findings, "No threshold failed, no zone at risk, every count matched."),
    ),
    section("patterns", "Latency patterns", list(summary.patterns, "Nothing stands out.")),
    section(
      "recommendations",
      "Recommendations",
      recs.length > 0 ? `<ul>${recs.join("")}</ul>` : "<p>None.</p>",
    ),
  ];
  return htmlPage({ title: "cachestress summary", body: body.join("\n"), data: { charts: [], markers: [] } });
}

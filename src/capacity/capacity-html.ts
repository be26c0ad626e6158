import { redactText } from "../core/redact.js";
import { formatRate } from "../reports/format.js";
import type { ChartSpec } from "../reports/html/chart-spec.js";
import { escapeHtml, htmlTable, section } from "../reports/html/escape.js";
import { chartFigure, htmlPage } from "../reports/html/page.js";
import type { CapacityResult } from "./capacity-result.js";
import { capacityRows, HEADER } from "./render-report.js";

/**
 * The capacity search as a self-contained HTML page: the message first, then the
 * latency-versus-throughput curve with the knee and the last good rate marked, then every step.
 */

function curveChart(result: CapacityResult): ChartSpec {
  const curve = result.curve.filter((c) => c.verdict !== "stopped");
  const vlines: ChartSpec["vlines"] = [];
  if (result.capacity.lastGoodRate !== null)
    vlines.push({
      x: result.capacity.lastGoodRate,
      label: `last good ${formatRate(result.capacity.lastGoodRate)}`,
    });
  if (result.knee !== null)
    vlines.push({ x: result.knee.rate, label: `knee ${formatRate(result.knee.rate)}` });
  return {
    id: "capacity-curve",
    title: "Latency versus asked throughput",
    xLabel: "asked ops/s",
    yLabel: "ms",
    variants: {
      latency: {
        x: curve.map((c) => c.askedRate),
        series: [
          { label: "p50 ms", values: curve.map((c) => c.p50Ms) },
          { label: "p99 ms", values: curve.map((c) => c.p99Ms) },
          { label: "p99.9 ms", values: curve.map((c) => c.p999Ms) },
        ],
      },
    },
    vlines,
  };
}

function achievedChart(result: CapacityResult): ChartSpec {
  const curve = result.curve.filter((c) => c.verdict !== "stopped");
  return {
    id: "capacity-achieved",
    title: "Achieved versus asked throughput",
    xLabel: "asked ops/s",
    yLabel: "ops/s",
    variants: {
      rate: {
        x: curve.map((c) => c.askedRate),
        series: [
          { label: "achieved ops/s", values: curve.map((c) => c.achievedRate) },
          { label: "asked ops/s", values: curve.map((c) => c.askedRate), dashed: true },
        ],
      },
    },
    vlines:
      result.capacity.lastGoodRate !== null ? [{ x: result.capacity.lastGoodRate, label: "last good" }] : [],
  };
}

export function renderCapacityHtml(result: CapacityResult): string {
  const charts = result.curve.length > 0 ? [curveChart(result), achievedChart(result)] : [];
  const title = `cachestress capacity: ${result.scenario} (${result.env})`;
  const good = result.capacity.lastGoodRate;
  const rows = capacityRows(result).map((r) => [...r.cells, r.marks.join(", ")]);
  const body = [
    `<h1>${escapeHtml(title)}</h1><p class="muted">${escapeHtml(result.startedAt)} · ${escapeHtml(redactText(result.target.url))}</p>`,
    section(
      "verdict",
      "Capacity",
      `<p><span class="badge ${good !== null ? "pass" : "fail"}">${good !== null ? `${escapeHtml(formatRate(good))} ops/s` : "NONE"}</span> ${escapeHtml(redactText(result.capacity.message))}</p>${result.knee !== null ? `<p>Knee at ${escapeHtml(formatRate(result.knee.rate))} ops/s.</p>` : "<p>No knee found (it needs two or more measured rates, and p99 leaving its low-load level).</p>"}`,
    ),
    charts.length > 0
      ? section("curve", "Latency-versus-throughput curve", charts.map(chartFigure).join("\n"))
      : "",
    section("steps", "Steps", htmlTable([...HEADER, "marks"], rows)),
    result.warnings.length > 0
      ? section(
          "warnings",
          "Warnings",
          `<ul>${result.warnings.map((w) => `<li>${escapeHtml(redactText(w))}</li>`).join("")}</ul>`,
        )
      : "",
  ];
  return htmlPage({ title, body: body.filter((b) => b !== "").join("\n"), data: { charts, markers: [] } });
}

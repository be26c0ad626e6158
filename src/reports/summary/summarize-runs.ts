import type { Recommendation } from "../../result/recommendations.js";
import type { RunResult } from "../../result/result-types.js";
import { formatMs } from "../format.js";

/**
 * `cachestress summary`: many results (environments × scenarios × repeats) folded into what a team
 * reads at its stand-up: one row per environment and scenario, the findings (failed thresholds,
 * zones at risk, count mismatches), latency patterns across environments, and the recommendations
 * merged by kind with the evidence of every run that raised them.
 */

export interface SummaryRow {
  env: string;
  scenario: string;
  runs: number;
  passed: number;
  /** Medians over the runs. */
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  /** The worst max over the runs. */
  maxMs: number;
  errorPercent: number;
  hitRatioPercent?: number;
  cpuPercentMax?: number;
  memoryMbMax?: number;
  files: string[];
}

export interface MergedRecommendation {
  id: string;
  severity: Recommendation["severity"];
  title: string;
  advice: string;
  /** Where it came up: `env/scenario`. */
  seenIn: string[];
  evidence: { where: string; lines: string[] }[];
}

export interface RunSummary {
  rows: SummaryRow[];
  findings: string[];
  patterns: string[];
  recommendations: MergedRecommendation[];
  environments: string[];
  scenarios: string[];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? 0 : s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function optionalMedian(values: (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? median(known) : undefined;
}

function errorPercent(r: RunResult): number {
  const base = Math.max(r.totals.sent, r.totals.ops);
  return base > 0 ? (100 * r.totals.errors) / base : 0;
}

const SEVERITY_ORDER = { action: 0, consider: 1, info: 2 } as const;

export function summarizeRuns(inputs: readonly { path: string; result: RunResult }[]): RunSummary {
  const groups = new Map<string, { path: string; result: RunResult }[]>();
  for (const input of inputs) {
    const key = `${input.result.env}\u0000${input.result.scenario}`;
    groups.set(key, [...(groups.get(key) ?? []), input]);
  }
  const rows: SummaryRow[] = [...groups.values()].map((runs) => {
    const rs = runs.map((r) => r.result);
    const maxOf = (vs: (number | undefined)[]) => {
      const known = vs.filter((v): v is number => v !== undefined);
      return known.length > 0 ? Math.max(...known) : undefined;
    };
    return {
      env: rs[0].env,
      scenario: rs[0].scenario,
      runs: rs.length,
      passed: rs.filter((r) => r.verdict === "pass" && r.status === "completed").length,
      opsPerSec: median(rs.map((r) => r.totals.opsPerSec)),
      p50Ms: median(rs.map((r) => r.latency.p50)),
      p99Ms: median(rs.map((r) => r.latency.p99)),
      p999Ms: median(rs.map((r) => r.latency.p999)),
      maxMs: Math.max(...rs.map((r) => r.latency.max)),
      errorPercent: median(rs.map(errorPercent)),
      hitRatioPercent: optionalMedian(
        rs.map((r) => (r.server?.hitRatio === undefined ? undefined : 100 * r.server.hitRatio)),
      ),
      cpuPercentMax: maxOf(rs.map((r) => r.server?.processCpuPercentMax)),
      memoryMbMax: maxOf(
        rs.map((r) =>
          r.server?.usedMemoryBytesMax === undefined ? undefined : r.server.usedMemoryBytesMax / 1_048_576,
        ),
      ),
      files: runs.map((r) => r.path),
    };
  });
  rows.sort((a, b) => a.scenario.localeCompare(b.scenario) || a.env.localeCompare(b.env));
  return {
    rows,
    findings: findings(inputs),
    patterns: patterns(rows),
    recommendations: mergeRecommendations(inputs),
    environments: [...new Set(rows.map((r) => r.env))].sort(),
    scenarios: [...new Set(rows.map((r) => r.scenario))].sort(),
  };
}

function findings(inputs: readonly { path: string; result: RunResult }[]): string[] {
  const out: string[] = [];
  for (const { path, result: r } of inputs) {
    const where = `${r.env}/${r.scenario} (${path})`;
    for (const t of r.thresholds.filter((t) => !t.ok))
      out.push(`${where}: threshold \`${t.expression}\` failed (actual ${t.actual})`);
    if (r.status !== "completed") out.push(`${where}: ${r.status}${r.stopReason ? `: ${r.stopReason}` : ""}`);
    if (r.countCheck.checked && !r.countCheck.ok)
      out.push(`${where}: count mismatch with the server's INFO commandstats`);
    for (const z of r.zones ?? [])
      if (z.zone === "risk" || z.zone === "failure")
        out.push(`${where}: ${z.label} ${z.value} is ${z.zone.toUpperCase()}`);
    for (const e of r.alerts?.events ?? [])
      if (e.type === "firing") out.push(`${where}: alert ${e.rule} fired at ${e.tS.toFixed(1)} s`);
  }
  return out;
}

/** How latency differs between environments running the same scenario, and within runs. */
function patterns(rows: SummaryRow[]): string[] {
  const out: string[] = [];
  const byScenario = new Map<string, SummaryRow[]>();
  for (const row of rows) byScenario.set(row.scenario, [...(byScenario.get(row.scenario) ?? []), row]);
  for (const [scenario, envRows] of byScenario) {
    if (envRows.length < 2) continue;
    const sorted = [...envRows].sort((a, b) => a.p99Ms - b.p99Ms);
    const best = sorted[0];
    const worst = sorted[sorted.length - 1];
    const ratio = best.p99Ms > 0 ? worst.p99Ms / best.p99Ms : Infinity;
    out.push(
      `${scenario}: p99 lowest in ${best.env} (${formatMs(best.p99Ms)} ms), highest in ${worst.env} (${formatMs(worst.p99Ms)} ms${Number.isFinite(ratio) ? `, ${ratio.toFixed(1)}×` : ""}); throughput ${sorted.map((r) => `${r.env} ${Math.round(r.opsPerSec)}`).join(", ")} ops/s`,
    );
  }
  for (const row of rows) {
    if (row.p50Ms > 0 && row.p99Ms / row.p50Ms >= 10)
      out.push(
        `${row.env}/${row.scenario}: long tail, p99 is ${(row.p99Ms / row.p50Ms).toFixed(0)}× p50 (${formatMs(row.p99Ms)} vs ${formatMs(row.p50Ms)} ms)`,
      );
  }
  return out;
}

function mergeRecommendations(
  inputs: readonly { path: string; result: RunResult }[],
): MergedRecommendation[] {
  const merged = new Map<string, MergedRecommendation>();
  for (const { result: r } of inputs) {
    for (const rec of r.recommendations ?? []) {
      const where = `${r.env}/${r.scenario}`;
      let m = merged.get(rec.id);
      if (m === undefined) {
        m = {
          id: rec.id,
          severity: rec.severity,
          title: rec.title,
          advice: rec.advice,
          seenIn: [],
          evidence: [],
        };
        merged.set(rec.id, m);
      }
      if (SEVERITY_ORDER[rec.severity] < SEVERITY_ORDER[m.severity]) m.severity = rec.severity;
      if (!m.seenIn.includes(where)) m.seenIn.push(where);
      m.evidence.push({ where, lines: rec.evidence });
    }
  }
  return [...merged.values()].sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.seenIn.length - a.seenIn.length,
  );
}

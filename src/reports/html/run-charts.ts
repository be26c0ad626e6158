import type { RunResult } from "../../result/result-types.js";
import { type ChartSeries, type ChartSpec, countPoints, type Marker } from "./chart-spec.js";
import { percentileAxis, percentileCurve } from "./distribution.js";

/**
 * The charts of a run's HTML report, as data: throughput, latency over time (per command
 * selectable), the HDR percentile curve, and the server's side on the same time axis.
 */

const ALL = "all commands";

function timeChart(id: string, title: string, yLabel: string, x: number[], series: ChartSeries[]): ChartSpec {
  return { id, title, xLabel: "t (s)", yLabel, timeAxis: true, variants: { [ALL]: { x, series } } };
}

export function throughputChart(result: RunResult): ChartSpec {
  const s = result.series;
  const series: ChartSeries[] = [{ label: "ops/s", values: s.map((p) => p.opsPerSec) }];
  if (s.some((p) => p.targetRate !== undefined))
    series.push({ label: "target ops/s", values: s.map((p) => p.targetRate ?? null), dashed: true });
  series.push({ label: "errors", values: s.map((p) => p.errors) });
  return timeChart(
    "throughput",
    "Throughput and errors per interval",
    "ops/s",
    s.map((p) => p.tS),
    series,
  );
}

export function latencyChart(result: RunResult): ChartSpec {
  const s = result.series;
  const x = s.map((p) => p.tS);
  const from = result.mode === "open-loop" ? " (from intended start)" : "";
  const all: ChartSeries[] = [
    { label: `p50${from}`, values: s.map((p) => p.p50Ms) },
    { label: `p99${from}`, values: s.map((p) => p.p99Ms) },
    { label: "max", values: s.map((p) => p.maxMs) },
  ];
  if (s.some((p) => p.serviceP99Ms !== undefined)) {
    all.push({
      label: "service p50 (from send)",
      values: s.map((p) => p.serviceP50Ms ?? null),
      dashed: true,
    });
    all.push({
      label: "service p99 (from send)",
      values: s.map((p) => p.serviceP99Ms ?? null),
      dashed: true,
    });
  }
  const variants: ChartSpec["variants"] = { [ALL]: { x, series: all } };
  for (const name of Object.keys(result.perCommand)) {
    variants[name] = {
      x,
      series: [
        { label: `${name} p50${from}`, values: s.map((p) => p.perCommand[name]?.p50Ms ?? null) },
        { label: `${name} p99${from}`, values: s.map((p) => p.perCommand[name]?.p99Ms ?? null) },
        ...(s.some((p) => p.perCommand[name]?.serviceP99Ms !== undefined)
          ? [
              {
                label: `${name} service p99 (from send)`,
                values: s.map((p) => p.perCommand[name]?.serviceP99Ms ?? null),
                dashed: true,
              },
            ]
          : []),
      ],
    };
  }
  return {
    id: "latency",
    title: "Latency percentiles over time (ms)",
    xLabel: "t (s)",
    yLabel: "ms",
    timeAxis: true,
    variants,
  };
}

export function distributionChart(result: RunResult): ChartSpec {
  const x = percentileAxis();
  const variants: ChartSpec["variants"] = {};
  const names = ["all", ...Object.keys(result.perCommand)];
  for (const name of names) {
    const series = [percentileCurve("latency", result.histograms.latencyUs[name])];
    const service = result.histograms.serviceTimeUs?.[name];
    if (service !== undefined) series.push(percentileCurve("service time", service));
    if (series[0].values.some((v) => v !== null)) variants[name === "all" ? ALL : name] = { x, series };
  }
  return {
    id: "distribution",
    title: "Latency distribution (HDR percentile curve up to p99.999, then max)",
    xLabel: "percentile",
    yLabel: "ms",
    percentileAxis: true,
    logY: true,
    variants,
  };
}

/** Server memory, CPU, hit ratio, evictions and clients, one chart each, on the run's time axis. */
export function serverCharts(result: RunResult): ChartSpec[] {
  const samples = (result.serverSeries ?? []).filter((s) => s.tS >= -0.5);
  if (samples.length === 0) return [];
  const x = samples.map((s) => s.tS);
  const pick = (f: (s: (typeof samples)[number]) => number | undefined) => samples.map((s) => f(s) ?? null);
  const has = (values: (number | null)[]) => values.some((v) => v !== null);
  const charts: ChartSpec[] = [];
  const memory: ChartSeries[] = [{ label: "used memory MB", values: pick((s) => mb(s.usedMemoryBytes)) }];
  const limit = pick((s) => (s.maxmemoryBytes ? mb(s.maxmemoryBytes) : undefined));
  if (has(limit)) memory.push({ label: "maxmemory MB", values: limit, dashed: true });
  if (has(memory[0].values)) charts.push(timeChart("server-memory", "Server memory (MB)", "MB", x, memory));
  const cpu = pick((s) => s.processCpuPercent);
  if (has(cpu))
    charts.push(
      timeChart("server-cpu", "Server CPU % (100 = one core)", "%", x, [{ label: "CPU %", values: cpu }]),
    );
  const hit = pick((s) => (s.hitRatio === undefined ? undefined : Math.round(s.hitRatio * 1000) / 10));
  if (has(hit))
    charts.push(timeChart("server-hit-ratio", "Hit ratio %", "%", x, [{ label: "hit %", values: hit }]));
  const evictions = pick((s) => s.evictedKeysPerSec);
  if (has(evictions))
    charts.push(
      timeChart("server-evictions", "Evictions per second", "keys/s", x, [
        { label: "evicted/s", values: evictions },
      ]),
    );
  const clients = pick((s) => s.connectedClients);
  if (has(clients))
    charts.push(
      timeChart("server-clients", "Connected clients", "clients", x, [{ label: "clients", values: clients }]),
    );
  return charts;
}

function mb(bytes: number | undefined): number | undefined {
  return bytes === undefined ? undefined : Math.round(bytes / 10_485.76) / 100;
}

/** Alert events, faults and failovers, as drawn on every time-axis chart. */
export function runMarkers(result: RunResult): Marker[] {
  const markers: Marker[] = [];
  for (const e of result.alerts?.events ?? [])
    markers.push({ fromS: e.tS, toS: e.tS, label: `${e.type}: ${e.rule}`, kind: "alert" });
  for (const f of result.faults ?? []) {
    if (f.startS === undefined) continue;
    markers.push({ fromS: f.startS, toS: f.endS ?? f.startS, label: `fault: ${f.name}`, kind: "fault" });
  }
  for (const f of result.failovers ?? [])
    markers.push({ fromS: f.tS, toS: f.tS, label: `failover to ${f.to}`, kind: "failover" });
  return markers;
}

export function runCharts(result: RunResult): ChartSpec[] {
  const charts = [throughputChart(result), latencyChart(result)];
  const distribution = distributionChart(result);
  if (Object.keys(distribution.variants).length > 0) charts.push(distribution);
  // A chart without points (a run that never measured) is left out rather than drawn empty.
  return [...charts, ...serverCharts(result)].filter((c) => countPoints(c) > 0);
}

import type { ServerSample } from "../probes/types.js";
import type { LatencySummaryMs, RunResult } from "../result/result-types.js";

/**
 * CSV files of a run for spreadsheets and notebooks: the per-second series (client columns, then
 * the server's sample of that second) and the per-command summary. RFC 4180 quoting; text that a
 * spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`, since command
 * names and error kinds come from scenario files and servers.
 */

export type CsvValue = string | number | boolean | undefined | null;

function csvCell(value: CsvValue): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvTable(header: string[], rows: CsvValue[][]): string {
  return `${[header, ...rows].map((row) => row.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

/** The last server sample taken in (fromS, toS], i.e. during that second of the series. */
export function sampleIn(
  samples: readonly ServerSample[],
  fromS: number,
  toS: number,
): ServerSample | undefined {
  let found: ServerSample | undefined;
  for (const s of samples) if (s.tS > fromS && s.tS <= toS) found = s;
  return found;
}

const SERVER_COLUMNS: [string, (s: ServerSample) => CsvValue][] = [
  ["server_used_memory_bytes", (s) => s.usedMemoryBytes],
  ["server_memory_used_percent", (s) => s.memoryUsedPercent],
  ["server_hit_ratio", (s) => s.hitRatio],
  ["server_evicted_keys_per_s", (s) => s.evictedKeysPerSec],
  ["server_connected_clients", (s) => s.connectedClients],
  ["server_cpu_percent", (s) => s.processCpuPercent],
  ["server_ops_per_s", (s) => s.instantaneousOpsPerSec],
];

export function renderSeriesCsv(result: RunResult): string {
  const commands = Object.keys(result.perCommand);
  const samples = result.serverSeries ?? [];
  const header = [
    "t_s",
    "ops",
    "ops_per_s",
    "target_ops_per_s",
    "errors",
    "timeouts",
    "p50_ms",
    "p99_ms",
    "max_ms",
    ...commands.flatMap((c) => [`${c}_ops`, `${c}_p50_ms`, `${c}_p99_ms`]),
    ...(samples.length > 0 ? SERVER_COLUMNS.map(([name]) => name) : []),
  ];
  const rows = result.series.map((p, i) => {
    const sample = sampleIn(samples, i === 0 ? -Infinity : result.series[i - 1].tS, p.tS);
    return [
      p.tS,
      p.ops,
      p.opsPerSec,
      p.targetRate,
      p.errors,
      p.timeouts,
      p.p50Ms,
      p.p99Ms,
      p.maxMs,
      ...commands.flatMap((c) => {
        const pc = p.perCommand[c];
        return [pc?.ops, pc?.p50Ms, pc?.p99Ms];
      }),
      ...(samples.length > 0 ? SERVER_COLUMNS.map(([, get]) => (sample ? get(sample) : undefined)) : []),
    ];
  });
  return csvTable(header, rows);
}

const LATENCY_KEYS: (keyof LatencySummaryMs)[] = ["p50", "p90", "p95", "p99", "p999", "max", "mean"];

export function renderCommandsCsv(result: RunResult): string {
  const header = [
    "command",
    "ops",
    "ops_per_s",
    "errors",
    ...LATENCY_KEYS.map((k) => `latency_${k}_ms`),
    ...LATENCY_KEYS.map((k) => `service_${k}_ms`),
  ];
  const row = (
    name: string,
    ops: number,
    rate: number,
    errors: number,
    l: LatencySummaryMs,
    s?: LatencySummaryMs,
  ) => [name, ops, rate, errors, ...LATENCY_KEYS.map((k) => l[k]), ...LATENCY_KEYS.map((k) => s?.[k])];
  const rows = Object.entries(result.perCommand).map(([name, c]) =>
    row(name, c.ops, c.opsPerSec, c.errors, c.latency, c.serviceTime),
  );
  const t = result.totals;
  rows.push(row("TOTAL", t.ops, t.opsPerSec, t.errors, result.latency, result.serviceTime));
  return csvTable(header, rows);
}

import type { RunResult } from "../../result/result-types.js";

/**
 * The figures `cachestress compare` puts side by side, each with the direction that is better,
 * and the names `--max-regression` knows them by (`p(99)=10%`, `throughput=5%`).
 */

export interface CompareMetric {
  /** The name in --max-regression and in --json output. */
  key: string;
  label: string;
  unit: string;
  better: "higher" | "lower";
  get(result: RunResult): number | undefined;
}

const errorPercent = (r: RunResult) => {
  const base = Math.max(r.totals.sent, r.totals.ops);
  return base > 0 ? (100 * r.totals.errors) / base : 0;
};

export const COMPARE_METRICS: readonly CompareMetric[] = [
  { key: "throughput", label: "throughput", unit: "ops/s", better: "higher", get: (r) => r.totals.opsPerSec },
  { key: "p(50)", label: "p50", unit: "ms", better: "lower", get: (r) => r.latency.p50 },
  { key: "p(90)", label: "p90", unit: "ms", better: "lower", get: (r) => r.latency.p90 },
  { key: "p(95)", label: "p95", unit: "ms", better: "lower", get: (r) => r.latency.p95 },
  { key: "p(99)", label: "p99", unit: "ms", better: "lower", get: (r) => r.latency.p99 },
  { key: "p(99.9)", label: "p99.9", unit: "ms", better: "lower", get: (r) => r.latency.p999 },
  { key: "max", label: "max", unit: "ms", better: "lower", get: (r) => r.latency.max },
  { key: "mean", label: "mean", unit: "ms", better: "lower", get: (r) => r.latency.mean },
  {
    key: "service-p(99)",
    label: "service time p99",
    unit: "ms",
    better: "lower",
    get: (r) => r.serviceTime?.p99,
  },
  { key: "errors", label: "errors", unit: "%", better: "lower", get: errorPercent },
  {
    key: "cpu",
    label: "server CPU peak",
    unit: "%",
    better: "lower",
    get: (r) => r.server?.processCpuPercentMax,
  },
  {
    key: "memory",
    label: "server used memory peak",
    unit: "MB",
    better: "lower",
    get: (r) => mb(r.server?.usedMemoryBytesMax),
  },
  {
    key: "hit-ratio",
    label: "hit ratio",
    unit: "%",
    better: "higher",
    get: (r) => (r.server?.hitRatio === undefined ? undefined : 100 * r.server.hitRatio),
  },
];

function mb(bytes: number | undefined): number | undefined {
  return bytes === undefined ? undefined : bytes / 1_048_576;
}

/** Per command p99, as `p(99){GET}`: the commands of the base are compared. */
export function commandMetrics(base: RunResult): CompareMetric[] {
  return Object.keys(base.perCommand).map((name) => ({
    key: `p(99){${name}}`,
    label: `${name} p99`,
    unit: "ms",
    better: "lower",
    get: (r: RunResult) => r.perCommand[name]?.latency.p99,
  }));
}

export interface RegressionLimit {
  key: string;
  /** Worse by more than this many percent of the base = a regression. */
  percent: number;
}

/** `p(99)=10%` → { key: "p(99)", percent: 10 }; undefined when it does not read. */
export function parseRegressionLimit(text: string): RegressionLimit | undefined {
  const match = /^\s*([A-Za-z][\w.(){}-]*)\s*=\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  if (!match) return undefined;
  const key = match[1] === "p99" ? "p(99)" : match[1] === "ops" ? "throughput" : match[1];
  return { key, percent: Number(match[2]) };
}

import type { ServerSample } from "../probes/types.js";
import { NO_VALUE } from "./format.js";

/**
 * The server's side of the Markdown per-second table: for each row (a span of seconds ending at
 * tS), the samples taken in that span. CPU and memory show the worst sample, because a short peak
 * is what the row must not hide; hit ratio the mean; evictions the sum of the per-second rates.
 * A column appears only when some sample has a value for it (managed services hide some fields).
 */

interface ServerColumn {
  header: string;
  cell(samples: ServerSample[]): string;
}

const worst = (values: (number | undefined)[]): number | undefined => {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? Math.max(...known) : undefined;
};
const mean = (values: (number | undefined)[]): number | undefined => {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? known.reduce((sum, v) => sum + v, 0) / known.length : undefined;
};
const show = (value: number | undefined, digits: number): string =>
  value === undefined ? NO_VALUE : value.toFixed(digits);

const COLUMNS: { has(s: ServerSample): boolean; column: ServerColumn }[] = [
  {
    has: (s) => s.processCpuPercent !== undefined,
    column: { header: "server CPU %", cell: (ss) => show(worst(ss.map((s) => s.processCpuPercent)), 0) },
  },
  {
    has: (s) => s.memoryUsedPercent !== undefined,
    column: { header: "mem %", cell: (ss) => show(worst(ss.map((s) => s.memoryUsedPercent)), 1) },
  },
  {
    has: (s) => s.usedMemoryBytes !== undefined,
    column: {
      header: "used MB",
      cell: (ss) => {
        const bytes = worst(ss.map((s) => s.usedMemoryBytes));
        return show(bytes === undefined ? undefined : bytes / 1024 / 1024, 1);
      },
    },
  },
  {
    has: (s) => s.hitRatio !== undefined,
    column: {
      header: "hit %",
      cell: (ss) => {
        const ratio = mean(ss.map((s) => s.hitRatio));
        return show(ratio === undefined ? undefined : ratio * 100, 1);
      },
    },
  },
  {
    has: (s) => s.connectedClients !== undefined,
    column: { header: "clients", cell: (ss) => show(worst(ss.map((s) => s.connectedClients)), 0) },
  },
  {
    has: (s) => (s.evictedKeysPerSec ?? 0) > 0,
    column: {
      header: "evicted/s",
      cell: (ss) => show(mean(ss.map((s) => s.evictedKeysPerSec)), 0),
    },
  },
];

export interface ServerColumns {
  headers: string[];
  /** Cells for the row covering (fromS, toS]. */
  cells(fromS: number, toS: number): string[];
}

export function serverColumns(samples: readonly ServerSample[] | undefined): ServerColumns {
  const measured = (samples ?? []).filter((s) => s.tS > 0);
  const columns = COLUMNS.filter((c) => measured.some(c.has)).map((c) => c.column);
  return {
    headers: columns.map((c) => c.header),
    cells(fromS, toS) {
      // Samples are taken on their own timer: a row takes those that fall into its span, rounded
      // to the sampling slack so a sample at 2.98 s lands in the row ending at 3 s.
      const inRow = measured.filter((s) => s.tS > fromS + 0.05 && s.tS <= toS + 0.05);
      return columns.map((c) => (inRow.length > 0 ? c.cell(inRow) : NO_VALUE));
    },
  };
}

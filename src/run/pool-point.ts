import type { PhaseTotals } from "../measure/phase-totals.js";
import type { PoolPoint } from "../result/result-types.js";

/**
 * One interval's connection-pool view from the threads' reports added up: open and in use are
 * read at the end of the interval (a sample, not an average), reconnects are counted over it.
 */
export function poolPoint(interval: PhaseTotals, spanS: number): PoolPoint {
  return {
    open: interval.connectionsUp,
    inUse: interval.connectionsInUse,
    waiting: interval.waitingOps,
    reconnectsPerSec: spanS > 0 ? Math.round((interval.reconnects / spanS) * 10) / 10 : 0,
  };
}

import { constants, PerformanceObserver } from "node:perf_hooks";

/**
 * Garbage collections of one engine thread over a phase, from Node's `gc` performance entries
 * (one entry per collection, so watching costs nothing per operation). Young-generation
 * collections (scavenges) are what per-operation allocation causes; a full collection is a
 * mark-sweep of the whole heap. Pauses are the entries' durations: the time the thread was stopped.
 */
export interface GcFigures {
  youngCollections: number;
  fullCollections: number;
  /** The longest single pause, ms. */
  maxPauseMs: number;
  /** All pauses together, ms. */
  totalPauseMs: number;
}

const NO_GC: GcFigures = { youngCollections: 0, fullCollections: 0, maxPauseMs: 0, totalPauseMs: 0 };

export class GcCounter {
  private figures: GcFigures = { ...NO_GC };
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) this.count(entry);
  });

  start(): void {
    this.figures = { ...NO_GC };
    this.observer.observe({ entryTypes: ["gc"] });
  }

  /**
   * What was counted since start(). Node delivers entries a moment after each collection, so one
   * in the last instant of the phase may be missed.
   */
  stop(): GcFigures {
    for (const entry of this.observer.takeRecords()) this.count(entry);
    this.observer.disconnect();
    const f = this.figures;
    return { ...f, maxPauseMs: round3(f.maxPauseMs), totalPauseMs: round3(f.totalPauseMs) };
  }

  private count(entry: PerformanceEntry): void {
    const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    const f = this.figures;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) f.youngCollections++;
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) f.fullCollections++;
    else return; // incremental marking steps and weak callbacks run between the thread's work
    f.totalPauseMs += entry.duration;
    if (entry.duration > f.maxPauseMs) f.maxPauseMs = entry.duration;
  }
}

/** Several threads' (or shards') figures together: counts and pause time add, the longest pause wins. */
export function addGc(all: readonly GcFigures[]): GcFigures {
  const sum = { ...NO_GC };
  for (const g of all) {
    sum.youngCollections += g.youngCollections;
    sum.fullCollections += g.fullCollections;
    sum.totalPauseMs += g.totalPauseMs;
    sum.maxPauseMs = Math.max(sum.maxPauseMs, g.maxPauseMs);
  }
  return { ...sum, maxPauseMs: round3(sum.maxPauseMs), totalPauseMs: round3(sum.totalPauseMs) };
}

/** What a result reports: the figures and young collections per million operations sent. */
export function engineGcFigures(gc: GcFigures, sent: number): GcFigures & { youngPerMillionOps: number } {
  const perMillion = sent > 0 ? Math.round((gc.youngCollections / sent) * 1e8) / 100 : 0;
  return { ...gc, youngPerMillionOps: perMillion };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

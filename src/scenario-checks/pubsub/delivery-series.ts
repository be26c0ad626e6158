import {
  type LatencyHistogram,
  latencyFiguresMs,
  newLatencyHistogram,
  recordMs,
  round3,
} from "../side-load/latency.js";

/** The most seconds the series keeps: an hour-long run still fits, a runaway clock does not grow it. */
const MAX_SECONDS = 86_400;

/**
 * Per second of the measured part: messages published (by send time), messages delivered (by
 * receive time, over all subscribers) and the delivery latency of that second.
 */
export class DeliverySeries {
  private readonly published: number[] = [];
  private readonly delivered: number[] = [];
  private readonly latency: LatencyHistogram[] = [];

  constructor(private readonly originEpochMs: number) {}

  onPublished(sendEpochMs: number): void {
    const s = this.second(sendEpochMs);
    if (s >= 0) this.published[s] = (this.published[s] ?? 0) + 1;
  }

  onDelivered(receiveEpochMs: number, latencyMs: number): void {
    const s = this.second(receiveEpochMs);
    if (s < 0) return;
    this.delivered[s] = (this.delivered[s] ?? 0) + 1;
    this.latency[s] ??= newLatencyHistogram();
    recordMs(this.latency[s], latencyMs);
  }

  /** One point per second: `tS` is the end of the second, as in the run's own series. */
  points(): Record<string, number | null>[] {
    const seconds = Math.max(this.published.length, this.delivered.length);
    return Array.from({ length: seconds }, (_, s) => {
      const figures = this.latency[s] !== undefined ? latencyFiguresMs(this.latency[s]) : undefined;
      return {
        tS: s + 1,
        published: this.published[s] ?? 0,
        delivered: this.delivered[s] ?? 0,
        deliveryP50Ms: figures?.p50Ms != null ? round3(figures.p50Ms) : null,
        deliveryP99Ms: figures?.p99Ms != null ? round3(figures.p99Ms) : null,
      };
    });
  }

  private second(epochMs: number): number {
    const s = Math.floor((epochMs - this.originEpochMs) / 1000);
    return s < MAX_SECONDS ? s : -1;
  }
}

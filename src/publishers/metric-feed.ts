import * as hdr from "hdr-histogram-js";
import { type LatencyHistogram, newLatencyHistogram } from "../measure/histogram.js";
import type { ServerSample } from "../probes/types.js";
import type { RunResult } from "../result/result-types.js";
import type { IntervalEvent, RunEvent, ServerSampleEvent } from "../run/run-events.js";

/**
 * What every publisher needs from the event stream, kept in one place: the run's labels, the measured
 * part's running totals per command (with the exact HDR latency histogram, added up from the
 * intervals, never re-measured), the latest server sample per node, and the intervals and samples
 * not yet pushed. Only the measured phase counts, as in the result: prefill and warmup are not the
 * figures a run is judged on.
 */

export interface RunLabels {
  /** A short id for this run, shared by every publisher (the Pushgateway group, the `run` label). */
  run: string;
  scenario: string;
  env: string;
  /** The target, password redacted: host:port. */
  target: string;
}

export interface CommandTotals {
  ops: number;
  sent: number;
  /** Error replies. */
  errors: number;
  /** Latency from the intended start, µs, over the measured part so far. */
  latencyUs: LatencyHistogram;
}

export interface PendingInterval {
  event: IntervalEvent;
  /** The interval's decoded latency per command, µs. */
  latencyUs: Map<string, LatencyHistogram>;
}

export class MetricFeed {
  labels: RunLabels;
  readonly commands = new Map<string, CommandTotals>();
  readonly totals = { ops: 0, errors: 0, timeouts: 0, intervals: 0 };
  readonly servers = new Map<string, ServerSample>();
  /** Intervals and samples since the last drain, for the push publishers. */
  private pendingIntervals: PendingInterval[] = [];
  private pendingSamples: ServerSampleEvent[] = [];
  /** Set at run-ended. */
  result: RunResult | undefined;

  constructor(run: string, keepPending: boolean) {
    this.labels = { run, scenario: "", env: "", target: "" };
    this.keepPending = keepPending;
  }

  private readonly keepPending: boolean;

  onEvent(event: RunEvent): void {
    switch (event.type) {
      case "run-started":
        this.labels = {
          run: this.labels.run,
          scenario: event.scenario,
          env: event.env,
          target: hostPort(event.target),
        };
        return;
      case "interval":
        if (event.phase === "measure") this.addInterval(event);
        return;
      case "server-sample":
        this.servers.set(event.node, event.sample);
        if (this.keepPending) this.pendingSamples.push(event);
        return;
      case "run-ended":
        this.result = event.result;
        return;
      default:
        return;
    }
  }

  /** Everything since the last call, and forget it: each push sends each interval once. */
  drain(): { intervals: PendingInterval[]; samples: ServerSampleEvent[] } {
    const drained = { intervals: this.pendingIntervals, samples: this.pendingSamples };
    this.pendingIntervals = [];
    this.pendingSamples = [];
    return drained;
  }

  /** Puts back what a failed push could not send, oldest first, so the next push retries it. */
  restore(back: { intervals: PendingInterval[]; samples: ServerSampleEvent[] }): void {
    this.pendingIntervals = [...back.intervals, ...this.pendingIntervals];
    this.pendingSamples = [...back.samples, ...this.pendingSamples];
  }

  /** The latest sample of the first node (the primary of a standalone target). */
  firstServer(): [string, ServerSample] | undefined {
    return this.servers.entries().next().value;
  }

  private addInterval(event: IntervalEvent): void {
    this.totals.intervals++;
    this.totals.ops += event.point.ops;
    this.totals.errors += event.point.errors;
    this.totals.timeouts += event.point.timeouts;
    const decoded = new Map<string, LatencyHistogram>();
    for (const c of event.commands) {
      let totals = this.commands.get(c.name);
      if (totals === undefined) {
        totals = { ops: 0, sent: 0, errors: 0, latencyUs: newLatencyHistogram() };
        this.commands.set(c.name, totals);
      }
      totals.ops += c.ops;
      totals.sent += c.sent;
      totals.errors += c.errors;
      if (c.latencyUs === "") continue;
      // Decoded as is (sized to its own values), not re-homed: ~1 ms less per command and interval.
      const histogram = hdr.decodeFromCompressedBase64(c.latencyUs, 32, false);
      totals.latencyUs.add(histogram);
      decoded.set(c.name, histogram);
    }
    if (this.keepPending) this.pendingIntervals.push({ event, latencyUs: decoded });
  }
}

/** `redis://user:***@host:6379/0` → `host:6379`: a label value, never a secret. */
export function hostPort(target: string): string {
  const match = /^[a-z+]+:\/\/(?:[^@/]*@)?([^/?#]+)/i.exec(target);
  return match === null ? target : match[1];
}

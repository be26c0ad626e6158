import { addEncoded, type LatencyHistogram, newLatencyHistogram } from "../measure/histogram.js";
import { summarizeMs } from "../measure/phase-totals.js";
import type { LatencySummaryMs } from "../result/result-types.js";
import type { IntervalEvent, RunEvent } from "./run-events.js";

/** What a phase's interval events add up to: the same figures the result reports for it. */
export interface ReplayedPhase {
  intervals: number;
  ops: number;
  sent: number;
  errors: number;
  perCommand: Record<string, { ops: number; sent: number; errors: number; latency: LatencySummaryMs }>;
  /** Every command together, from the intended start. */
  latency: LatencySummaryMs;
  serviceTime: LatencySummaryMs;
}

/**
 * Adds up the interval events of one phase (`measure` by default). HDR histograms add exactly, so
 * the percentiles equal the result's to the microsecond: the proof that the event stream carries
 * the whole run and a consumer of it (a publisher, the dashboard) reports what the result reports.
 */
export function replayEvents(
  events: Iterable<RunEvent>,
  phase: IntervalEvent["phase"] = "measure",
): ReplayedPhase {
  const perCommand = new Map<
    string,
    { ops: number; sent: number; errors: number; latency: LatencyHistogram }
  >();
  const overall = newLatencyHistogram();
  const service = newLatencyHistogram();
  const replayed = { intervals: 0, ops: 0, sent: 0, errors: 0 };
  for (const event of events) {
    if (event.type !== "interval" || event.phase !== phase) continue;
    replayed.intervals++;
    for (const c of event.commands) {
      let into = perCommand.get(c.name);
      if (into === undefined) {
        into = { ops: 0, sent: 0, errors: 0, latency: newLatencyHistogram() };
        perCommand.set(c.name, into);
      }
      into.ops += c.ops;
      into.sent += c.sent;
      into.errors += c.errors;
      addEncoded(into.latency, c.latencyUs);
      addEncoded(overall, c.latencyUs);
      addEncoded(service, c.serviceTimeUs);
      replayed.ops += c.ops;
      replayed.sent += c.sent;
      replayed.errors += c.errors;
    }
  }
  const byName: ReplayedPhase["perCommand"] = {};
  for (const [name, c] of perCommand)
    byName[name] = { ops: c.ops, sent: c.sent, errors: c.errors, latency: summarizeMs(c.latency) };
  return {
    ...replayed,
    perCommand: byName,
    latency: summarizeMs(overall),
    serviceTime: summarizeMs(service),
  };
}

/** Parses an NDJSON events file's text; a line that is not JSON names its line number. */
export function parseEventLines(text: string): RunEvent[] {
  const events: RunEvent[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    try {
      events.push(JSON.parse(line) as RunEvent);
    } catch {
      throw new Error(`events line ${i + 1} is not JSON: ${line.slice(0, 80)}`);
    }
  }
  return events;
}

import {
  formatCount,
  formatMs,
  formatPercent,
  formatRate,
  formatThresholdActual,
} from "../reports/format.js";
import { keepUpAdvice } from "../result/generator-behind.js";
import type { RunResult } from "../result/result-types.js";
import type { CapacityStep } from "./capacity-result.js";
import type { StepPhase } from "./search-plan.js";

/**
 * Turns one step's run result into a CapacityStep and judges it. A step passes when the SLO held
 * and at least 95 % of the asked rate was achieved.
 *
 * Sends late to their schedule (more than 1 % of them 1 ms or more late) do not fail a step that
 * met its SLO: latency counts from each operation's intended start, so the client's lag is already
 * in the numbers and such a pass is conservative (the step gets a note). They matter when a step
 * fails, to say whose failure it was:
 *
 * - the server's, when the connections' pipelines could have been full: by Little's law the
 *   requests in flight are about rate × service time, and when that reaches half of
 *   connections × pipeline, sends were late because they waited for a free slot while the server
 *   had not answered yet (backpressure);
 * - the client's otherwise: with free pipeline slots, a late send means cachestress itself did not
 *   get to it in time (CPU, timers). The latency then partly measures the load generator, and
 *   calling it the server's limit would be dishonest; the report says so.
 */

/** Below this share of the asked rate the step did not run at the rate it is filed under, %. */
export const MIN_ACHIEVED_PERCENT = 95;
/** Above this share of sends behind schedule the client fell behind, % (as in the run summary). */
export const MAX_LATE_START_PERCENT = 1;
/** In-flight requests (rate × service time p99) above this share of all pipeline slots: backpressure. */
export const FULL_PIPELINES_SHARE = 0.5;
/** Error kinds that mean a connection broke rather than a command failing (errorsByKind keys). */
const CONNECTION_ERROR_KIND =
  /^(ECONN[A-Z]+|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|connection-closed|aborted)$/;
/** One core: a single-threaded redis-server this busy is saturated itself. */
const SERVER_SATURATED_CPU_PERCENT = 90;

export function judgeStep(
  result: RunResult,
  index: number,
  phase: StepPhase,
  askedRate: number,
): CapacityStep {
  const { totals } = result;
  const sentBase = totals.sent > 0 ? totals.sent : totals.ops;
  const achievedRate = totals.opsPerSec;
  const achievedPercent = askedRate > 0 ? (achievedRate / askedRate) * 100 : 0;
  const lateStarts = result.openLoop?.lateStarts ?? 0;
  const lateStartPercent = sentBase > 0 ? (lateStarts / sentBase) * 100 : 0;
  const eventLoopDelayP99Ms = result.openLoop?.eventLoopDelayMs.p99 ?? 0;
  const serverCpuPercentMax = result.server?.processCpuPercentMax;
  const sloOk = result.thresholds.every((t) => t.ok);
  const rateDelivered = achievedPercent >= MIN_ACHIEVED_PERCENT;
  const scheduleKept = lateStartPercent <= MAX_LATE_START_PERCENT;
  const slots = result.config.connections * result.config.pipeline;
  const inFlight = (achievedRate * (result.serviceTime?.p99 ?? result.latency.p99)) / 1000;
  const pipelinesFull = inFlight >= slots * FULL_PIPELINES_SHARE;
  // Connections that broke (reset, refused, closed) are the server's or the network's doing: a
  // rate missed then is not the load generator's limit.
  const brokenConnections = Object.entries(totals.errorsByKind).filter(([kind]) =>
    CONNECTION_ERROR_KIND.test(kind),
  );
  const connectionsBroke = totals.reconnects > 0 || brokenConnections.length > 0;
  const clientKeptUp = (rateDelivered && scheduleKept) || pipelinesFull || connectionsBroke;
  const lagP99Ms = result.openLoop?.scheduleLagMs.p99 ?? 0;

  const reasons: string[] = [];
  for (const t of result.thresholds) {
    if (!t.ok) reasons.push(`SLO ${t.expression} broken: actual ${formatThresholdActual(t.actual)}`);
  }
  if (connectionsBroke && (!sloOk || !rateDelivered)) {
    const kinds = brokenConnections.map(([kind, n]) => `${kind} ${formatCount(n)}`).join(", ");
    reasons.push(
      `connections to the server broke: ${formatCount(totals.reconnects)} reconnects${kinds !== "" ? `, ${kinds}` : ""}`,
    );
  }
  if (!clientKeptUp) {
    const saturated =
      serverCpuPercentMax !== undefined && serverCpuPercentMax >= SERVER_SATURATED_CPU_PERCENT
        ? `; redis-server CPU reached ${formatPercent(serverCpuPercentMax)} of a core, so the server may be saturated too`
        : "";
    reasons.push(
      `client could not keep up: achieved ${formatRate(achievedRate)} ops/s (${formatPercent(achievedPercent)} of asked), ` +
        `${formatPercent(lateStartPercent)} of sends late with pipeline slots free (about ${formatCount(inFlight)} of ${formatCount(slots)} in flight), ` +
        `event-loop delay p99 ${formatMs(eventLoopDelayP99Ms)} ms. ` +
        `This is a limit of the load generator, not a measured server limit${saturated}; ` +
        `to go further: ${keepUpAdvice(result.config.threads)}`,
    );
  } else if (!rateDelivered || !scheduleKept) {
    reasons.push(
      `the server did not keep up: achieved ${formatRate(achievedRate)} ops/s (${formatPercent(achievedPercent)} of asked), ` +
        `${formatPercent(lateStartPercent)} of sends late because the pipelines were full of unanswered requests ` +
        `(about ${formatCount(inFlight)} of ${formatCount(slots)} slots in flight)`,
    );
  }
  const verdict: CapacityStep["verdict"] =
    result.status === "stopped"
      ? "stopped"
      : result.status === "failed"
        ? "target-lost"
        : sloOk && rateDelivered
          ? "pass"
          : "fail";
  const notes: string[] = [];
  if (verdict === "pass" && !scheduleKept) {
    notes.push(
      `${formatPercent(lateStartPercent)} of sends went out 1 ms or more late (schedule lag p99 ${formatMs(lagP99Ms)} ms); ` +
        "latency counts from the intended start, so the lag is already in these numbers and the pass is conservative",
    );
  }
  if (verdict === "stopped")
    reasons.unshift("stopped before its end (Ctrl-C or SIGTERM): measured, not judged");
  if (verdict === "target-lost")
    reasons.unshift(`the target went away: ${result.stopReason ?? "no reason given"}`);

  const counts = Object.values(result.countCheck.byCommand);
  const step: CapacityStep = {
    index,
    phase,
    askedRate,
    achievedRate,
    achievedPercent,
    durationMs: result.durationMs,
    ops: totals.ops,
    sent: totals.sent,
    errors: totals.errors,
    errorPercent: sentBase > 0 ? (totals.errors / sentBase) * 100 : 0,
    timeouts: totals.timeouts,
    latencyMs: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      p999: result.latency.p999,
      max: result.latency.max,
    },
    lateStarts,
    lateStartPercent,
    eventLoopDelayP99Ms,
    slo: result.thresholds,
    sloOk,
    clientKeptUp,
    verdict,
    reasons: verdict === "pass" ? [] : reasons,
    notes,
    countCheck: {
      checked: result.countCheck.checked,
      ok: result.countCheck.ok,
      sent: counts.reduce((sum, c) => sum + c.sent, 0),
      completed: counts.reduce((sum, c) => sum + c.completed, 0),
      server: counts.reduce((sum, c) => sum + c.server, 0),
      note: result.countCheck.note,
    },
  };
  if (result.serviceTime !== undefined) {
    step.serviceTimeMs = { p50: result.serviceTime.p50, p99: result.serviceTime.p99 };
  }
  if (serverCpuPercentMax !== undefined) step.serverCpuPercentMax = serverCpuPercentMax;
  return step;
}

import { monitorEventLoopDelay } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { GcCounter } from "../measure/gc-counter.js";
import { NO_COUNTS } from "../measure/histogram.js";
import { collectBeforePhase } from "./collect-before-phase.js";
import { LoadEngine } from "./load-engine.js";
import { RoutedLoadEngine } from "./routed-engine.js";
import type { FromWorker, ThreadPlan, ToWorker } from "./thread-plan.js";

/**
 * One engine thread. It connects, then runs the phases the main thread sends, answers snapshot
 * requests with what it measured since the last one, and reports each phase's remainder at its end.
 */

const CONNECT_TIMEOUT_MS = 5000;
const NS_PER_MS = 1e6;
/** Sampling period of the event-loop delay monitor, ms. Node reports the whole period, not just the lateness. */
const LOOP_DELAY_RESOLUTION_MS = 10;
const lateness = (periodNs: number) => Math.max(0, periodNs / NS_PER_MS - LOOP_DELAY_RESOLUTION_MS);

const port = parentPort;
if (port === null) throw new Error("worker.ts must run as a worker thread");
const plan = workerData as ThreadPlan;
const send = (message: FromWorker) => port.postMessage(message);
const gcCounter = new GcCounter();
const engine =
  plan.topology !== undefined
    ? new RoutedLoadEngine(plan, () => send({ type: "topology-stale" }))
    : new LoadEngine(plan);

port.on("message", (message: ToWorker) => {
  switch (message.type) {
    case "phase": {
      // Before the phase's start time and before its collections are counted.
      collectBeforePhase();
      const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
      loopDelay.enable();
      gcCounter.start();
      if (message.phase.name === "measure") armTestFault();
      engine.runPhase(message.phase).then(({ recorder, targetLost }) => {
        loopDelay.disable();
        send({
          type: "phase-done",
          name: message.phase.name,
          report: engine.reportFrom(recorder),
          successTimeline: recorder.successTimeline(),
          targetLost,
          eventLoopDelayMs: {
            p50: lateness(loopDelay.percentile(50)),
            p99: lateness(loopDelay.percentile(99)),
            max: lateness(loopDelay.max),
          },
          gc: gcCounter.stop(),
        });
      }, fatal);
      break;
    }
    case "snapshot": {
      const report = engine.takeReport();
      if (report !== undefined) send({ type: "snapshot", id: message.id, report });
      else send({ type: "snapshot", id: message.id, report: emptyReport() });
      break;
    }
    case "stop":
      engine.stopIssuing();
      break;
    case "retarget":
      engine.retarget(message.host, message.port);
      break;
    case "topology":
      engine.applyTopology(message.topology);
      break;
    case "credentials":
      engine.updateCredentials(message.username, message.password);
      break;
    case "pause":
      engine.pause(message.atEpochMs);
      break;
    case "resume":
      engine.resume(message.atEpochMs);
      break;
    case "rate":
      engine.setRate(message.opsPerSecond, message.atEpochMs);
      break;
    case "reauth-stats":
      send({ type: "reauth-stats", id: message.id, stats: { ...engine.reauth } });
      break;
    case "close":
      engine.close();
      port.close();
      break;
  }
});

/** A phase that failed ends the run as failed at once (engine-threads.ts), rather than never ending. */
function fatal(error: unknown): void {
  send({ type: "fatal", message: error instanceof Error ? error.message : String(error) });
}

/**
 * Test-only hooks, never for users: `CACHESTRESS_TEST_WORKER_THROW_AFTER_MS=N` makes thread 0
 * throw N ms into the measured phase, `CACHESTRESS_TEST_WORKER_HANG_AFTER_MS=N` makes it stop
 * answering for 60 s; the tests of a crashed or hung engine use them (test/integration/interruptions.test.ts).
 */
function armTestFault(): void {
  if (plan.threadIndex !== 0) return;
  const throwMs = Number(process.env.CACHESTRESS_TEST_WORKER_THROW_AFTER_MS);
  if (throwMs > 0) {
    setTimeout(() => {
      throw new Error(`test hook: thrown ${throwMs} ms into the measured phase`);
    }, throwMs).unref();
  }
  const hangMs = Number(process.env.CACHESTRESS_TEST_WORKER_HANG_AFTER_MS);
  if (hangMs > 0) {
    setTimeout(() => {
      const until = Date.now() + 60_000;
      while (Date.now() < until) {
        // Busy: no message is read, as in a thread stuck in a loop.
      }
    }, hangMs).unref();
  }
}

function emptyReport() {
  const zeros = plan.workload.commands.map(() => 0);
  return {
    ops: zeros,
    errorReplies: zeros,
    nils: zeros,
    sent: zeros,
    timeouts: 0,
    aborted: 0,
    reconnects: 0,
    errorsByKind: {},
    latencyUs: zeros.map(() => NO_COUNTS),
    serviceTimeUs: [],
    scheduleLagUs: NO_COUNTS,
    lateStarts: 0,
    connectionsUp: engine.connections.filter((c) => c.up).length,
    connectionsInUse: 0,
    waitingOps: 0,
  };
}

engine.connect(CONNECT_TIMEOUT_MS).then(
  () => send({ type: "ready" }),
  (error: Error) => send({ type: "connect-failed", cause: error.message }),
);

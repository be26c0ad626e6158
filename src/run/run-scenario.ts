import { commandIsWrite } from "../config/command-template.js";
import { type ShardShare, shardRunConfig, shareOf } from "../config/shard-share.js";
import type { RunConfig } from "../config/types.js";
import { AdminClient } from "../core/admin-client.js";
import { redactConfig } from "../core/redact.js";
import { EngineThreads } from "../engine/engine-threads.js";
import type { PhaseTotals } from "../measure/phase-totals.js";
import { HdrIntervalLog } from "../reports/hdr-log.js";
import type { ProgressSnapshot } from "../reports/progress-line.js";
import { readTemplate } from "../reports/template/read-template.js";
import { writeReports } from "../reports/write-report.js";
import type { RunResult } from "../result/result-types.js";
import { recordShard } from "../result/shard-result.js";
import { createCheck, type ScenarioCheck } from "../scenario-checks/index.js";
import { buildResult, type MeasuredRun } from "./build-result.js";
import { markEngineFailure } from "./engine-failure.js";
import { KeyIsolation } from "./key-isolation.js";
import { loadScripts } from "./load-scripts.js";
import { type OpenedTarget, openTarget } from "./open-target.js";
import type { RunContext } from "./participant.js";
import { createParticipants, RunParticipants } from "./participants.js";
import { ProgressOutput } from "./progress-output.js";
import type { RunControl } from "./run-control.js";
import { RunEventBus, type RunOutput } from "./run-event-bus.js";
import { EVENTS_SCHEMA_VERSION, type RunEvent } from "./run-events.js";
import { RunFaults } from "./run-faults.js";
import { runPhases } from "./run-phases.js";
import { ServerWatches } from "./server-watches.js";
import { discoverTopology, NodeAdmins } from "./target-topology.js";
import { threadPlans } from "./thread-plans.js";
import { describeTopology } from "./topology-watch.js";
import { TOOL_VERSION } from "./version.js";

export interface RunHooks {
  /** Once per second while load runs. */
  onProgress?(snapshot: ProgressSnapshot): void;
  /** Plain-language notes for the user (`started redis-server on 127.0.0.1:41234`). */
  onNotice?(message: string): void;
  /** Aborting stops the load; the run still measures, cleans up and writes its report. */
  signal?: AbortSignal;
  /** Every event of the run, in order (docs/events.md). */
  onEvent?(event: RunEvent): void;
  /** Consumers of the event stream; their failures are counted in `result.outputs`, never thrown. */
  outputs?: RunOutput[];
  /** Pause, resume and rate changes from a library caller or the dashboard (src/run/run-control.ts). */
  control?: RunControl;
  /** Each interval of the measured phase with its histograms (the HDR interval log, --hdr-log). */
  onMeasuredInterval?(interval: PhaseTotals, tS: number, spanS: number): void;
}

export interface RunOutcome {
  result: RunResult;
  jsonPath: string;
  markdownPath: string;
  htmlPath: string;
}

/**
 * Runs one scenario from start to report: target (a managed local redis-server when no URL is
 * given), engine threads, prefill, warmup and measured phases, the count check against INFO
 * commandstats, key cleanup, thresholds, and the report files. The CLI is a thin shell over this.
 * With `config.shard`, the engine runs only this shard's share (src/config/shard-share.ts) while the result
 * keeps describing the whole scenario.
 */
export async function runScenario(requested: RunConfig, hooks: RunHooks = {}): Promise<RunOutcome> {
  // Read before any load: a bad template is a usage error, not a run whose report is lost.
  const template =
    requested.templateFile === undefined ? undefined : await readTemplate(requested.templateFile);
  const hdrLog = requested.hdrLogFile === undefined ? undefined : new HdrIntervalLog();
  const onMeasuredInterval =
    hdrLog && ((i: PhaseTotals, tS: number, spanS: number) => hdrLog.add(i, tS, spanS));
  const result = await measureScenario(requested, hdrLog ? { ...hooks, onMeasuredInterval } : hooks);
  const paths = await writeReports(result, requested.outDir, { template });
  if (hdrLog !== undefined && requested.hdrLogFile !== undefined) await hdrLog.write(requested.hdrLogFile);
  return { result, ...paths };
}

/**
 * Everything runScenario does except writing the report files: for callers that run many short
 * runs and write one report of their own (`cachestress capacity`, src/capacity/).
 *
 * The run in order: open the target; participants prepare (key isolation, watches, checks...);
 * count the server's commands; start the engine; prefill, warm-up and the measured part; stop the
 * participants' loops; count again; let checks verify; clean the keys up; build the result and let
 * each participant add its part. Everything beside the load is a participant (src/run/participant.ts).
 */
export async function measureScenario(requested: RunConfig, hooks: RunHooks = {}): Promise<RunResult> {
  // The check is validated first: it may shape the run it verifies (src/scenario-checks/check.ts).
  const check: ScenarioCheck | undefined = createCheck(requested);
  const config = check?.adjustConfig?.(requested) ?? requested;
  // The live progress line is one more output of the event stream.
  const progress = hooks.onProgress !== undefined ? [new ProgressOutput(hooks.onProgress)] : [];
  const bus = new RunEventBus([...(hooks.outputs ?? []), ...progress], hooks.onEvent);
  await bus.start();
  const say = (message: string) => {
    hooks.onNotice?.(message);
    bus.emit({ type: "notice", message });
  };
  const share = shareOf(config);
  const faults = RunFaults.create(config, say, (type, fault) => bus.emit({ type, fault }));
  const isolation = new KeyIsolation(config, say);
  const watches = new ServerWatches();
  const participants = createParticipants(config, { isolation, faults, watches, check });
  if (hooks.control !== undefined) participants.push(hooks.control);
  const crew = new RunParticipants(participants);
  let opened: OpenedTarget | undefined;
  let run: RunContext | undefined;
  /** Closed at the end even when the run fails before its context is built. */
  let opening: { admin?: AdminClient; nodes?: NodeAdmins } = {};
  let engine: EngineThreads | undefined;
  let finalResult: RunResult | undefined;
  try {
    opened = await openTarget(config, () => crew.managedServerArgs(), say);
    const { target, where, managed } = opened;
    const loadTarget = await faults.open(target.connection, where, managed);
    const admin = await AdminClient.connect(target.connection, where);
    opening = { admin };
    bus.emit({
      type: "run-started",
      schemaVersion: EVENTS_SCHEMA_VERSION,
      toolVersion: TOOL_VERSION,
      nodeVersion: process.version,
      scenario: config.scenario,
      env: config.env,
      target: target.displayUrl,
      serverVersion: admin.serverVersion,
      config: redactConfig(config),
    });
    await admin.checkKeyAccess(config.prefix);
    const topology = await discoverTopology(admin, target.connection, config.readFrom);
    const nodes =
      topology !== undefined
        ? await NodeAdmins.connect(topology, admin, target.connection, config.readFrom)
        : undefined;
    opening = { admin, nodes };
    run = {
      config,
      server: target.connection,
      where,
      displayUrl: target.displayUrl,
      managed,
      admin,
      target,
      viaSentinel: opened.viaSentinel,
      topology,
      nodes,
      latestSample: () => watches.latest,
      say,
      emit: (event) => bus.emit(event),
      signal: hooks.signal,
    };
    if (topology !== undefined) say(describeTopology(topology, config.readFrom));
    else if (config.readFrom === "replicas")
      say("--read-from replicas: the target has no online replica; reads go to the primary");
    await crew.beforeLoad(run);
    // Before the first count: SCRIPT LOAD is not one of the run's commands, EVALSHA is.
    if (config.scripts !== undefined)
      await loadScripts(config.scripts, nodes?.primaryAdmins() ?? [admin], say);
    const writes = new Set(config.commands.filter(commandIsWrite).map((c) => c.name));
    const current = run;
    const commandCounts = () =>
      nodes !== undefined ? nodes.commandCounts(writes) : current.admin.commandCounts();
    const countsBefore = await commandCounts();
    await watches.start(run);

    const startedAt = new Date();
    const load = shardRunConfig(config, share);
    engine = await EngineThreads.start(threadPlans(load, isolation.loadTarget(loadTarget), share, topology));
    crew.onLoadStart(engine);
    let measured: MeasuredRun;
    try {
      measured = await runPhases(load, engine, { ...hooks, bus }, share, {
        onMeasureStart: (startEpochMs) => crew.onMeasureStart(startEpochMs),
        onMeasuredPoint: (point) => crew.onInterval(point, watches.latest),
      });
    } finally {
      await crew.stopLoad();
    }
    // A restart or CLIENT KILL fault closes the admin connection; it reopens itself, here at once.
    if (faults.touchedServer && !run.admin.isOpen) await run.admin.reopen().catch(() => {});
    // A target the engine already gave up on (5 s with every connection down) gets 2 s more here;
    // past that, each admin operation tries once (the cleanup warning then says how to finish).
    if (measured.targetLost) await run.admin.reopen(2000).catch(() => {});
    const countsAfter = await commandCounts();
    // A restart resets commandstats: the admin connection finds the new run_id when it reconnects.
    const serverRestarted = nodes === undefined && (await run.admin.checkRestart()) === true;
    // After the counts (their reads would disturb them) and before the cleanup (they read the keys).
    await crew.afterLoad(run);
    // A check that restarted the server closed the admin connection: the cleanup needs it back.
    if (check !== undefined && !run.admin.isOpen) await run.admin.reopen().catch(() => {});
    const cleanup = await cleanUp(config, share, nodes ?? run.admin);
    const result = buildResult({
      config,
      measured,
      startedAt,
      endedAt: new Date(),
      target: {
        displayUrl: target.displayUrl,
        connection: target.connection,
        managed: managed !== undefined,
      },
      serverVersion: run.admin.serverVersion,
      countsBefore,
      countsAfter,
      cleanup,
      topology: nodes?.current,
      checkSent: crew.sentCommands(),
    });
    if (engine.failure !== undefined) markEngineFailure(result, engine.failure);
    explainCounts(result, {
      serverRestarted,
      serverGone: countsBefore !== undefined && countsAfter === undefined && !run.admin.isOpen,
    });
    // A server the tool started goes away with its keys; any other keeps them until cleaned.
    if (cleanup.error !== undefined && managed === undefined)
      result.warnings.push(
        `keys are left under ${config.prefix}; to remove them: cachestress cleanup --url ${target.displayUrl} --prefix ${config.prefix}`,
      );
    if (config.shard !== undefined)
      recordShard(result, {
        share,
        measureStartEpochMs: measured.measureStartEpochMs,
        countsBefore,
        countsAfter,
      });
    await crew.contribute(result);
    if ((hooks.outputs?.length ?? 0) > 0) result.outputs = bus.report();
    finalResult = result;
    bus.emit({ type: "run-ended", result });
    return result;
  } finally {
    await engine?.close();
    await crew.close();
    await opening.nodes?.close();
    // A sentinel failover may have moved the run to a new admin connection (it closed the old one).
    await (run?.admin ?? opening.admin)?.close();
    await opened?.managed?.stop();
    const health = await bus.stop(finalResult);
    // Failures at the very end (a file that could not be flushed) still reach the result.
    if (finalResult?.outputs !== undefined) finalResult.outputs = health;
  }
}

/** Deletes the run's keys, unless kept; a shard of several leaves them (another may still use them). */
async function cleanUp(
  config: RunConfig,
  share: ShardShare,
  from: { deleteKeys(prefix: string): Promise<number> },
): Promise<RunResult["cleanup"]> {
  const cleanup: RunResult["cleanup"] = { prefix: config.prefix, keysDeleted: 0, kept: config.keepKeys };
  if (config.keepKeys || share.count > 1) return cleanup;
  try {
    cleanup.keysDeleted = await from.deleteKeys(config.prefix);
  } catch (error) {
    cleanup.error = (error as Error).message;
  }
  return cleanup;
}

/** Why the count check could not be exact, when the server itself was reset or went away. */
function explainCounts(result: RunResult, facts: { serverRestarted: boolean; serverGone: boolean }): void {
  if (facts.serverRestarted)
    result.countCheck = {
      ...result.countCheck,
      checked: false,
      ok: true,
      note: "the server restarted: commandstats were reset, counts not checked",
    };
  else if (facts.serverGone)
    result.countCheck = {
      ...result.countCheck,
      note: "the server could not be reached after the load (it went away): counts not checked",
    };
}

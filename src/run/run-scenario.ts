import { commandIsWrite, commandLabels } from "../config/command-template.js";
import type { RunConfig, Stage } from "../config/types.js";
import { EngineThreads, type PhaseOutcome } from "../engine/engine-threads.js";
import { type ConnectionTarget, epochNowMs } from "../engine/load-connection.js";
import type { KeyRange, PhasePlan, ThreadPlan } from "../engine/thread-plan.js";
import { nodeName, type Topology } from "../engine/topology.js";
import { intervalTargetRate } from "../measure/interval-target-rate.js";
import { PhaseTotals } from "../measure/phase-totals.js";
import { summarizeServer } from "../probes/sample-series.js";
import { HdrIntervalLog } from "../reports/hdr-log.js";
import type { ProgressSnapshot } from "../reports/progress-line.js";
import { redactConfig } from "../reports/redact.js";
import type { RunResult, SeriesPoint } from "../reports/result-types.js";
import { readTemplate } from "../reports/template/read-template.js";
import { writeReports } from "../reports/write-report.js";
import {
  type CheckContext,
  type CheckReport,
  createCheck,
  type ScenarioCheck,
} from "../scenario-checks/index.js";
import { recordShard } from "../shard/shard-result.js";
import { type ShardShare, shardRunConfig, shareOf } from "../shard/share.js";
import { rateAt } from "../workload/load-profile.js";
import { AdminClient } from "./admin-client.js";
import { analyzeRun } from "./analyze.js";
import { auditTarget } from "./audit-target.js";
import { buildResult, type MeasuredRun, seriesPoint } from "./build-result.js";
import { markEngineFailure } from "./engine-failure.js";
import { intervalEvent } from "./interval-event.js";
import { KeyIsolation } from "./key-isolation.js";
import { loadScripts } from "./load-scripts.js";
import { type ManagedRedis, startManagedRedis } from "./managed-redis.js";
import type { Participant, RunContext } from "./participant.js";
import { createParticipants } from "./participants.js";
import { RunAlerts } from "./run-alerts.js";
import type { RunControl } from "./run-control.js";
import { RunEventBus, type RunOutput } from "./run-event-bus.js";
import type { RunEvent, RunPhase } from "./run-events.js";
import { EVENTS_SCHEMA_VERSION } from "./run-events.js";
import { RunFaults } from "./run-faults.js";
import { type PreparedTarget, prepareTarget, TLS_INSECURE_WARNING } from "./secure-target.js";
import { askPrimary, parseSentinelUrl, SentinelWatch } from "./sentinel.js";
import { ServerWatch } from "./server-watch.js";
import { discoverTopology, NodeAdmins } from "./target-topology.js";
import { TokenRefresher } from "./token-refresher.js";
import { describeTopology, primariesChanged, TopologyWatch } from "./topology-watch.js";
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
  /** Each interval of the measured phase with its histograms (the HDR interval log, --hdr-log). */
  onMeasuredInterval?(interval: PhaseTotals, tS: number, spanS: number): void;
  /** Pause, resume and rate changes of the running load (StartedRun, src/run/run-control.ts). */
  control?: RunControl;
}

export interface RunOutcome {
  result: RunResult;
  jsonPath: string;
  markdownPath: string;
  htmlPath: string;
}

/** Time between the main thread's snapshots, ms: the resolution of the per-second series. */
const INTERVAL_MS = 1000;
/** How long the tick at the planned end waits for the in-flight replies to drain, ms. */
const DRAIN_GRACE_MS = 250;
/** How often a node is asked whether it still has the run's temporary ACL user (a restart forgets it), ms. */
const LOAD_USER_CHECK_MS = 500;
/** Threads get this long to receive a phase before it starts, so they all start together, ms. */
const PHASE_START_DELAY_MS = 30;

/**
 * Runs one scenario from start to report: target (a managed local redis-server when no URL is
 * given), engine threads, prefill, warmup and measured phases, the count check against INFO
 * commandstats, key cleanup, thresholds, and the report files. The CLI is a thin shell over this.
 * With `config.shard`, the engine runs only this shard's share (src/shard/share.ts) while the result
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
 */
export async function measureScenario(requested: RunConfig, hooks: RunHooks = {}): Promise<RunResult> {
  // The check is validated first: it may shape the run it verifies (src/scenario-checks/check.ts).
  const check: ScenarioCheck | undefined = createCheck(requested);
  const config = check?.adjustConfig?.(requested) ?? requested;
  const bus = new RunEventBus(hooks.outputs ?? [], hooks.onEvent);
  await bus.start();
  const notice = (message: string) => {
    hooks.onNotice?.(message);
    bus.emit({ type: "notice", message });
  };
  let finalResult: RunResult | undefined;
  const share = shareOf(config);
  const load = shardRunConfig(config, share);
  let measureStartEpochMs: number | undefined;
  let managed: ManagedRedis | undefined;
  let admin: AdminClient | undefined;
  let nodes: NodeAdmins | undefined;
  let engine: EngineThreads | undefined;
  let refresher: TokenRefresher | undefined;
  let faults: RunFaults | undefined;
  /** Why the check could not finish, when it could not (the target went away...). */
  let checkFailure: string | undefined;
  // The run's keys only: the prefix guard, a temporary ACL user for the load, template checks.
  const isolation = new KeyIsolation(config, notice);
  const participants: Participant[] = createParticipants(config);
  if (hooks.control !== undefined) participants.push(hooks.control);
  /** Participants' failures after the load started: warnings in the result, never a lost report. */
  const participantProblems: string[] = [];
  const each = async (hook: string, call: (p: Participant) => unknown) => {
    for (const p of participants) {
      try {
        await call(p);
      } catch (error) {
        participantProblems.push(`${p.name} failed in ${hook}: ${errorText(error)}`);
      }
    }
  };
  try {
    faults = RunFaults.create(
      config,
      (line) => notice(line),
      (type, fault) => bus.emit({ type, fault }),
    );
    let url = config.url;
    if (url === undefined) {
      managed = await startManagedRedis({
        extraArgs: [
          ...faults.managedServerArgs,
          ...(check?.managedServerArgs() ?? []),
          ...isolation.managedServerArgs(),
          ...participants.flatMap((p) => p.managedServerArgs?.() ?? []),
        ],
      });
      url = managed.url;
      notice(
        `no --url given: started a throwaway redis-server on ${managed.host}:${managed.port} (pid ${managed.pid})`,
      );
    }
    const sentinelUrl = parseSentinelUrl(url);
    if (sentinelUrl !== undefined) {
      const primary = await askPrimary(sentinelUrl.sentinel);
      url = sentinelUrl.dataUrl(primary.host, primary.port);
      notice(`sentinel: primary "${sentinelUrl.sentinel.masterName}" is ${primary.host}:${primary.port}`);
    }
    const target = await prepareTarget(url, config);
    if (config.tlsInsecure === true) notice(TLS_INSECURE_WARNING);
    const alerts = RunAlerts.create(config, target.displayUrl, (line) => notice(line));
    alerts.onAlert = (alert) => bus.emit({ type: "alert", alert });
    const where = `${target.connection.host}:${target.connection.port}`;
    const loadTarget = await faults.open(target.connection, where, managed);
    admin = await AdminClient.connect(target.connection, where);
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
    await isolation.prepare({
      admin,
      target: target.connection,
      where,
      managed: managed !== undefined,
      sentinel: sentinelUrl !== undefined,
      shardCount: share.count,
    });
    const checkContext = (): CheckContext => ({
      config,
      server: target.connection,
      where,
      managed,
      admin: admin!,
      say: notice,
      signal: hooks.signal,
    });
    await check?.beforeLoad(checkContext());
    let watchRef: ServerWatch | undefined;
    const runContext: RunContext = {
      config,
      server: target.connection,
      where,
      displayUrl: target.displayUrl,
      managed,
      admin,
      topology: undefined,
      latestSample: () => watchRef?.latest,
      say: notice,
      emit: (event) => bus.emit(event),
      signal: hooks.signal,
    };
    const topology = await discoverTopology(admin, target.connection, config.readFrom);
    if (topology !== undefined) {
      nodes = await NodeAdmins.connect(topology, admin, target.connection, config.readFrom);
      notice(describeTopology(topology, config.readFrom));
    } else if (config.readFrom === "replicas") {
      notice("--read-from replicas: the target has no online replica; reads go to the primary");
    }
    // Before the first count: SCRIPT LOAD is not one of the run's commands, EVALSHA is.
    if (config.scripts !== undefined)
      await loadScripts(config.scripts, nodes?.primaryAdmins() ?? [admin], notice);
    const writes = new Set(config.commands.filter(commandIsWrite).map((c) => c.name));
    const commandCounts = () => (nodes !== undefined ? nodes.commandCounts(writes) : admin!.commandCounts());
    runContext.topology = topology;
    // Before the first count: what participants send here is not one of the run's commands.
    for (const p of participants) await p.beforeLoad?.(runContext);
    const countsBefore = await commandCounts();
    // The probe and the engine threads get copies: a refreshed token is handed to each explicitly.
    const watch = await ServerWatch.start({ ...target.connection }, config.probeIntervalMs, managed?.pid);
    watchRef = watch;
    if (bus.active) watch.onSample = (sample) => bus.emit({ type: "server-sample", node: where, sample });
    // A cluster: every other primary is sampled too, so a hot or full shard shows.
    const nodeWatches = new Map<string, ServerWatch>();
    for (const node of topology?.kind === "cluster" ? topology.nodes : []) {
      if (
        node.role !== "primary" ||
        (node.host === target.connection.host && node.port === target.connection.port)
      )
        continue;
      const nodeTarget = { ...target.connection, host: node.host, port: node.port };
      const nodeWatch = await ServerWatch.start(nodeTarget, config.probeIntervalMs, undefined);
      if (bus.active)
        nodeWatch.onSample = (sample) => bus.emit({ type: "server-sample", node: nodeName(node), sample });
      nodeWatches.set(nodeName(node), nodeWatch);
    }
    const audit = config.audit ? await auditTarget(admin, target.connection, config) : undefined;

    const startedAt = new Date();
    engine = await EngineThreads.start(threadPlans(load, isolation.loadTarget(loadTarget), share, topology));
    isolation.keepLoadUser(LOAD_USER_CHECK_MS);
    refresher = startTokenRefresher(config, target, { admin, watch, engine }, notice);
    const topologyWatch = nodes !== undefined ? new TopologyWatch(nodes, engine, notice) : undefined;
    const running = engine;
    await each("onLoadStart", (p) => p.onLoadStart?.(running));
    const sentinelWatch =
      sentinelUrl !== undefined
        ? new SentinelWatch(
            sentinelUrl.sentinel,
            target.connection,
            (host, port) => running.retarget(host, port),
            notice,
          )
        : undefined;
    let measured: MeasuredRun;
    try {
      // The live line shows the server's memory and hit ratio beside the client's figures.
      const onProgress = hooks.onProgress;
      const withServer: RunHooks = onProgress
        ? {
            ...hooks,
            onProgress: (p) =>
              onProgress({
                ...p,
                memoryUsedPercent: watch.latest?.memoryUsedPercent,
                hitRatio: watch.latest?.hitRatio,
              }),
          }
        : hooks;
      measured = await runPhases(load, engine, { ...withServer, bus }, share, {
        onMeasureStart: (startEpochMs) => {
          measureStartEpochMs = startEpochMs;
          watch.setOrigin(startEpochMs);
          for (const w of nodeWatches.values()) w.setOrigin(startEpochMs);
          topologyWatch?.setOrigin(startEpochMs);
          sentinelWatch?.setOrigin(startEpochMs);
          faults?.onMeasureStart(startEpochMs);
          check?.onMeasureStart(startEpochMs);
          void each("onMeasureStart", (p) => p.onMeasureStart?.(startEpochMs));
        },
        onMeasuredPoint: (point) => {
          alerts.onInterval(point, watch.latest);
          void each("onInterval", (p) => p.onInterval?.(point, watch.latest));
        },
      });
    } finally {
      await refresher?.stop();
      await watch.stop();
      for (const w of nodeWatches.values()) await w.stop();
      await topologyWatch?.stop();
      await sentinelWatch?.stop();
      await faults.stop();
      await check?.stopLoad().catch((error: unknown) => {
        checkFailure ??= errorText(error);
      });
      await each("stopLoad", (p) => p.stopLoad?.());
    }
    const failovers = sentinelWatch?.failovers ?? [];
    if (failovers.length > 0 && sentinelWatch !== undefined) {
      // Counting and cleanup happen on the primary that holds the data now.
      const primary = sentinelWatch.primary;
      await admin.close();
      admin = await AdminClient.connect(
        { ...target.connection, ...primary },
        `${primary.host}:${primary.port}`,
      );
    }
    // A restart or CLIENT KILL fault closes the admin connection; it reopens itself, here at once.
    if (faults.touchedServer && !admin.isOpen) admin = await reconnect(admin, target.connection, where);

    // A target the engine already gave up on (5 s with every connection down) gets 2 s more here;
    // past that, each admin operation tries once (the cleanup warning then says how to finish).
    if (measured.targetLost) await admin.reopen(2000).catch(() => {});
    const countsAfter = await commandCounts();
    // A restart resets commandstats: the admin connection finds the new run_id when it reconnects.
    const serverRestarted = nodes === undefined && (await admin.checkRestart()) === true;
    if (check !== undefined) {
      // After the counts (its reads would disturb them) and before the cleanup (it reads the keys).
      // A check that cannot finish (the target died) fails itself, never the report.
      await check.afterLoad(checkContext()).catch((error: unknown) => {
        checkFailure ??= errorText(error);
      });
      if (!admin.isOpen) admin = await reconnect(admin, target.connection, where);
    }
    runContext.admin = admin;
    await each("afterLoad", (p) => p.afterLoad?.(runContext));
    const cleanup = {
      prefix: config.prefix,
      keysDeleted: 0,
      kept: config.keepKeys,
      error: undefined as string | undefined,
    };
    // A shard of several leaves the keys: another shard may still be using them (docs/sharding.md).
    if (!config.keepKeys && share.count === 1) {
      try {
        cleanup.keysDeleted = await (nodes ?? admin).deleteKeys(config.prefix);
      } catch (error) {
        cleanup.error = (error as Error).message;
      }
    }
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
      serverVersion: admin.serverVersion,
      countsBefore,
      countsAfter,
      cleanup,
      topology: nodes?.current,
      topologyChanges: topologyWatch?.changes ?? [],
      checkSent: check?.sentCommands(),
    });
    if (engine.failure !== undefined) markEngineFailure(result, engine.failure);
    if (failovers.length > 0) {
      result.failovers = failovers;
      result.countCheck = {
        ...result.countCheck,
        checked: false,
        ok: true,
        note: "the primary changed during the run (sentinel failover): commandstats of the two servers overlap, so counts were not checked",
      };
    }
    if (serverRestarted) {
      result.countCheck = {
        ...result.countCheck,
        checked: false,
        ok: true,
        note: "the server restarted: commandstats were reset, counts not checked",
      };
    } else if (countsBefore !== undefined && countsAfter === undefined && !admin.isOpen) {
      result.countCheck = {
        ...result.countCheck,
        note: "the server could not be reached after the load (it went away): counts not checked",
      };
    }
    // A server the tool started goes away with its keys; any other keeps them until cleaned.
    if (cleanup.error !== undefined && managed === undefined)
      result.warnings.push(
        `keys are left under ${config.prefix}; to remove them: cachestress cleanup --url ${target.displayUrl} --prefix ${config.prefix}`,
      );
    if (topology !== undefined && nodes !== undefined && primariesChanged(topology, nodes.current)) {
      // A promoted replica's commandstats also hold the writes it replicated before: no exact count.
      result.countCheck = {
        ...result.countCheck,
        checked: false,
        ok: true,
        note: "primaries changed during the run (failover): replicated writes are in the new primary's commandstats, so counts were not checked",
      };
    }
    if (config.shard !== undefined) {
      recordShard(result, { share, measureStartEpochMs, countsBefore, countsAfter });
    }
    if (watch.samples.length > 0) {
      Object.assign(result, await analyzeRun(result, watch.samples, config));
      result.serverSeries = watch.samples;
    }
    if (nodeWatches.size > 0) {
      result.serverByNode = { [where]: summarizeServer(watch.samples) };
      for (const [name, w] of nodeWatches) result.serverByNode[name] = summarizeServer(w.samples);
    }
    if (watch.unavailable.length > 0) result.warnings.push(...watch.unavailable);
    if (audit !== undefined) result.audit = audit;
    isolation.addTo(result);
    if (target.method !== "none") {
      const reauth = await engine.reauthStats();
      const counts = refresher?.counts ?? { refreshes: 0, refreshFailures: 0 };
      result.auth = {
        method: target.method,
        refreshes: counts.refreshes,
        refreshFailures: counts.refreshFailures,
        reauths: reauth.ok,
        reauthFailures: reauth.failed,
      };
      if (counts.refreshFailures > 0)
        result.warnings.push(`${counts.refreshFailures} token refresh(es) failed: ${counts.lastFailure}`);
      if (reauth.failed > 0)
        result.warnings.push(
          `the server refused ${reauth.failed} re-AUTH(s) with a refreshed token (${reauth.lastFailure})`,
        );
    }
    result.alerts = await alerts.finish();
    faults.report(result);
    await each("contribute", (p) => p.contribute?.(result));
    result.warnings.push(...participantProblems);
    if (check !== undefined) {
      result.check = checkOutcome(check, result, checkFailure);
      if (result.check.ok && check.expectsRefusals === true && result.verdictReasons !== undefined) {
        // Refused operations are what this check verified; it judged them, so they fail nothing twice.
        const reasons = result.verdictReasons.filter((r) => !r.startsWith("no operation succeeded"));
        if (reasons.length > 0) result.verdictReasons = reasons;
        else delete result.verdictReasons;
        result.verdict = result.thresholds.every((t) => t.ok) && reasons.length === 0 ? "pass" : "fail";
      }
      if (!result.check.ok) result.verdict = "fail";
    }
    if ((hooks.outputs?.length ?? 0) > 0) result.outputs = bus.report();
    finalResult = result;
    bus.emit({ type: "run-ended", result });
    return result;
  } finally {
    await refresher?.stop();
    await engine?.close();
    await nodes?.close();
    await faults?.close();
    await check?.close();
    for (const p of participants) await p.close?.().catch(() => {});
    await isolation.remove();
    await admin?.close();
    await managed?.stop();
    const health = await bus.stop(finalResult);
    // Failures at the very end (a file that could not be flushed) still reach the result.
    if (finalResult?.outputs !== undefined) finalResult.outputs = health;
  }
}

/**
 * The admin connection again after a restart or a failover closed it. When the target is gone
 * for good, the closed one is kept: the cleanup then fails and says so in the report.
 */
async function reconnect(
  admin: AdminClient,
  _target: ConnectionTarget,
  _where: string,
): Promise<AdminClient> {
  // The admin client reopens itself (with backoff) and keeps what it knows of the server (run_id).
  await admin.reopen().catch(() => {});
  return admin;
}

/** The check's report; a check that could not finish says why and fails, whatever it had found. */
function checkOutcome(check: ScenarioCheck, result: RunResult, failure: string | undefined): CheckReport {
  let report: CheckReport;
  try {
    check.onResult?.(result);
    report = check.report();
  } catch (error) {
    failure ??= errorText(error);
    report = { kind: check.kind, ok: false, summary: "could not finish", figures: {}, problems: [] };
  }
  if (failure === undefined) return report;
  return {
    ...report,
    ok: false,
    summary: `could not finish: ${failure}`,
    problems: [...report.problems, `the check could not finish: ${failure}`],
  };
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

/**
 * With --auth-token-command: fetches the token again before it expires and re-AUTHs every live
 * connection with it (engine threads in-band, the admin and probe connections between commands).
 */
function startTokenRefresher(
  config: RunConfig,
  target: PreparedTarget,
  to: { admin: AdminClient; watch: ServerWatch; engine: EngineThreads },
  notice: (message: string) => void,
): TokenRefresher | undefined {
  if (config.authTokenCommand === undefined || target.firstToken === undefined) return undefined;
  const username = target.connection.username;
  const refresher = new TokenRefresher(
    config.authTokenCommand,
    config.authTokenRefreshMs,
    async ({ token }) => {
      to.engine.updateCredentials(username, token);
      const failures = await Promise.all([
        to.admin.reauthenticate(username, token),
        to.watch.reauthenticate(username, token),
      ]);
      for (const failure of failures)
        if (failure !== undefined) notice(`re-AUTH with a refreshed token failed: ${failure}`);
    },
    notice,
  );
  refresher.start(target.firstToken.token, target.firstToken.fetchedAtMs);
  return refresher;
}

function threadPlans(
  config: RunConfig,
  target: ThreadPlan["target"],
  share: ShardShare,
  topology: Topology | undefined,
): ThreadPlan[] {
  const plans: ThreadPlan[] = [];
  let first = 0;
  for (let t = 0; t < config.threads; t++) {
    const connections =
      Math.floor(config.connections / config.threads) + (t < config.connections % config.threads ? 1 : 0);
    plans.push({
      threadIndex: t,
      target,
      connections,
      firstConnection: first,
      totalConnections: config.connections,
      pipeline: config.pipeline,
      timeoutMs: config.timeoutMs,
      topology,
      readFrom: config.readFrom,
      seed: config.seed,
      ...(share.count > 1 && { shardIndex: share.index }),
      workload: {
        commands: config.commands,
        keyPattern: config.keyPattern,
        keyMax: config.keyMax,
        prefix: config.prefix,
        dataSizeMin: config.dataSizeMin,
        dataSizeMax: config.dataSizeMax,
        dataset: config.dataset,
        ttlS: config.ttlS,
        scripts: config.scripts,
      },
    });
    first += connections;
  }
  return plans;
}

/** The open-loop profile of the measured phase, or undefined for closed loop. */
export function measuredStages(config: RunConfig): Stage[] | undefined {
  if (config.stages !== undefined && config.stages.length > 0) return config.stages;
  if (config.rate === undefined) return undefined;
  // A constant rate for as long as the run lasts; with --requests the count ends it first.
  const durationMs = config.durationMs ?? Number.MAX_SAFE_INTEGER / 4;
  return [{ kind: "constant", durationMs, rate: config.rate }];
}

/** What the phases need of the hooks: the caller's, plus the run's event bus. */
type PhaseHooks = RunHooks & {
  bus?: RunEventBus;
  /** The target rate during the interval that ends at tS and lasted spanS, ops/s (open loop). */
  intervalRate?: (tS: number, spanS: number) => number | undefined;
};

async function runPhases(
  config: RunConfig,
  engine: EngineThreads,
  hooks: PhaseHooks,
  keys: { prefillKeys: KeyRange; measureKeys?: KeyRange },
  measureHooks: { onMeasureStart(startEpochMs: number): void; onMeasuredPoint(point: SeriesPoint): void },
): Promise<MeasuredRun> {
  const stages = measuredStages(config);
  // Reports and thresholds know each entry by its label; the count check adds labels up per command.
  const names = commandLabels(config.commands);
  const threads = engine.threads;
  const share = (total: number, t: number) => Math.floor(total / threads) + (t < total % threads ? 1 : 0);
  const measured: MeasuredRun = {
    stages,
    commandNames: names,
    totals: new PhaseTotals(names),
    series: [],
    durationMs: 0,
    stopped: false,
    targetLost: false,
    eventLoopDelayMs: { p50: 0, p99: 0, max: 0 },
    phases: {},
  };
  const stopped = () => hooks.signal?.aborted === true;
  const onAbort = () => engine.stop();
  hooks.signal?.addEventListener("abort", onAbort);
  try {
    if (config.prefill && !stopped()) {
      const started = epochNowMs() + PHASE_START_DELAY_MS;
      let keyStart = 0;
      const plans = Array.from({ length: threads }, (_, t): PhasePlan => {
        const requests = share(keys.prefillKeys.count, t);
        const plan: PhasePlan = {
          name: "prefill",
          startEpochMs: started,
          requests,
          keyStart,
          keys: keys.prefillKeys,
        };
        keyStart += requests;
        return plan;
      });
      const totals = await runWithProgress(
        engine,
        plans,
        new PhaseTotals(["SET"]),
        "prefill",
        undefined,
        hooks,
      );
      measured.phases.prefill = {
        ops: totals.totals.totalOps,
        durationMs: totals.durationMs,
        totals: totals.totals,
      };
      measured.targetLost ||= totals.outcome.targetLost;
    }
    if (config.warmupMs > 0 && !stopped() && !measured.targetLost) {
      const started = epochNowMs() + PHASE_START_DELAY_MS;
      const warmupRate = stages !== undefined ? rateAt(stages, 0, config.seed) : undefined;
      const warmupStages: Stage[] | undefined =
        warmupRate !== undefined
          ? [{ kind: "constant", durationMs: config.warmupMs, rate: warmupRate }]
          : undefined;
      const plans = Array.from(
        { length: threads },
        (): PhasePlan => ({
          name: "warmup",
          startEpochMs: started,
          endEpochMs: started + config.warmupMs,
          stages: warmupStages,
          keys: keys.measureKeys,
        }),
      );
      const totals = await runWithProgress(
        engine,
        plans,
        new PhaseTotals(names),
        "warmup",
        config.warmupMs,
        hooks,
      );
      measured.phases.warmup = {
        ops: totals.totals.totalOps,
        durationMs: totals.durationMs,
        totals: totals.totals,
      };
      measured.targetLost ||= totals.outcome.targetLost;
    }
    if (!stopped() && !measured.targetLost) {
      const started = epochNowMs() + PHASE_START_DELAY_MS;
      measureHooks.onMeasureStart(started);
      measured.measureStartEpochMs = started;
      const durationMs =
        config.stages !== undefined && config.stages.length > 0
          ? config.stages.reduce((sum, s) => sum + s.durationMs, 0)
          : config.requests !== undefined
            ? undefined
            : config.durationMs;
      const plans = Array.from(
        { length: threads },
        (_, t): PhasePlan => ({
          name: "measure",
          startEpochMs: started,
          endEpochMs: durationMs !== undefined ? started + durationMs : undefined,
          requests: config.requests !== undefined ? share(config.requests, t) : undefined,
          stages,
          keys: keys.measureKeys,
        }),
      );
      // The rate during the interval (not at its end), up to the planned end of the phase: the same
      // figure for the series and for the interval events.
      const intervalRate = (tS: number, spanS: number) =>
        stages !== undefined
          ? intervalTargetRate(stages, (tS - spanS) * 1000, tS * 1000, config.seed, durationMs)
          : undefined;
      const run = await runWithProgress(
        engine,
        plans,
        measured.totals,
        "measure",
        durationMs,
        { ...hooks, intervalRate },
        (interval, tS, spanS) => {
          const targetRate = intervalRate(tS, spanS);
          measureHooks.onMeasuredPoint(seriesPoint(interval, tS, spanS, targetRate));
          measured.series.push({ interval, tS, spanS, targetRate });
          hooks.onMeasuredInterval?.(interval, tS, spanS);
        },
      );
      measured.durationMs = run.durationMs;
      measured.successTimelines = run.outcome.successTimelines;
      measured.targetLost ||= run.outcome.targetLost;
      measured.eventLoopDelayMs = run.outcome.eventLoopDelayMs;
    }
  } finally {
    hooks.signal?.removeEventListener("abort", onAbort);
  }
  measured.stopped = stopped();
  return measured;
}

/**
 * Runs one phase, taking a snapshot of every thread once per interval (progress, and the series
 * for the measured phase), and adds everything into `totals`.
 */
async function runWithProgress(
  engine: EngineThreads,
  plans: PhasePlan[],
  totals: PhaseTotals,
  phase: ProgressSnapshot["phase"],
  plannedMs: number | undefined,
  hooks: PhaseHooks,
  onInterval?: (interval: PhaseTotals, tS: number, spanS: number) => void,
): Promise<{ totals: PhaseTotals; outcome: PhaseOutcome; durationMs: number }> {
  const startMs = plans[0].startEpochMs;
  const bus = hooks.bus;
  bus?.emit({ type: "phase-started", phase: phase as RunPhase, startEpochMs: startMs, plannedMs });
  let outcome: PhaseOutcome | undefined;
  const finished = engine.runPhase(plans).then((o) => {
    outcome = o;
  });
  const names = totals.commandNames;
  let previousTickMs = startMs;
  const takeInterval = (reports: PhaseOutcome["reports"], nowMs: number) => {
    const interval = new PhaseTotals(names);
    for (const r of reports) interval.add(r);
    totals.addTotals(interval);
    const elapsedMs = nowMs - startMs;
    const spanS = Math.max(0.001, (nowMs - previousTickMs) / 1000);
    previousTickMs = nowMs;
    if (bus?.active === true) {
      const tS = Math.round(elapsedMs) / 1000;
      const rate = hooks.intervalRate?.(tS, spanS);
      bus.emit(intervalEvent(phase as RunPhase, interval, tS, spanS, rate));
    }
    // An outage has its points too (no reply, connection errors): the series never stops early.
    // Only a last sliver of an interval with nothing in it is left out.
    if (interval.totalSent > 0 || interval.totalOps > 0 || interval.totalErrors > 0 || spanS >= 0.5)
      onInterval?.(interval, Math.round(elapsedMs) / 1000, spanS);
    const overall = interval.overallLatency();
    hooks.onProgress?.({
      phase,
      elapsedMs,
      totalMs: plannedMs,
      opsPerSec: interval.totalOps / spanS,
      p50Ms: overall.totalCount > 0 ? overall.getValueAtPercentile(50) / 1000 : 0,
      p99Ms: overall.totalCount > 0 ? overall.getValueAtPercentile(99) / 1000 : 0,
      errors: totals.totalErrors,
      timeouts: totals.timeouts,
    });
  };
  let nextTickMs = startMs + INTERVAL_MS;
  // A snapshot answered after a thread already sent its phase-done is empty for that thread (its
  // last report went with phase-done): such a snapshot joins the final interval, instead of being a
  // tick of its own that would leave the final interval a few ms long and its ops/s absurd.
  let lateReports: PhaseOutcome["reports"] = [];
  while (outcome === undefined) {
    const wait = Math.max(0, nextTickMs - epochNowMs());
    await Promise.race([finished, new Promise((r) => setTimeout(r, wait))]);
    if (outcome !== undefined) break;
    // The tick at the planned end comes while the last replies drain (a few ms): give the phase a
    // moment to finish, so the drain joins the final interval rather than being a point of its own.
    if (plannedMs !== undefined && nextTickMs >= startMs + plannedMs) {
      await Promise.race([finished, new Promise((r) => setTimeout(r, DRAIN_GRACE_MS))]);
      if (outcome !== undefined) break;
    }
    const reports = await engine.snapshot();
    if (outcome !== undefined) {
      lateReports = reports;
      break;
    }
    takeInterval(reports, epochNowMs());
    nextTickMs += INTERVAL_MS;
  }
  const endMs = epochNowMs();
  const done = outcome as PhaseOutcome;
  // A failed engine ends the run as a lost target would: no further phase (src/run/engine-failure.ts).
  if (done.failure !== undefined) done.targetLost = true;
  takeInterval([...lateReports, ...done.reports], endMs);
  bus?.emit({
    type: "phase-ended",
    phase: phase as RunPhase,
    ops: totals.totalOps,
    durationMs: Math.max(0, endMs - startMs),
    targetLost: done.targetLost,
  });
  return { totals, outcome: done, durationMs: Math.max(0, endMs - startMs) };
}

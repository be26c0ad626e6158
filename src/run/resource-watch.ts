import { existsSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { RunConfig } from "../config/types.js";
import { type AdminClient, escapeGlob } from "../core/admin-client.js";
import { withTimeout } from "../core/with-timeout.js";
import { parseInfoSections } from "../probes/parse-info.js";
import { type PersistencePaths, readPersistence } from "../probes/persistence-disk.js";
import { findLocalPid } from "../probes/proc-stats.js";
import { fdLimit, openFdCount, socketCount } from "../probes/process-resources.js";
import { type StreamDepth, StreamDepthReader } from "../probes/stream-depth.js";
import type { ServerSample } from "../probes/types.js";
import type { ResourceReport, ResourceSample } from "../result/resource-types.js";
import type { RunResult, SeriesPoint } from "../result/result-types.js";
import { isResourceZone, resourceZones, type ZoneInputs } from "../result/zones.js";
import { configGet } from "../scenario-checks/server-reads.js";
import type { Participant, RunContext } from "./participant.js";

/** Longest one admin command of the watch may take, ms: a stalled server must not stall the run. */
const COMMAND_TIMEOUT_MS = 2000;
/** How often the SCAN for the run's streams goes on, ms (new streams appear as event types do). */
const DISCOVER_EVERY_MS = 5000;

/**
 * Resources beside CPU and RSS, sampled once per measured interval (docs/zones.md, "Resources"):
 * for a server on this host its persistence files and the disk under them, whether its process is
 * still there (the crash zone), the depth of the run's streams, and cachestress's own memory,
 * descriptors, sockets and event-loop delay. The server's descriptors and disk I/O come with the
 * server samples (src/probes/server-prober.ts). At the end it adds `result.resources` and the
 * resource zones, judged by the run's bands (`zones:`, `--zone`).
 */
export class ResourceWatch implements Participant {
  readonly name = "resources";
  private run: RunContext | undefined;
  private pid: number | undefined;
  private paths: PersistencePaths | undefined;
  private streams: StreamDepthReader | undefined;
  private streamNote: string | undefined;
  private lastDiscoverMs = 0;
  private depthInFlight: Promise<void> | undefined;
  private latestDepth: StreamDepth | undefined;
  private readonly series: ResourceSample[] = [];
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });
  private readonly goneAtS: number[] = [];
  private stillGone = false;
  private countedPid: number | undefined;
  private stopped = false;
  /** The run restarts the server on purpose: a PID that goes away for a while is not a crash. */
  private readonly plannedRestarts: boolean;

  constructor(private readonly config: RunConfig) {
    const faults = Array.isArray(config.faults) ? (config.faults as { kind?: unknown }[]) : [];
    const check = (config.check as { kind?: unknown } | undefined)?.kind;
    this.plannedRestarts = faults.some((f) => f?.kind === "restart") || check === "persistence-recovery";
  }

  async beforeLoad(run: RunContext): Promise<void> {
    this.run = run;
    this.loopDelay.enable();
    const send = (args: string[]) => withTimeout(run.admin.sendCommand(args), COMMAND_TIMEOUT_MS, args[0]);
    this.pid = run.managed?.pid ?? (await localPid(run, send));
    if (this.pid !== undefined) this.paths = await persistencePaths(run.admin);
    const sendsStreams = this.config.commands.some((c) => c.name === "XADD");
    const ownCommands = this.config.commands.some((c) => /^(SCAN|XINFO)/.test(c.name));
    if (sendsStreams && ownCommands)
      this.streamNote = "not measured: the run itself sends SCAN or XINFO, which its count check compares";
    else if (sendsStreams && run.topology?.kind !== "cluster")
      this.streams = new StreamDepthReader(send, `${escapeGlob(this.config.prefix)}*`);
  }

  onInterval(point: SeriesPoint, _server: ServerSample | undefined): void {
    if (this.stopped) return;
    const sample: ResourceSample = { tS: point.tS, ...this.toolReading() };
    if (this.paths !== undefined) {
      const { diskTotalBytes: _total, ...persistence } = readPersistence(this.paths);
      Object.assign(sample, persistence);
    }
    if (this.latestDepth !== undefined) {
      sample.streamLengthEntries = this.latestDepth.lengthEntries;
      sample.pendingEntries = this.latestDepth.pendingEntries;
    }
    this.series.push(sample);
    this.watchProcess(point.tS);
    if (this.streams !== undefined && this.depthInFlight === undefined) {
      this.depthInFlight = this.readDepth().finally(() => {
        this.depthInFlight = undefined;
      });
    }
  }

  async stopLoad(): Promise<void> {
    this.stopped = true;
    await this.depthInFlight;
    this.loopDelay.disable();
  }

  async afterLoad(run: RunContext): Promise<void> {
    // A last look after the load: the streams' final depth, and whether the server is still there.
    if (this.streams !== undefined) await this.readDepth(true);
    const pid = this.pid;
    if (pid !== undefined && pid !== this.countedPid && !processExists(pid)) {
      const replaced = run.managed !== undefined && run.managed.pid !== pid && processExists(run.managed.pid);
      this.stillGone = !replaced;
    }
  }

  contribute(result: RunResult): void {
    const report = this.report(result.serverSeries ?? []);
    result.resources = report;
    const extra = resourceZones(this.zoneInputs(report), this.config.zones);
    // The core zones stay as analyzed; resource zones (a band set but not measured there) are replaced.
    result.zones = [...(result.zones ?? []).filter((z) => !isResourceZone(z.metric)), ...extra];
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.loopDelay.disable();
  }

  private toolReading(): Partial<ResourceSample> {
    const memory = process.memoryUsage();
    const reading: Partial<ResourceSample> = {
      toolRssBytes: memory.rss,
      toolHeapUsedBytes: memory.heapUsed,
    };
    const fds = openFdCount("self");
    if (fds !== undefined) reading.toolOpenFds = fds;
    const sockets = socketCount("self");
    if (sockets !== undefined) reading.toolSockets = sockets;
    if (this.loopDelay.count > 0) {
      reading.toolEventLoopDelayP99Ms = round(this.loopDelay.percentile(99) / 1e6);
      reading.toolEventLoopDelayMaxMs = round(this.loopDelay.max / 1e6);
    }
    this.loopDelay.reset();
    return reading;
  }

  /**
   * A server process that vanished is a crash, counted once per process, unless the tool itself put
   * a new one in its place (a restart fault, persistence-recovery): then the new PID is watched. A
   * run with planned restarts counts only a server still gone at the end (see afterLoad).
   */
  private watchProcess(tS: number): void {
    const pid = this.pid;
    if (pid === undefined || pid === this.countedPid || processExists(pid)) return;
    const managed = this.run?.managed;
    if (managed !== undefined && managed.pid !== pid && processExists(managed.pid)) {
      this.pid = managed.pid;
      return;
    }
    if (this.plannedRestarts) return;
    this.goneAtS.push(tS);
    this.countedPid = pid;
  }

  private async readDepth(final = false): Promise<void> {
    const reader = this.streams;
    if (reader === undefined) return;
    try {
      const now = performance.now();
      if (final || now - this.lastDiscoverMs >= DISCOVER_EVERY_MS) {
        this.lastDiscoverMs = now;
        await reader.discover();
      }
      const depth = await reader.read();
      if (depth !== undefined) this.latestDepth = depth;
      if (final) this.finalDepth = depth;
    } catch (error) {
      this.streamNote ??= `stream depth not read: ${(error as Error).message.split("\n")[0]}`;
    }
  }

  private finalDepth: StreamDepth | undefined;

  private report(serverSeries: ServerSample[]): ResourceReport {
    const s = this.series;
    const tool: ResourceReport["tool"] = {
      rssBytesMax: max(s.map((x) => x.toolRssBytes)),
      heapUsedBytesMax: max(s.map((x) => x.toolHeapUsedBytes)),
      openFdsMax: max(s.map((x) => x.toolOpenFds)),
      fdLimit: fdLimit("self"),
      socketsMax: max(s.map((x) => x.toolSockets)),
      eventLoopDelayP99MsMax: max(s.map((x) => x.toolEventLoopDelayP99Ms)),
      eventLoopDelayMaxMs: max(s.map((x) => x.toolEventLoopDelayMaxMs)),
    };
    const report: ResourceReport = { tool: dropUndefined(tool), series: s };
    const fdSamples = serverSeries.filter((x) => x.processOpenFds !== undefined);
    if (this.pid !== undefined || this.goneAtS.length > 0 || fdSamples.length > 0) {
      const last = this.paths !== undefined ? readPersistence(this.paths) : {};
      const gone = this.goneAtS.length + (this.stillGone ? 1 : 0);
      report.server = dropUndefined({
        pid: this.pid !== undefined && this.pid > 0 ? this.pid : undefined,
        openFdsMax: max(serverSeries.map((x) => x.processOpenFds)),
        fdLimit: max(serverSeries.map((x) => x.processFdLimit)),
        readBytesPerSecMax: max(serverSeries.map((x) => x.processReadBytesPerSec)),
        writeBytesPerSecMax: max(serverSeries.map((x) => x.processWriteBytesPerSec)),
        persistenceDir: this.paths?.dir,
        rdbFileBytes: last.rdbFileBytes,
        aofFileBytes: last.aofFileBytes,
        aofCurrentSizeBytesMax: max(serverSeries.map((x) => x.aofCurrentSizeBytes)),
        diskTotalBytes: last.diskTotalBytes,
        diskUsedPercentMax: max([...s.map((x) => x.diskUsedPercent), last.diskUsedPercent]),
        diskFreeBytesMin: min([...s.map((x) => x.diskFreeBytes), last.diskFreeBytes]),
        gone,
        goneAtS: this.goneAtS.length > 0 ? this.goneAtS : undefined,
      });
    }
    if (this.streams !== undefined || this.streamNote !== undefined) {
      const depths = [...s.map((x) => x.streamLengthEntries), this.finalDepth?.lengthEntries];
      const pending = [...s.map((x) => x.pendingEntries), this.finalDepth?.pendingEntries];
      const truncated =
        this.streams?.truncated === true ? "only the first 64 streams are followed" : undefined;
      report.buffer = dropUndefined({
        streams: this.finalDepth?.streams ?? this.latestDepth?.streams ?? 0,
        streamLengthEntriesMax: max(depths) ?? 0,
        pendingEntriesMax: max(pending) ?? 0,
        note: this.streamNote ?? truncated,
      });
    }
    return report;
  }

  private zoneInputs(report: ResourceReport): ZoneInputs {
    const server = report.server;
    const percent = (used?: number, limit?: number) =>
      used !== undefined && limit !== undefined && limit > 0 ? (used / limit) * 100 : undefined;
    const buffer = report.buffer;
    const measuredBuffer = buffer !== undefined && buffer.streams > 0;
    return {
      serverFdPercent: percent(server?.openFdsMax, server?.fdLimit),
      clientFdPercent: percent(report.tool.openFdsMax, report.tool.fdLimit),
      diskUsedPercent: server?.diskUsedPercentMax,
      streamLengthEntries: measuredBuffer ? buffer.streamLengthEntriesMax : undefined,
      pendingEntries: measuredBuffer ? buffer.pendingEntriesMax : undefined,
      serverGone: server?.gone,
    };
  }
}

/** The PID of a server on this host, from its INFO server (only for loopback targets). */
async function localPid(
  run: RunContext,
  send: (args: string[]) => Promise<unknown>,
): Promise<number | undefined> {
  try {
    const info = parseInfoSections(String(await send(["INFO", "server"])));
    return findLocalPid(run.server.host, run.server.port, info);
  } catch {
    return undefined;
  }
}

/** CONFIG GET of the persistence settings; undefined when CONFIG is not available or the dir is not here. */
async function persistencePaths(admin: AdminClient): Promise<PersistencePaths | undefined> {
  const get = (name: string) => configGet(admin, name).catch(() => undefined);
  const dir = await get("dir");
  if (dir === undefined || !existsSync(dir)) return undefined;
  const paths: PersistencePaths = { dir };
  const dbfilename = await get("dbfilename");
  const appendfilename = await get("appendfilename");
  const appenddirname = await get("appenddirname");
  if (dbfilename !== undefined) paths.dbfilename = dbfilename;
  if (appendfilename !== undefined) paths.appendfilename = appendfilename;
  if (appenddirname !== undefined) paths.appenddirname = appenddirname;
  return paths;
}

export function processExists(pid: number): boolean {
  return pid > 0 && existsSync(`/proc/${pid}`);
}

function max(values: (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return known.length > 0 ? Math.max(...known) : undefined;
}

function min(values: (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return known.length > 0 ? Math.min(...known) : undefined;
}

function dropUndefined<T extends object>(o: T): T {
  for (const key of Object.keys(o) as (keyof T)[]) if (o[key] === undefined) delete o[key];
  return o;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

import { ErrorReply } from "@redis/client";
import { CONNECT_TIMEOUT_MS, createTargetClient, type TargetClient } from "../core/target-client.js";
import { withTimeout } from "../core/with-timeout.js";
import type { ConnectionTarget } from "../engine/load-connection.js";
import {
  parseInfoSections,
  parseLatencyLatestReply,
  parseSlowlogReply,
  sampleFromInfo,
} from "./parse-info.js";
import {
  cpuPercentBetween,
  findLocalPid,
  isLoopbackHost,
  type ProcessStats,
  readProcessStats,
} from "./proc-stats.js";
import { ProcessResourceReader } from "./process-resources.js";
import type { ServerSample } from "./types.js";

type RedisClient = TargetClient;

/** The prober's connection name, so its own commands can be told apart in SLOWLOG and CLIENT LIST. */
export const PROBE_CLIENT_NAME = "cachestress-probe";
const DEFAULT_INTERVAL_MS = 1000;

/** How long a sample may wait on an unanswering connection before it is dropped and reopened, ms. */
const STALL_RESET_MS = 5000;
/** Shortest wait for a sample's replies, ms, however short the interval. */
const MIN_SAMPLE_WAIT_MS = 500;
/** Entries asked of SLOWLOG per sample; the server keeps 128 by default (slowlog-max-len). */
const SLOWLOG_FETCH = "128";

export class ProbeConnectError extends Error {
  readonly code = "E_PROBE_CONNECT";
}

/** Replies that mean "this target will never run this command for us": renamed, blocked by ACL, disabled. */
const BLOCKED_REPLY = /unknown command|unknown subcommand|NOPERM|no permissions|not allowed|disabled/i;

/** Replies that only mean "not now" (loading a dataset, busy in a script): no reason to change how we ask. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN)\b/;

/** `ERR unknown command 'CONFIG', with args beginning with: 'GET' …` → `ERR unknown command 'CONFIG'`. */
function shortReply(error: ErrorReply): string {
  return error.message.split(", with args beginning with")[0].trim();
}

type Reply = { ok: true; value: unknown } | { ok: false; error: ErrorReply };
type InfoMode = "everything" | "default-plus-commandstats" | "default";

/**
 * Samples one server on a connection of its own, once per interval: INFO, new SLOWLOG entries,
 * LATENCY LATEST and, for a process on this host, CPU % and RSS from /proc. It never throws once
 * connected: a sample of a server that is down holds only its time, a stalled server gets no queue
 * of probes piling up behind it, and reconnecting is tried at most once per interval. A command the
 * target refuses for good is noted once in `unavailable` and not sent again.
 */
export class ServerProber {
  private client: RedisClient | undefined;
  private readonly notes = new Map<string, string>();
  private infoMode: InfoMode = "everything";
  private slowlogId: number | undefined;
  private maxclientsFromConfig: number | undefined;
  private configAsked = false;
  private previousInfo: ServerSample | undefined;
  private previousProc: { stats: ProcessStats; atMs: number } | undefined;
  private readonly resources = new ProcessResourceReader();
  private lastConnectAtMs = 0;
  /** When the sample still waiting on the server was started, epoch ms; 0 while none is. */
  private busySinceMs = 0;
  private closed = false;
  /** A PID the caller gave is kept; one found through INFO is looked up again after each reconnect. */
  private readonly pidFromCaller: boolean;

  private constructor(
    private target: ConnectionTarget,
    private readonly intervalMs: number,
    private pidKnown: number | undefined,
  ) {
    this.pidFromCaller = pidKnown !== undefined;
  }

  static async connect(
    target: ConnectionTarget,
    opts: { pid?: number; intervalMs?: number } = {},
  ): Promise<ServerProber> {
    const prober = new ServerProber(target, opts.intervalMs ?? DEFAULT_INTERVAL_MS, opts.pid);
    try {
      await withTimeout(prober.open(), CONNECT_TIMEOUT_MS + 500);
    } catch (error) {
      prober.dropClient();
      const cause = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new ProbeConnectError(`probe cannot reach ${target.host}:${target.port}: ${cause}`);
    }
    return prober;
  }

  /** One line per command this target refused for good, e.g. "CONFIG: not available on this target (…)". */
  get unavailable(): string[] {
    return [...this.notes.values()];
  }

  /** The server's PID on this host, when given or found; CPU % and RSS are sampled for it. */
  get pid(): number | undefined {
    return this.pidKnown;
  }

  /** Resolves within about one interval, whatever the server does; `tS` is stamped on the sample as given. */
  async sample(tS: number): Promise<ServerSample> {
    const atMs = Date.now();
    const empty: ServerSample = { tS, atMs };
    if (this.closed) return empty;
    if (this.busySinceMs > 0) {
      // A previous sample still waits on a paused or hung server: asking again would only queue more.
      // After several intervals the connection itself is suspect (a blackholed link never answers), so
      // it is dropped; that fails the waiting commands and the next sample reconnects.
      if (atMs - this.busySinceMs > Math.max(STALL_RESET_MS, 5 * this.intervalMs)) this.dropClient();
      return empty;
    }
    this.busySinceMs = atMs;
    const deadline = { passed: false };
    const work = this.collect(tS, atMs, deadline).catch(() => empty);
    void work.then(() => {
      this.busySinceMs = 0;
    });
    return new Promise<ServerSample>((resolve) => {
      const timer = setTimeout(
        () => {
          deadline.passed = true;
          resolve(empty);
        },
        Math.max(MIN_SAMPLE_WAIT_MS, this.intervalMs),
      );
      void work.then((sample) => {
        clearTimeout(timer);
        resolve(sample);
      });
    });
  }

  /**
   * Refreshed credentials (a new token): AUTH on the open connection, and used for every reconnect.
   * A failure is returned as its first line; the next sample shows whether the probe still works.
   */
  async reauthenticate(username: string | undefined, password: string): Promise<string | undefined> {
    this.target = { ...this.target, username, password };
    const client = this.client;
    if (client === undefined || !client.isReady) return undefined;
    try {
      await client.sendCommand(username !== undefined ? ["AUTH", username, password] : ["AUTH", password]);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message.split("\n")[0] : String(error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.dropClient();
  }

  /** Opens the connection and asks, once per connection, what does not change while it runs. */
  private async open(): Promise<void> {
    this.lastConnectAtMs = Date.now();
    this.dropClient();
    const t = this.target;
    const client = createTargetClient(t);
    client.on("error", () => {
      // The failed command or connect() carries the error; this listener only keeps node-redis quiet.
    });
    this.client = client;
    await client.connect();
    // The server may have been restarted (a fault, a failover test) under a new PID since the last connection.
    const needPid = !this.pidFromCaller && isLoopbackHost(t.host);
    const [, config, slowlog, server] = await Promise.all([
      // Best effort: without a name our own commands may show in SLOWLOG, which is all it costs.
      this.send(["CLIENT", "SETNAME", PROBE_CLIENT_NAME]),
      this.configAsked || this.notes.has("CONFIG") ? undefined : this.send(["CONFIG", "GET", "maxclients"]),
      // The newest id now is the baseline: only entries logged after it belong to this run.
      this.slowlogId !== undefined || this.notes.has("SLOWLOG")
        ? undefined
        : this.send(["SLOWLOG", "GET", "1"]),
      needPid && !this.notes.has("INFO") ? this.send(["INFO", "server"]) : undefined,
    ]);
    if (config !== undefined && this.usable("CONFIG", config)) {
      const pair = config.value as unknown[];
      const max = Number(pair?.[1]);
      if (Number.isFinite(max) && max > 0) this.maxclientsFromConfig = max;
    }
    this.configAsked ||= config !== undefined;
    if (slowlog !== undefined && this.usable("SLOWLOG", slowlog)) {
      this.slowlogId = parseSlowlogReply(slowlog.value, -1).newestId;
    }
    if (server !== undefined && this.usable("INFO", server)) {
      const pid = findLocalPid(t.host, t.port, parseInfoSections(String(server.value)));
      if (pid !== this.pidKnown) this.previousProc = undefined;
      this.pidKnown = pid;
    }
  }

  private dropClient(): void {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    try {
      client.destroy();
    } catch {
      // node-redis throws when the client is already closed; nothing is left to release.
    }
  }

  /** An error reply comes back as a value; a broken connection rejects. */
  private async send(args: string[]): Promise<Reply> {
    const client = this.client;
    if (client === undefined) throw new Error("not connected");
    try {
      return { ok: true, value: await client.sendCommand(args) };
    } catch (error) {
      if (error instanceof ErrorReply) return { ok: false, error };
      throw error;
    }
  }

  /** True for a good reply; an error reply that means "never" is noted once under `command`. */
  private usable(command: string, reply: Reply): reply is { ok: true; value: unknown } {
    if (reply.ok) return true;
    if (BLOCKED_REPLY.test(reply.error.message) && !this.notes.has(command)) {
      this.notes.set(command, `${command}: not available on this target (${shortReply(reply.error)})`);
    }
    return false;
  }

  /** A command that is not known to be refused, or a resolved undefined in its place. */
  private optional(command: string, args: string[]): Promise<Reply | undefined> {
    return this.notes.has(command) ? Promise.resolve(undefined) : this.send(args);
  }

  /**
   * INFO text in as few round trips as the server allows: `INFO everything` (commandstats and
   * errorstats included) where supported, else plain INFO plus `INFO commandstats`, else plain INFO.
   */
  private async readInfo(): Promise<string | undefined> {
    if (this.notes.has("INFO")) return undefined;
    if (this.infoMode === "everything") {
      const reply = await this.send(["INFO", "everything"]);
      if (reply.ok) return String(reply.value);
      if (TRANSIENT_REPLY.test(reply.error.message)) return undefined;
      this.infoMode = "default-plus-commandstats";
    }
    const [info, commandstats] = await Promise.all([
      this.send(["INFO"]),
      this.infoMode === "default-plus-commandstats" ? this.send(["INFO", "commandstats"]) : undefined,
    ]);
    if (commandstats !== undefined && !commandstats.ok && !TRANSIENT_REPLY.test(commandstats.error.message)) {
      this.infoMode = "default";
    }
    if (!this.usable("INFO", info)) return undefined;
    return commandstats?.ok ? `${String(info.value)}\r\n${String(commandstats.value)}` : String(info.value);
  }

  private async collect(tS: number, atMs: number, deadline: { passed: boolean }): Promise<ServerSample> {
    const empty: ServerSample = { tS, atMs };
    if (this.client === undefined || !this.client.isReady) {
      if (Date.now() - this.lastConnectAtMs < this.intervalMs) return empty;
      await this.open();
    }
    const [infoText, slowlog, latency] = await Promise.all([
      this.readInfo(),
      this.optional("SLOWLOG", ["SLOWLOG", "GET", SLOWLOG_FETCH]),
      this.optional("LATENCY", ["LATENCY", "LATEST"]),
    ]);
    const proc = this.pidKnown !== undefined ? readProcessStats(this.pidKnown) : undefined;
    const procAtMs = performance.now();
    // Too late: the caller already has an empty sample, and the state below must stay as it was so the
    // next sample's deltas and SLOWLOG entries start from the last sample the caller actually received.
    if (deadline.passed) return empty;

    const sample: ServerSample = { tS, atMs };
    if (infoText !== undefined) {
      const previous = this.previousInfo;
      const intervalS = previous === undefined ? 0 : (atMs - previous.atMs) / 1000;
      Object.assign(sample, sampleFromInfo(parseInfoSections(infoText), previous, intervalS));
      sample.maxclients ??= this.maxclientsFromConfig;
      if (sample.maxclients === undefined) delete sample.maxclients;
      this.previousInfo = sample;
    }
    if (slowlog !== undefined && this.usable("SLOWLOG", slowlog)) {
      const parsed = parseSlowlogReply(slowlog.value, this.slowlogId ?? -1, PROBE_CLIENT_NAME);
      if (parsed.entries.length > 0) sample.slowlog = parsed.entries;
      this.slowlogId = parsed.newestId;
    }
    if (latency !== undefined && this.usable("LATENCY", latency)) {
      const events = parseLatencyLatestReply(latency.value);
      if (events !== undefined) sample.latencyEvents = events;
    }
    if (proc !== undefined) {
      sample.processRssBytes = proc.rssBytes;
      const before = this.previousProc;
      const cpu =
        before === undefined ? undefined : cpuPercentBetween(before.stats, proc, procAtMs - before.atMs);
      if (cpu !== undefined) sample.processCpuPercent = cpu;
      this.previousProc = { stats: proc, atMs: procAtMs };
      // Descriptors and disk I/O of the same process (docs/zones.md, "Resources").
      Object.assign(sample, prefixed(this.resources.read(this.pidKnown!, procAtMs)));
    }
    return sample;
  }
}

/** A process reading under the sample's `process*` names. */
function prefixed(r: ReturnType<ProcessResourceReader["read"]>): Partial<ServerSample> {
  return {
    ...(r.openFds !== undefined && { processOpenFds: r.openFds }),
    ...(r.fdLimit !== undefined && { processFdLimit: r.fdLimit }),
    ...(r.readBytesPerSec !== undefined && { processReadBytesPerSec: r.readBytesPerSec }),
    ...(r.writeBytesPerSec !== undefined && { processWriteBytesPerSec: r.writeBytesPerSec }),
  };
}

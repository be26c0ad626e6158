import { formatMemory } from "../checks/audit-values.js";
import { booleanRule, oneOf } from "../config/field-rules.js";
import type { RunConfig } from "../config/types.js";
import { AdminClient } from "../core/admin-client.js";
import type { ConnectionTarget } from "../engine/load-connection.js";
import type { RunResult } from "../result/result-types.js";
import {
  type CheckContext,
  type CheckFactory,
  type CheckReport,
  checkReport,
  type ScenarioCheck,
} from "./check.js";
import { CheckOptions, durationBetween, meanValueBytes, memorySizeRule, sleep } from "./check-options.js";
import { type MemoryReading, MemorySampler, readMemory } from "./memory-sampler.js";
import { type PressureFigures, pressureFigures } from "./pressure-figures.js";
import { command, configGet, configSet, refuseCluster } from "./server-reads.js";

/**
 * memory-pressure: fills a server past `maxmemory` and checks that its eviction policy does what it
 * says: an evicting policy evicts and accepts every write, noeviction refuses writes with OOM and
 * evicts nothing. It samples used_memory and evicted_keys on its own interval, lines them up with
 * the clients' per-second latency and errors, and afterwards deletes the run's keys and times how
 * long the server takes to accept writes again with its memory back under the limit.
 */

export const EVICTION_POLICIES = [
  "noeviction",
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
] as const;
export type EvictionPolicy = (typeof EVICTION_POLICIES)[number];

const OPTIONS = ["maxmemory", "policy", "reconfigure", "sampleEvery", "recoveryTimeout"];
const MB = 1024 ** 2;

export interface MemoryPressureOptions {
  maxmemoryBytes: number;
  policy: EvictionPolicy;
  /** A server the tool did not start may be reconfigured only when the user says so. */
  reconfigure: boolean;
  sampleEveryMs: number;
  recoveryTimeoutMs: number;
}

/** How often the recovery loop tries its SET and reads used_memory, ms. */
const RECOVERY_POLL_MS = 10;

export const memoryPressure: CheckFactory = (section, config) => {
  const o = new CheckOptions("memory-pressure", section, OPTIONS);
  const options: MemoryPressureOptions = {
    maxmemoryBytes: o.read("maxmemory", memorySizeRule(2 * MB, 1024 ** 4), 32 * MB),
    policy: o.read("policy", oneOf(EVICTION_POLICIES), "allkeys-lru"),
    reconfigure: o.read("reconfigure", booleanRule, false),
    sampleEveryMs: o.read("sampleEvery", durationBetween(50, 10_000), 500),
    recoveryTimeoutMs: o.read("recoveryTimeout", durationBetween(100, 600_000), 10_000),
  };
  if (config.url !== undefined && !options.reconfigure) {
    o.problem(
      "check.reconfigure",
      o.raw("reconfigure"),
      "true to fill a server the tool did not start (--url): it sets maxmemory and maxmemory-policy with CONFIG SET and puts the old values back afterwards; or run without --url",
    );
  }
  const setWeight = config.commands.find((c) => c.name === "SET")?.weight ?? 0;
  if (setWeight <= 0) {
    o.problem(
      "ratio",
      config.commands.map((c) => `${c.name}:${c.weight}`).join(" "),
      'a SET weight above 0, e.g. "4:1": memory-pressure fills the server with SETs',
    );
  }
  const writableBytes = config.keyMax * meanValueBytes(config);
  if (!o.invalid("maxmemory") && writableBytes < 2 * options.maxmemoryBytes) {
    o.problem(
      "check.maxmemory",
      o.raw("maxmemory") ?? formatMemory(options.maxmemoryBytes),
      `at most half of what the run can write (keyMax ${config.keyMax} × ${Math.round(meanValueBytes(config))} bytes a value = ${(writableBytes / MB).toFixed(1)}mb), so the load goes past it: raise keyMax or dataSize, or lower maxmemory`,
    );
  }
  if (config.keepKeys) {
    o.problem(
      "keepKeys",
      true,
      "false: memory-pressure deletes the run's keys to measure how the server recovers",
    );
  }
  o.rejectShard(config);
  if (o.problems.length > 0) return { ok: false, problems: o.problems };
  return { ok: true, check: new MemoryPressureCheck(options, config) };
};

/** The outcome of deleting the run's keys and waiting for writes and memory to come back. */
interface Recovery {
  keysDeleted: number;
  deleteMs: number;
  /** From the start of the deletion until a SET succeeds with used_memory under maxmemory; null if never. */
  recoveryMs: number | null;
}

class MemoryPressureCheck implements ScenarioCheck {
  readonly kind = "memory-pressure";
  private admin: AdminClient | undefined;
  private server: ConnectionTarget | undefined;
  private where = "";
  /** The server's own values before a reconfigure, to put back. */
  private original: { maxmemory: string; policy: string } | undefined;
  private restored = false;
  private atLoadStart: MemoryReading | undefined;
  private atMeasureStart: Promise<MemoryReading | undefined> | undefined;
  /** The reading at the start of the measured part: evictions and OOM replies of that part count from it. */
  private measureBaseline: MemoryReading | undefined;
  /** True when the measured part's first reading was answered before the measured load began. */
  private cleanBaseline = false;
  private sampler: MemorySampler | undefined;
  private atStop: MemoryReading | undefined;
  private stopping = false;
  private result: { oomErrors: number; timeouts: number; pressure: PressureFigures } | undefined;
  private recovery: Recovery | undefined;
  /** What went wrong in the check itself (a read that failed), reported as problems. */
  private readonly failures: string[] = [];

  constructor(
    private readonly options: MemoryPressureOptions,
    private readonly config: RunConfig,
  ) {}

  /** A policy with nothing to evict refuses writes with OOM: that is what this check verifies. */
  get expectsRefusals(): boolean {
    return !this.evicts;
  }

  /** An evicting policy has something to evict: any key, or for volatile-* the keys with a TTL. */
  private get evicts(): boolean {
    const { policy } = this.options;
    return (
      policy.startsWith("allkeys-") || (policy.startsWith("volatile-") && this.config.ttlS !== undefined)
    );
  }

  managedServerArgs(): string[] {
    return ["--maxmemory", String(this.options.maxmemoryBytes), "--maxmemory-policy", this.options.policy];
  }

  async beforeLoad(context: CheckContext): Promise<void> {
    const { admin } = context;
    await refuseCluster(context, this.kind, "sets and watches one server's maxmemory");
    this.admin = admin;
    this.server = context.server;
    this.where = context.where;
    const wanted = { maxmemory: String(this.options.maxmemoryBytes), policy: this.options.policy };
    if (context.managed === undefined) {
      const maxmemory = (await configGet(admin, "maxmemory")) ?? "0";
      const policy = (await configGet(admin, "maxmemory-policy")) ?? "noeviction";
      context.say(
        `memory-pressure: CONFIG SET maxmemory ${formatMemory(this.options.maxmemoryBytes)} and maxmemory-policy ${wanted.policy} on ${context.where} ` +
          `(now ${formatMemory(Number(maxmemory))}, ${policy}); they are set back after the run. The policy acts on every key of that server, not only the run's.`,
      );
      this.original = { maxmemory, policy };
      await configSet(admin, "maxmemory", wanted.maxmemory);
      await configSet(admin, "maxmemory-policy", wanted.policy);
    }
    const maxmemory = await configGet(admin, "maxmemory");
    const policy = await configGet(admin, "maxmemory-policy");
    if (maxmemory !== wanted.maxmemory || policy !== wanted.policy) {
      throw new Error(
        `memory-pressure: ${context.where} reports maxmemory ${maxmemory} and maxmemory-policy ${policy}, not ${wanted.maxmemory} and ${wanted.policy}`,
      );
    }
    this.atLoadStart = await readMemory(admin);
  }

  onMeasureStart(startEpochMs: number): void {
    const admin = this.admin;
    if (admin === undefined) return;
    this.atMeasureStart = readMemory(admin).then(
      (reading) => {
        // The load starts at startEpochMs; a reply before then was counted before any measured SET.
        this.cleanBaseline = reading.atMs <= startEpochMs;
        this.measureBaseline = reading;
        if (!this.stopping) {
          this.sampler = new MemorySampler(admin, this.options.sampleEveryMs, reading, startEpochMs);
          this.sampler.start();
        }
        return reading;
      },
      (error: unknown) => {
        this.failures.push(`could not read INFO when the measured part started: ${(error as Error).message}`);
        return undefined;
      },
    );
  }

  async stopLoad(): Promise<void> {
    this.stopping = true;
    await this.atMeasureStart;
    this.atStop = await this.sampler?.stop();
    if (this.atStop === undefined && this.admin !== undefined) {
      this.atStop = await readMemory(this.admin).catch((error: unknown) => {
        this.failures.push(`could not read INFO after the load: ${(error as Error).message}`);
        return undefined;
      });
    }
  }

  /** INFO is not among the commands the count check compares; the check sends nothing else during the load. */
  sentCommands(): Record<string, { sent: number; completed: number }> {
    return {};
  }

  onResult(result: RunResult): void {
    this.result = {
      oomErrors: result.totals.errorsByKind.OOM ?? 0,
      timeouts: result.totals.timeouts,
      pressure: pressureFigures(result.series, this.sampler?.samples ?? []),
    };
  }

  async afterLoad(context: CheckContext): Promise<void> {
    this.admin = context.admin;
    try {
      this.recovery = await this.recover(context.admin);
    } catch (error) {
      this.failures.push(`recovery could not be measured: ${(error as Error).message}`);
    }
    await this.restore();
  }

  /** Deletes the run's keys, then waits until a SET succeeds and used_memory is under maxmemory. */
  private async recover(admin: AdminClient): Promise<Recovery> {
    const started = performance.now();
    const keysDeleted = await admin.deleteKeys(this.config.prefix);
    const deleteMs = performance.now() - started;
    const probeKey = `${this.config.prefix}memory-pressure-probe`;
    const deadline = started + this.options.recoveryTimeoutMs;
    let recoveryMs: number | null = null;
    while (performance.now() < deadline) {
      const written = await command(admin, ["SET", probeKey, "1"]).then(
        () => true,
        () => false,
      );
      const reading = await readMemory(admin);
      if (written && reading.usedMemoryBytes < this.options.maxmemoryBytes) {
        recoveryMs = performance.now() - started;
        break;
      }
      await sleep(RECOVERY_POLL_MS);
    }
    await command(admin, ["DEL", probeKey]).catch(() => {});
    return {
      keysDeleted,
      deleteMs: round(deleteMs),
      recoveryMs: recoveryMs === null ? null : round(recoveryMs),
    };
  }

  /** Puts back maxmemory and the policy of a server the check reconfigured; once. */
  private async restore(): Promise<void> {
    if (this.original === undefined || this.restored) return;
    let admin = this.admin;
    let own: AdminClient | undefined;
    try {
      if (admin === undefined || !admin.isOpen) {
        if (this.server === undefined) return;
        own = await AdminClient.connect(this.server, this.where);
        admin = own;
      }
      await configSet(admin, "maxmemory-policy", this.original.policy);
      await configSet(admin, "maxmemory", this.original.maxmemory);
      this.restored = true;
    } catch (error) {
      this.failures.push(
        `could not set maxmemory ${this.original.maxmemory} and maxmemory-policy ${this.original.policy} back on ${this.where}: ${(error as Error).message}`,
      );
    } finally {
      await own?.close();
    }
  }

  report(): CheckReport {
    const { policy, maxmemoryBytes } = this.options;
    const problems = [...this.failures];
    const samples = this.sampler !== undefined ? this.sampler.samples : [];
    const peakUsedMemoryBytes = Math.max(
      0,
      ...samples.map((s) => s.usedMemoryBytes),
      this.atStop?.usedMemoryBytes ?? 0,
    );
    const evictedKeys =
      this.atLoadStart !== undefined && this.atStop !== undefined
        ? this.atStop.evictedKeysTotal - this.atLoadStart.evictedKeysTotal
        : null;
    const baseline = this.measureBaseline;
    const evictedKeysMeasured =
      baseline !== undefined && this.atStop !== undefined
        ? this.atStop.evictedKeysTotal - baseline.evictedKeysTotal
        : null;
    const measuredS =
      baseline !== undefined && this.atStop !== undefined ? (this.atStop.atMs - baseline.atMs) / 1000 : 0;
    const oomErrors = this.result?.oomErrors ?? null;
    const oomErrorsServer =
      baseline?.oomErrorsTotal !== undefined && this.atStop?.oomErrorsTotal !== undefined
        ? this.atStop.oomErrorsTotal - baseline.oomErrorsTotal
        : null;

    const expectation = this.evicts
      ? `${policy} evicts keys and accepts every write`
      : `${policy} refuses writes with OOM and evicts nothing${policy.startsWith("volatile-") ? " (the run's keys have no TTL, so it has nothing to evict)" : ""}`;
    const behaviour: string[] = [];
    if (evictedKeys !== null && oomErrors !== null) {
      if (this.evicts) {
        if (evictedKeys === 0)
          behaviour.push(`expected evictions past maxmemory, but evicted_keys did not move`);
        if (oomErrors > 0) behaviour.push(`expected no OOM replies, but the clients got ${oomErrors}`);
      } else {
        if (oomErrors === 0)
          behaviour.push(`expected OOM replies to writes past maxmemory, but the clients got none`);
        if (evictedKeys > 0) behaviour.push(`expected no evictions, but ${evictedKeys} keys were evicted`);
      }
      const filled = evictedKeys > 0 || oomErrors > 0 || peakUsedMemoryBytes >= maxmemoryBytes;
      if (!filled) {
        behaviour.unshift(
          `the load never filled the server (peak used_memory ${formatMemory(peakUsedMemoryBytes)} of ${formatMemory(maxmemoryBytes)}): run longer or with more keys`,
        );
      }
    }
    problems.push(...behaviour.map((b) => `${policy}: ${b}`));
    const policyBehaved = evictedKeys !== null && oomErrors !== null && behaviour.length === 0;
    // The server's own OOM count must match the clients' when nothing timed out and the first reading
    // was taken before the measured load began (otherwise the windows differ and the numbers may too).
    if (
      oomErrors !== null &&
      oomErrorsServer !== null &&
      this.cleanBaseline &&
      this.result?.timeouts === 0 &&
      oomErrors !== oomErrorsServer
    ) {
      problems.push(
        `the clients counted ${oomErrors} OOM replies, the server's errorstat_OOM counted ${oomErrorsServer} over the same window`,
      );
    }
    const recovery = this.recovery;
    if (recovery !== undefined && recovery.recoveryMs === null) {
      problems.push(
        `after deleting the run's ${recovery.keysDeleted} keys, no SET succeeded with used_memory under maxmemory within ${this.options.recoveryTimeoutMs} ms`,
      );
    }
    const pressure = this.result?.pressure;
    const figures: CheckReport["figures"] = {
      policy,
      maxmemoryBytes,
      reconfigured: this.original !== undefined,
      restored: this.original !== undefined ? this.restored : null,
      peakUsedMemoryBytes,
      evictedKeys,
      evictedKeysMeasured,
      evictionsPerSecPeak: samples.length > 0 ? Math.max(...samples.map((s) => s.evictionsPerSec)) : null,
      evictionsPerSecMean:
        evictedKeysMeasured !== null && measuredS > 0 ? Math.round(evictedKeysMeasured / measuredS) : null,
      oomErrors,
      oomErrorsServer,
      ...(pressure ?? {}),
      keysDeleted: recovery?.keysDeleted ?? null,
      deleteMs: recovery?.deleteMs ?? null,
      recoveryMs: recovery?.recoveryMs ?? null,
      policyBehavedAsConfigured: policyBehaved,
    };
    const outcome = policyBehaved
      ? `the policy behaved as configured (${expectation})`
      : `the policy did not behave as configured (${expectation})`;
    const recovered =
      recovery?.recoveryMs != null
        ? `; writes and memory recovered ${recovery.recoveryMs} ms after the run's keys started being deleted`
        : "";
    const summary = `${policy} at ${formatMemory(maxmemoryBytes)}: ${evictedKeys ?? "?"} keys evicted, ${oomErrors ?? "?"} OOM replies: ${outcome}${recovered}`;
    const series = samples.map((s) => ({ ...s }));
    return checkReport(this.kind, problems, summary, figures, series);
  }

  async close(): Promise<void> {
    this.stopping = true;
    await this.sampler?.stop();
    await this.restore();
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

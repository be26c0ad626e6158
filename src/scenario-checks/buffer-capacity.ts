import { wholeNumber } from "../config/field-rules.js";
import type { RunConfig } from "../config/types.js";
import { parseInfoSections } from "../probes/parse-info.js";
import type { RunResult } from "../result/result-types.js";
import { Rng } from "../workload/random.js";
import {
  type CheckContext,
  type CheckFactory,
  type CheckReport,
  checkReport,
  type ScenarioCheck,
} from "./check.js";
import { CheckOptions, countOrAllRule, memorySizeRule } from "./check-options.js";
import { type ExpectedKeys, expectedKeysFor, sampleKeys } from "./expected-keys.js";
import { ExpectedValues } from "./expected-values.js";
import { DEFAULT_INTEGRITY_DATASET } from "./integrity.js";
import { IntegrityTally, verifyKeys } from "./integrity-tally.js";
import { KeyReader } from "./key-reader.js";
import { refuseCluster } from "./server-reads.js";

/**
 * `check: { kind: buffer-capacity }`: loads N dataset events (firehose by default) as N keys through
 * the run's prefill — the standard engine, `batch` writes in flight — then measures what one event
 * costs the server (INFO used_memory after − before, over N), how many more fit under maxmemory, and
 * reads a random sample back with integrity's verification. The run's cleanup deletes the keys.
 * docs/catalogue.md#buffer-capacity.
 */

const KIND = "buffer-capacity";
const OPTIONS = ["events", "batch", "sample", "maxmemory"] as const;

export interface BufferCapacityOptions {
  /** Events (keys) the prefill writes. */
  events: number;
  /** Writes in flight during the load, over all connections (pipeline = batch / connections). */
  batch: number;
  /** Keys read back after the load. */
  sample: number | "all";
  /**
   * maxmemory of the redis-server cachestress starts (no --url); undefined = the server's default.
   * Another server is never reconfigured: its own maxmemory is what the headroom is measured against.
   */
  maxmemory?: number;
}

export const parseBufferCapacity: CheckFactory = (section, config) => {
  const options = new CheckOptions(KIND, section, OPTIONS);
  const parsed: BufferCapacityOptions = {
    // Without `events`, the run's keyMax: `--key-max` then shortens a scenario file's load.
    events: options.read("events", wholeNumber(1, 1_000_000_000), config.keyMax),
    batch: options.read("batch", wholeNumber(1, 100_000), 1000),
    sample: options.read("sample", countOrAllRule(1, Number.MAX_SAFE_INTEGER), 10_000),
    maxmemory: options.read<number | undefined>(
      "maxmemory",
      memorySizeRule(1024 * 1024, 1024 ** 4),
      undefined,
    ),
  };
  if (config.ttlS !== undefined)
    options.problem(
      "ttl",
      config.ttlS,
      `no TTL with check kind ${KIND}: a buffer keeps its events until they are read`,
    );
  if (config.shard !== undefined && config.shard.count > 1)
    options.problem(
      "--shard",
      `${config.shard.index}/${config.shard.count}`,
      `one run with check kind ${KIND}: it measures one server's memory while one run loads it`,
    );
  if (options.problems.length > 0) return { ok: false, problems: options.problems };
  return { ok: true, check: new BufferCapacityCheck(parsed) };
};

/** The figures of INFO memory and stats the check reads before and after the load. */
interface MemoryReading {
  usedMemoryBytes: number;
  /** 0 = no limit. */
  maxmemoryBytes: number;
  maxmemoryPolicy: string;
  evictedKeys: number;
}

export class BufferCapacityCheck implements ScenarioCheck {
  readonly kind = KIND;
  private reader: KeyReader | undefined;
  private before: MemoryReading | undefined;
  private after: MemoryReading | undefined;
  private keys: ExpectedKeys | undefined;
  private tally: IntegrityTally | undefined;
  private config: RunConfig | undefined;
  private measureStarted = false;
  /** The prefill as the engine measured it: events written (replies read) and its length, ms. */
  private load: { ops: number; durationMs: number } | undefined;

  constructor(private readonly options: BufferCapacityOptions) {}

  /** The run loads exactly `events` keys in the prefill, `batch` writes in flight, as dataset records. */
  adjustConfig(config: RunConfig): RunConfig {
    return {
      ...config,
      keyMax: this.options.events,
      prefill: true,
      dataset: config.dataset ?? DEFAULT_INTEGRITY_DATASET,
      pipeline: Math.max(1, Math.ceil(this.options.batch / config.connections)),
    };
  }

  managedServerArgs(): string[] {
    return this.options.maxmemory !== undefined ? ["--maxmemory", String(this.options.maxmemory)] : [];
  }

  async beforeLoad(context: CheckContext): Promise<void> {
    await refuseCluster(context, KIND, "measures one server's memory per event");
    const { config } = context;
    this.config = config;
    this.reader = await KeyReader.open(context.server, context.where);
    this.before = await readMemory(this.reader);
    if (this.options.maxmemory !== undefined && context.managed === undefined)
      context.say(
        `buffer-capacity: check.maxmemory ${this.options.maxmemory} is for a server cachestress starts; ` +
          `${context.where} keeps its own maxmemory (${this.before.maxmemoryBytes || "no limit"})`,
      );
    context.say(
      `buffer-capacity: loading ${config.keyMax.toLocaleString("en-US")} ${config.dataset} events, ` +
        `${config.connections} connections × pipeline ${config.pipeline} in flight; used_memory before: ${this.before.usedMemoryBytes} bytes`,
    );
  }

  onMeasureStart(): void {
    this.measureStarted = true;
  }

  async stopLoad(): Promise<void> {}

  sentCommands(): Record<string, { sent: number; completed: number }> {
    // INFO and MGET are sent before the load and after it, never while it runs.
    return {};
  }

  async afterLoad(context: CheckContext): Promise<void> {
    const config = context.config;
    let reader = this.reader!;
    if (!reader.isOpen) {
      reader.close();
      reader = await KeyReader.open(context.server, context.where);
      this.reader = reader;
    }
    // Every write of a key writes the same record, so the measured part after the prefill leaves the
    // memory as the prefill left it: this is the memory of the loaded events.
    this.after = await readMemory(reader);
    const keys = expectedKeysFor(config);
    if (typeof keys === "string") throw new Error(`buffer-capacity: ${keys}`); // prefill is forced on
    this.keys = keys;
    const values = new ExpectedValues(config.dataset!, config.seed, config.prefix, config.keyMax);
    this.tally = new IntegrityTally(values, config.keyMax);
    const size = this.options.sample === "all" ? keys.count : this.options.sample;
    await verifyKeys(reader, values, sampleKeys(keys, size, new Rng(config.seed * 31 + 29)), this.tally, {
      missingIsLost: this.measureStarted,
      signal: context.signal,
    });
  }

  onResult(result: RunResult): void {
    this.load = result.phases.prefill;
  }

  report(): CheckReport {
    const { before, after, tally, keys, config } = this;
    if (before === undefined || after === undefined || tally === undefined || keys === undefined || !config)
      return checkReport(
        KIND,
        ["the check did not finish: the run ended before the load was verified"],
        "not run",
        {},
      );
    const events = keys.count;
    const memoryPerEventBytes = (after.usedMemoryBytes - before.usedMemoryBytes) / events;
    const limited = after.maxmemoryBytes > 0;
    const headroomEvents =
      limited && memoryPerEventBytes > 0
        ? Math.max(0, Math.floor((after.maxmemoryBytes - after.usedMemoryBytes) / memoryPerEventBytes))
        : null;
    const problems: string[] = [];
    if (!this.measureStarted) problems.push("the load stopped before all events were written");
    if (tally.lostKeys > 0)
      problems.push(
        `${tally.lostKeys} of ${tally.reads.after} sampled events lost (${tally.lostExamples.join("; ")})`,
      );
    if (tally.corruptKeys > 0)
      problems.push(
        `${tally.corruptKeys} of ${tally.reads.after} sampled events corrupt (${tally.corruptExamples.join("; ")})`,
      );
    const perEvent = `${Math.round(memoryPerEventBytes)} B per event`;
    const headroom = limited
      ? `maxmemory ${after.maxmemoryBytes} bytes: ${headroomEvents?.toLocaleString("en-US") ?? "?"} more events fit (${after.maxmemoryPolicy})`
      : "no maxmemory limit: the host's memory is the limit";
    const loadSeconds = this.load !== undefined ? this.load.durationMs / 1000 : null;
    const eventsPerSec =
      this.load !== undefined && loadSeconds !== null && loadSeconds > 0
        ? Math.round(this.load.ops / loadSeconds)
        : null;
    const speed =
      eventsPerSec !== null ? ` in ${loadSeconds} s (${eventsPerSec.toLocaleString("en-US")}/s)` : "";
    const summary =
      `${events.toLocaleString("en-US")} ${config.dataset} events${speed}, ${perEvent}; ${headroom}; ` +
      `${tally.reads.after.toLocaleString("en-US")} sampled: ${tally.lostKeys} lost, ${tally.corruptKeys} corrupt`;
    return checkReport(KIND, problems, summary, {
      events,
      dataset: config.dataset ?? null,
      writesInFlight: config.connections * config.pipeline,
      loadSeconds,
      eventsPerSec,
      usedMemoryBeforeBytes: before.usedMemoryBytes,
      usedMemoryAfterBytes: after.usedMemoryBytes,
      memoryPerEventBytes: Math.round(memoryPerEventBytes * 10) / 10,
      maxmemoryBytes: limited ? after.maxmemoryBytes : null,
      maxmemoryPolicy: after.maxmemoryPolicy,
      memoryLimit: limited ? `${after.maxmemoryBytes} bytes` : "no limit",
      memoryUsedPercent: limited
        ? Math.round((after.usedMemoryBytes / after.maxmemoryBytes) * 1000) / 10
        : null,
      headroomEvents,
      evictedKeys: after.evictedKeys - before.evictedKeys,
      sampledKeys: tally.reads.after,
      lostKeys: tally.lostKeys,
      corruptKeys: tally.corruptKeys,
    });
  }

  async close(): Promise<void> {
    this.reader?.close();
    this.reader = undefined;
  }
}

async function readMemory(reader: KeyReader): Promise<MemoryReading> {
  const fields = parseInfoSections(`${await reader.info("memory")}\r\n${await reader.info("stats")}`);
  const number = (name: string) => {
    const value = Number(fields[name]);
    if (!Number.isFinite(value)) throw new Error(`buffer-capacity: INFO has no ${name}`);
    return value;
  };
  return {
    usedMemoryBytes: number("used_memory"),
    maxmemoryBytes: number("maxmemory"),
    maxmemoryPolicy: fields.maxmemory_policy ?? "unknown",
    evictedKeys: number("evicted_keys"),
  };
}

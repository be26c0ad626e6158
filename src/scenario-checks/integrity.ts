import { durationRule, wholeNumber } from "../config/field-rules.js";
import type { RunConfig } from "../config/types.js";
import { Rng } from "../workload/random.js";
import {
  type CheckContext,
  type CheckFactory,
  type CheckReport,
  checkReport,
  type ScenarioCheck,
} from "./check.js";
import { CheckOptions, countOrAllRule } from "./check-options.js";
import { type ExpectedKeys, expectedKeysFor, keyAt, sampleKeys } from "./expected-keys.js";
import { ExpectedValues } from "./expected-values.js";
import { IntegrityTally, verifyKeys } from "./integrity-tally.js";
import { KeyReader } from "./key-reader.js";

/**
 * `check: { kind: integrity }`: every value the load writes is a dataset record whose bytes follow
 * from the key and the seed (src/scenario-checks/expected-values.ts), so the check reads keys back
 * on its own connection while the load runs and verifies every key (or a sample) after it, and
 * counts the keys lost (missing) and corrupt (any other bytes). docs/catalogue.md#integrity.
 */

const KIND = "integrity";
const OPTIONS = ["sample", "readEvery", "readKeys"] as const;
/** The dataset a run gets when the scenario names none: the check needs values it can recompute. */
export const DEFAULT_INTEGRITY_DATASET = "firehose";

export interface IntegrityOptions {
  /** Keys verified after the load: all of them, or this many drawn at random. */
  sample: number | "all";
  /** How often keys are read while the load runs, ms. */
  readEveryMs: number;
  /** Keys per read (one MGET) while the load runs. */
  readKeys: number;
}

export const parseIntegrity: CheckFactory = (section, config) => {
  const options = new CheckOptions(KIND, section, OPTIONS);
  const parsed: IntegrityOptions = {
    sample: options.read("sample", countOrAllRule(1, Number.MAX_SAFE_INTEGER), "all"),
    readEveryMs: options.read("readEvery", durationRule(false, 60_000), 100),
    readKeys: options.read("readKeys", wholeNumber(1, 10_000), 100),
  };
  rejectUncheckable(options, config, KIND);
  if (options.problems.length > 0) return { ok: false, problems: options.problems };
  return { ok: true, check: new IntegrityCheck(parsed) };
};

/** What makes a run's keys unverifiable: a TTL, or a plan that does not say which keys it writes. */
function rejectUncheckable(options: CheckOptions, config: RunConfig, kind: string): void {
  if (config.ttlS !== undefined)
    options.problem(
      "ttl",
      config.ttlS,
      `no TTL with check kind ${kind}: keys that expire would count as lost`,
    );
  const keys = expectedKeysFor(config);
  if (typeof keys === "string")
    options.problem("prefill", config.prefill, `with check kind ${kind}: ${keys}`);
}

export class IntegrityCheck implements ScenarioCheck {
  readonly kind = KIND;
  private reader: KeyReader | undefined;
  private values: ExpectedValues | undefined;
  private keys: ExpectedKeys | undefined;
  private tally: IntegrityTally | undefined;
  private random: Rng | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private measureStarted = false;
  private stoppedEarly = false;
  private readErrors = 0;
  private lastReadError = "";
  private duringLoad = { sent: 0, completed: 0 };

  constructor(private readonly options: IntegrityOptions) {}

  adjustConfig(config: RunConfig): RunConfig {
    return config.dataset !== undefined ? config : { ...config, dataset: DEFAULT_INTEGRITY_DATASET };
  }

  managedServerArgs(): string[] {
    return [];
  }

  async beforeLoad(context: CheckContext): Promise<void> {
    const { config } = context;
    const keys = expectedKeysFor(config);
    if (typeof keys === "string") throw new Error(`integrity: ${keys}`); // validated at parse time
    this.keys = keys;
    this.values = new ExpectedValues(config.dataset!, config.seed, config.prefix, config.keyMax);
    this.tally = new IntegrityTally(this.values, config.keyMax);
    // Its own stream, so the keys it reads do not shift the load's random choices.
    this.random = new Rng(config.seed * 31 + 17);
    this.reader = await KeyReader.open(context.server, context.where);
    context.say(
      `integrity: values are ${config.dataset} records; ${keys.count.toLocaleString("en-US")} keys must hold them, ` +
        `read ${this.options.readKeys} at a time every ${this.options.readEveryMs} ms during the load`,
    );
  }

  onMeasureStart(startEpochMs: number): void {
    this.measureStarted = true;
    const first = Math.max(0, startEpochMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = setInterval(() => this.readDuringLoad(), this.options.readEveryMs);
      this.readDuringLoad();
    }, first);
  }

  /** One batch of random expected keys; skipped while the previous one is still out. */
  private readDuringLoad(): void {
    const reader = this.reader;
    if (this.reading !== undefined || reader === undefined || !reader.isOpen) return;
    const keys = this.keys!;
    const batch = Array.from({ length: Math.min(this.options.readKeys, keys.count) }, () =>
      keyAt(keys, this.random!.int(keys.count)),
    );
    this.reading = reader
      .mget(batch.map((k) => this.values!.keyName(k)))
      .then(
        (found) => {
          for (let i = 0; i < batch.length; i++)
            this.tally!.record(batch[i], found[i], "during", keys.writtenBeforeMeasure);
        },
        (error: Error) => {
          this.readErrors++;
          this.lastReadError = error.message;
        },
      )
      .finally(() => {
        this.reading = undefined;
      });
  }

  async stopLoad(): Promise<void> {
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.timer = undefined;
    await this.reading;
    // After this, MGETs are the verification's, sent after the server's counts were read.
    if (this.reader !== undefined) this.duringLoad = { ...this.reader.counts };
  }

  sentCommands(): Record<string, { sent: number; completed: number }> {
    return this.duringLoad.sent > 0 ? { MGET: { ...this.duringLoad } } : {};
  }

  async afterLoad(context: CheckContext): Promise<void> {
    this.stoppedEarly = context.signal?.aborted === true;
    const keys = this.keys!;
    let reader = this.reader!;
    // A restart or CLIENT KILL fault may have closed the connection: the verification needs one.
    if (!reader.isOpen) {
      reader.close();
      reader = await KeyReader.open(context.server, context.where);
      this.reader = reader;
    }
    const size = this.options.sample === "all" ? keys.count : this.options.sample;
    // Keys the load was still to write when it stopped are not lost; prefilled keys always had to be there.
    const missingIsLost = this.measureStarted && (keys.writtenBeforeMeasure || !this.stoppedEarly);
    await verifyKeys(reader, this.values!, sampleKeys(keys, size, this.random!), this.tally!, {
      missingIsLost,
      signal: context.signal,
    });
  }

  report(): CheckReport {
    const tally = this.tally;
    if (tally === undefined || this.keys === undefined)
      return checkReport(KIND, ["the check did not start: the run ended before the load"], "not run", {});
    const problems: string[] = [];
    if (tally.lostKeys > 0)
      problems.push(
        `${tally.lostKeys} key(s) lost: written by the run and missing when read back (${tally.lostExamples.join("; ")})`,
      );
    if (tally.corruptKeys > 0)
      problems.push(
        `${tally.corruptKeys} key(s) corrupt: holding other bytes than the record written (${tally.corruptExamples.join("; ")})`,
      );
    const notes: string[] = [];
    if (!this.measureStarted) notes.push("the measured part never started");
    if (this.stoppedEarly) notes.push("the run was stopped early");
    if (this.readErrors > 0)
      notes.push(`${this.readErrors} read(s) during the load failed: ${this.lastReadError}`);
    const summary =
      `${tally.reads.after.toLocaleString("en-US")} of ${this.keys.count.toLocaleString("en-US")} keys verified after the load, ` +
      `${tally.reads.during.toLocaleString("en-US")} reads during it: ${tally.lostKeys} lost, ${tally.corruptKeys} corrupt` +
      (notes.length > 0 ? ` (${notes.join("; ")})` : "");
    return checkReport(KIND, problems, summary, {
      expectedKeys: this.keys.count,
      keysCheckedAfterLoad: tally.reads.after,
      keyReadsDuringLoad: tally.reads.during,
      lostKeys: tally.lostKeys,
      corruptKeys: tally.corruptKeys,
      // Every write of a key writes the same record, so an older write cannot be told from a newer one.
      staleKeys: null,
      lostReadsDuringLoad: tally.lostReads.during,
      corruptReadsDuringLoad: tally.corruptReads.during,
      readErrorsDuringLoad: this.readErrors,
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.timer = undefined;
    this.reader?.close();
    this.reader = undefined;
  }
}

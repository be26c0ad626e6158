import { booleanRule, redactUrl, type ValueRule, wholeNumber } from "../config/field-rules.js";
import type { RunConfig } from "../config/types.js";
import { AdminClient } from "../core/admin-client.js";
import type { ManagedRedis } from "../core/managed-redis.js";
import { restartableFor } from "../core/restart-command.js";
import { buildDatasetPool } from "../workload/datasets/dataset-pool.js";
import {
  type CheckContext,
  type CheckFactory,
  type CheckReport,
  checkReport,
  type ScenarioCheck,
} from "./check.js";
import { CheckOptions, durationBetween, sleep } from "./check-options.js";
import { type KeyVerdict, keysToCheck, verifyKeys } from "./persisted-keys.js";
import { rewriteAof, saveRdb, waitForPersistence } from "./persistence-files.js";
import { type RestartTimeline, timedRestart } from "./restart-timeline.js";
import { configGet, countKeys } from "./server-reads.js";

/**
 * persistence-recovery: the load writes every key once (prefill) with dataset records, so key k
 * holds record k mod pool; then the check has the server rewrite its AOF and/or save an RDB, restarts
 * it (SIGTERM, or SIGKILL with `crash`), waits until it has loaded its files, and reads every key
 * back (or an even sample), counting the events lost and the values that changed.
 */

const OPTIONS = ["aof", "rdb", "crash", "verifyKeys", "timeout"];

/**
 * With appendfsync everysec a SIGKILL may lose the last second of writes; the crash waits this long
 * after the rewrite so the test measures what survives once that second has passed, ms.
 */
export const CRASH_SETTLE_MS = 1500;

export interface PersistenceRecoveryOptions {
  aof: boolean;
  rdb: boolean;
  /** SIGKILL instead of a graceful SIGTERM shutdown. */
  crash: boolean;
  verifyKeys: number | "all";
  /** Longest a rewrite, a save, the restart or the load of the files may take, ms. */
  timeoutMs: number;
}

const verifyKeysRule: ValueRule<number | "all"> = {
  allowed: `all, or a whole number of keys from 1 to 1000000000 to check spread evenly over the keys`,
  parse: (raw) => (raw === "all" ? "all" : wholeNumber(1, 1_000_000_000).parse(raw)),
};

export const persistenceRecovery: CheckFactory = (section, config) => {
  const o = new CheckOptions("persistence-recovery", section, OPTIONS);
  const options: PersistenceRecoveryOptions = {
    aof: o.read("aof", booleanRule, true),
    rdb: o.read("rdb", booleanRule, false),
    crash: o.read("crash", booleanRule, false),
    verifyKeys: o.read("verifyKeys", verifyKeysRule, "all"),
    timeoutMs: o.read("timeout", durationBetween(1000, 3_600_000), 60_000),
  };
  if (config.url !== undefined && config.restartCommand === undefined) {
    o.problem(
      "url",
      redactUrl(config.url),
      "no url: persistence-recovery needs the server the tool starts (it restarts the server, which the tool does only for its own), or --restart-command for a server it did not start",
    );
  }
  if (!config.prefill) {
    o.problem(
      "prefill",
      false,
      "true: every key 0 .. keyMax-1 is written once, so every one of them must come back",
    );
  }
  if (config.dataset === undefined) {
    o.problem(
      "dataset",
      undefined,
      "firehose, payments or market: records the check can compare byte for byte after the restart",
    );
  }
  if (config.ttlS !== undefined) {
    o.problem("ttl", config.ttlS, "no ttl: keys that expire cannot all come back");
  }
  o.rejectShard(config);
  if (o.problems.length > 0) return { ok: false, problems: o.problems };
  return { ok: true, check: new PersistenceRecoveryCheck(options, config) };
};

class PersistenceRecoveryCheck implements ScenarioCheck {
  readonly kind = "persistence-recovery";
  private managed: ManagedRedis | undefined;
  /** The server's persistence settings as read before the load. */
  private settings: { appendonly?: string; appendfsync?: string; save?: string } = {};
  private keysBeforeRestart: number | null = null;
  private keysAfterRestart: number | null = null;
  private rewriteMs: number | null = null;
  private saveMs: number | null = null;
  private timeline: RestartTimeline | undefined;
  private loadedMs: number | null = null;
  private verdict: KeyVerdict | undefined;
  private own: AdminClient | undefined;
  private readonly failures: string[] = [];

  constructor(
    private readonly options: PersistenceRecoveryOptions,
    private readonly config: RunConfig,
  ) {}

  private get signal(): "SIGTERM" | "SIGKILL" {
    return this.options.crash ? "SIGKILL" : "SIGTERM";
  }

  managedServerArgs(): string[] {
    const { aof, rdb } = this.options;
    // Every setting is explicit, so a run without persistence really has none (and fails).
    return [
      "--appendonly",
      aof ? "yes" : "no",
      "--appendfsync",
      "everysec",
      // Redis' default save points: a SIGTERM shutdown then writes the snapshot too.
      "--save",
      rdb ? "3600 1 300 100 60 10000" : "",
    ];
  }

  async beforeLoad(context: CheckContext): Promise<void> {
    // A server the tool did not start is restarted by --restart-command (src/core/restart-command.ts).
    const restartable = context.managed ?? restartableFor(this.config, context.server, context.where);
    if (restartable?.restart === undefined) {
      throw new Error(
        "persistence-recovery needs the server the tool starts (run without --url) or --restart-command",
      );
    }
    this.managed = restartable;
    this.settings = {
      appendonly: await configGet(context.admin, "appendonly"),
      appendfsync: await configGet(context.admin, "appendfsync"),
      save: await configGet(context.admin, "save"),
    };
    const steps = [this.options.aof && "BGREWRITEAOF", this.options.rdb && "BGSAVE"].filter(Boolean);
    context.say(
      `persistence-recovery: after the load, ${steps.length > 0 ? `${steps.join(" and ")}, then ` : ""}` +
        `restart ${context.where} with ${this.signal}${this.options.crash ? ` ${CRASH_SETTLE_MS} ms after the rewrite` : ""} ` +
        `and read back ${this.options.verifyKeys === "all" ? "all" : this.options.verifyKeys} of ${this.config.keyMax} keys`,
    );
  }

  onMeasureStart(): void {}

  async stopLoad(): Promise<void> {}

  /** The check sends nothing while the load runs. */
  sentCommands(): Record<string, { sent: number; completed: number }> {
    return {};
  }

  async afterLoad(context: CheckContext): Promise<void> {
    const managed = this.managed;
    if (managed === undefined) return;
    const { timeoutMs } = this.options;
    try {
      this.keysBeforeRestart = await countKeys(context.admin, this.config.prefix);
      if (this.options.aof) this.rewriteMs = round(await rewriteAof(context.admin, timeoutMs));
      if (this.options.rdb) this.saveMs = round(await saveRdb(context.admin, timeoutMs));
      if (this.options.crash) await sleep(CRASH_SETTLE_MS);
      const started = performance.now();
      this.timeline = await timedRestart(managed, this.signal, timeoutMs, started);
      this.own = await AdminClient.connect(context.server, context.where);
      // PING already answers +PONG, so loading is over; read it from the server rather than assume it.
      await waitForPersistence(this.own, (f) => f.loading === "0", timeoutMs, "loading the data files");
      this.loadedMs = round(performance.now() - started);
      this.keysAfterRestart = await countKeys(this.own, this.config.prefix);
      const pool = buildDatasetPool(this.config.dataset!, this.config.seed);
      const keys = keysToCheck(this.config.keyMax, this.options.verifyKeys);
      this.verdict = await verifyKeys(this.own, this.config, keys, pool);
    } catch (error) {
      this.failures.push(`persistence-recovery could not finish: ${(error as Error).message}`);
    } finally {
      await this.own?.close();
      this.own = undefined;
    }
  }

  report(): CheckReport {
    const problems = [...this.failures];
    const written = this.config.keyMax;
    const verdict = this.verdict;
    const after = this.keysAfterRestart;
    // The count says how many events are gone; the read-back finds which, and any changed value.
    const lostKeys =
      after !== null && verdict !== undefined ? Math.max(written - after, verdict.missing) : null;
    const corruptKeys = verdict?.corrupt ?? null;
    if (this.keysBeforeRestart !== null && this.keysBeforeRestart < written) {
      problems.push(
        `only ${this.keysBeforeRestart} of ${written} events were on the server before the restart (writes failed during the load)`,
      );
    }
    if (lostKeys !== null && lostKeys > 0) {
      problems.push(
        `${lostKeys} of ${written} events did not come back after the restart (${after} keys under the prefix; missing e.g. ${verdict?.firstMissing.join(", ") || "—"})${this.persistenceOff ? ": the server persists nothing (appendonly no, no save points)" : ""}`,
      );
    }
    if (corruptKeys !== null && corruptKeys > 0) {
      problems.push(
        `${corruptKeys} values changed across the restart (e.g. ${verdict?.firstCorrupt.join(", ")})`,
      );
    }
    const t = this.timeline;
    const figures: CheckReport["figures"] = {
      aof: this.options.aof,
      rdb: this.options.rdb,
      signal: this.signal,
      appendonly: this.settings.appendonly ?? null,
      appendfsync: this.settings.appendfsync ?? null,
      save: this.settings.save ?? null,
      eventsWritten: written,
      keysBeforeRestart: this.keysBeforeRestart,
      keysAfterRestart: after,
      keysChecked: verdict?.checked ?? null,
      lostKeys,
      corruptKeys,
      rewriteMs: this.rewriteMs,
      saveMs: this.saveMs,
      stoppedMs: t?.stoppedMs ?? null,
      firstReplyMs: t?.firstReplyMs ?? null,
      restartToPingMs: t?.pingMs ?? null,
      restartToLoadedMs: this.loadedMs,
    };
    const summary =
      lostKeys === null
        ? "the restart and read-back did not complete"
        : `${written - lostKeys - (corruptKeys ?? 0)} of ${written} events came back intact after a ${this.signal} restart ` +
          `(${lostKeys} lost, ${corruptKeys} corrupt, ${verdict?.checked} read back); serving again ${t?.pingMs} ms after the stop signal`;
    return checkReport(this.kind, problems, summary, figures);
  }

  private get persistenceOff(): boolean {
    return this.settings.appendonly === "no" && (this.settings.save ?? "") === "";
  }

  async close(): Promise<void> {
    await this.own?.close();
    this.own = undefined;
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

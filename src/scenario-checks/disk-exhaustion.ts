import { statfsSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatMemory } from "../checks/audit-values.js";
import { oneOf } from "../config/field-rules.js";
import type { RunConfig } from "../config/types.js";
import type { AdminClient } from "../core/admin-client.js";
import type { RunResult } from "../result/result-types.js";
import {
  type CheckContext,
  type CheckFactory,
  type CheckReport,
  checkReport,
  type ScenarioCheck,
} from "./check.js";
import { CheckOptions, durationBetween, meanValueBytes, memorySizeRule, sleep } from "./check-options.js";
import { saveRdb } from "./persistence-files.js";
import { command, configGet, infoFields, refuseCluster } from "./server-reads.js";
import { mountSmallFilesystem, type SmallFilesystem } from "./small-filesystem.js";

/**
 * disk-exhaustion: the server the tool starts persists into a small size-limited filesystem (a
 * tmpfs with `size=`, or a loop-mounted image) that a filler file has mostly taken, and the load
 * writes until the server refuses writes with MISCONF (it cannot append to its AOF, or its BGSAVE
 * failed). The check counts the refused writes on both sides (the clients' MISCONF replies, the
 * server's errorstat_MISCONF), then deletes the filler and measures recovery: how long until a
 * write succeeds again, and a BGSAVE that ends ok. A machine that cannot mount is SKIPPED with the
 * reason (docs/catalogue.md, disk-exhaustion).
 */

const OPTIONS = ["size", "filler", "persistence", "sampleEvery", "recoveryTimeout"];
const MB = 1024 ** 2;
/** How often the recovery loop tries its SET, ms. */
const RECOVERY_POLL_MS = 20;

export interface DiskExhaustionOptions {
  sizeBytes: number;
  fillerBytes: number;
  /** aof: appendonly yes (MISCONF when the AOF cannot be written); rdb: save points (MISCONF when BGSAVE fails). */
  persistence: "aof" | "rdb";
  sampleEveryMs: number;
  recoveryTimeoutMs: number;
}

export const diskExhaustion: CheckFactory = (section, config) => {
  const o = new CheckOptions("disk-exhaustion", section, OPTIONS);
  const options: DiskExhaustionOptions = {
    sizeBytes: o.read("size", memorySizeRule(2 * MB, 1024 * MB), 8 * MB),
    fillerBytes: o.read("filler", memorySizeRule(1 * MB, 1024 * MB), 4 * MB),
    persistence: o.read("persistence", oneOf(["aof", "rdb"] as const), "aof"),
    sampleEveryMs: o.read("sampleEvery", durationBetween(50, 10_000), 250),
    recoveryTimeoutMs: o.read("recoveryTimeout", durationBetween(1000, 600_000), 30_000),
  };
  if (config.url !== undefined)
    o.problem(
      "url",
      config.url.replace(/\/\/[^@/]*@/, "//***@"),
      "no --url: disk-exhaustion fills the disk of the redis-server the tool starts itself, on a filesystem it mounts",
    );
  if (!o.invalid("filler") && !o.invalid("size") && options.fillerBytes > options.sizeBytes - MB)
    o.problem(
      "check.filler",
      o.raw("filler"),
      `at most size minus 1mb (${formatMemory(options.sizeBytes - MB)}): the server needs some room to start`,
    );
  if ((config.commands.find((c) => c.name === "SET")?.weight ?? 0) <= 0)
    o.problem(
      "ratio",
      config.commands.map((c) => `${c.name}:${c.weight}`).join(" "),
      'a SET weight above 0, e.g. "4:1": the writes are what fill the disk',
    );
  // aof: after the filler goes, a BGSAVE must fit beside the AOF, so the data set stays small (the
  // AOF grows by rewriting the same keys). rdb: a snapshot only fails when the data set outgrows the
  // free space, and must fit (with the previous one) once the filler is gone.
  const valueBytes = meanValueBytes(config);
  const dataBytes = config.keyMax * valueBytes;
  const freeBytes = options.sizeBytes - options.fillerBytes;
  const keysFor = (bytes: number) => Math.floor(bytes / valueBytes);
  if (!o.invalid("size") && !o.invalid("filler")) {
    if (options.persistence === "aof" && dataBytes > options.sizeBytes / 4)
      o.problem(
        "keyMax",
        config.keyMax,
        `at most ${keysFor(options.sizeBytes / 4)} keys of ${Math.round(valueBytes)} bytes (a quarter of size ${formatMemory(options.sizeBytes)}), so a snapshot fits once space is freed; the AOF grows by rewriting them`,
      );
    if (options.persistence === "rdb" && (dataBytes <= freeBytes || dataBytes > options.sizeBytes / 3))
      o.problem(
        "keyMax",
        config.keyMax,
        `with persistence rdb, more than ${keysFor(freeBytes)} keys (the data set must outgrow the ${formatMemory(freeBytes)} left beside the filler) and at most ${keysFor(options.sizeBytes / 3)} (two snapshots must fit once it is gone)`,
      );
  }
  if (config.keepKeys)
    o.problem("keepKeys", true, "false: the run's keys live on the filesystem the check unmounts");
  o.rejectShard(config);
  if (o.problems.length > 0) return { ok: false, problems: o.problems };
  return { ok: true, check: new DiskExhaustionCheck(options, config) };
};

/** One reading of the server's persistence state and the filesystem under it. */
interface DiskSample {
  tS: number;
  diskFreeBytes: number | null;
  aofLastWriteStatus: string | null;
  rdbLastBgsaveStatus: string | null;
  refusing: boolean;
}

class DiskExhaustionCheck implements ScenarioCheck {
  readonly kind = "disk-exhaustion";
  readonly expectsRefusals = true;
  private fs: SmallFilesystem | undefined;
  private skipReason: string | undefined;
  private fillerPath: string | undefined;
  private admin: AdminClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private originMs = 0;
  private readonly samples: DiskSample[] = [];
  private misconfBefore: number | undefined;
  private misconfServer: number | null = null;
  private clientMisconf: number | null = null;
  private timeouts = 0;
  private firstRefusedS: number | null = null;
  private refusedAtEnd: boolean | null = null;
  private writeRecoveryMs: number | null = null;
  private bgsaveMs: number | null = null;
  private bgsaveError: string | undefined;
  private readonly failures: string[] = [];

  constructor(
    private readonly options: DiskExhaustionOptions,
    private readonly config: RunConfig,
  ) {}

  /** Mounts the filesystem and places the filler before the server starts (it must start inside it). */
  managedServerArgs(): string[] {
    try {
      this.fs = mountSmallFilesystem(this.options.sizeBytes);
    } catch (error) {
      this.skipReason = (error as Error).message;
      return [];
    }
    this.fillerPath = join(this.fs.dir, "cachestress-filler");
    writeFileSync(this.fillerPath, Buffer.alloc(this.options.fillerBytes, 0x5a));
    const persistence =
      this.options.persistence === "aof"
        ? ["--appendonly", "yes", "--appendfsync", "everysec", "--save", ""]
        : ["--appendonly", "no", "--save", "1 1"];
    // AOF rewrites would need a second copy of the data: the check wants the plain append to fail.
    return ["--dir", this.fs.dir, ...persistence, "--auto-aof-rewrite-percentage", "0"];
  }

  async beforeLoad(context: CheckContext): Promise<void> {
    if (this.skipReason !== undefined) {
      context.say(`disk-exhaustion: SKIPPED: ${this.skipReason}`);
      return;
    }
    await refuseCluster(context, this.kind, "fills one server's disk");
    this.admin = context.admin;
    const dir = await configGet(context.admin, "dir");
    if (dir !== this.fs!.dir)
      throw new Error(`disk-exhaustion: the server persists into ${dir}, not the mounted ${this.fs!.dir}`);
    this.misconfBefore = misconfCount(await infoFields(context.admin, "errorstats"));
    const free = this.freeBytes();
    context.say(
      `disk-exhaustion: ${this.fs!.kind} of ${formatMemory(this.options.sizeBytes)} at ${this.fs!.dir}, ` +
        `${formatMemory(this.options.fillerBytes)} filler placed, ${free === null ? "?" : formatMemory(free)} free; ` +
        `the server persists there (${this.options.persistence}) until it refuses writes`,
    );
  }

  onMeasureStart(startEpochMs: number): void {
    if (this.admin === undefined) return;
    this.originMs = startEpochMs;
    this.timer = setInterval(() => void this.sample(), this.options.sampleEveryMs);
  }

  async stopLoad(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    // A sample still waiting on the server finishes before the counts are read.
    for (let i = 0; i < 100 && this.inFlight; i++) await sleep(20);
  }

  /** INFO is not among the commands the count check compares. */
  sentCommands(): Record<string, { sent: number; completed: number }> {
    return {};
  }

  onResult(result: RunResult): void {
    this.clientMisconf = result.totals.errorsByKind.MISCONF ?? 0;
    this.timeouts = result.totals.timeouts;
    const first = result.series.find((p) => (p.errorsByKind?.MISCONF ?? 0) > 0);
    if (first !== undefined && this.firstRefusedS === null) this.firstRefusedS = first.tS;
  }

  async afterLoad(context: CheckContext): Promise<void> {
    if (this.skipReason !== undefined || this.fillerPath === undefined) return;
    const admin = context.admin;
    try {
      const errors = await infoFields(admin, "errorstats");
      const after = misconfCount(errors);
      if (this.misconfBefore !== undefined && after !== undefined)
        this.misconfServer = after - this.misconfBefore;
      const probeKey = `${this.config.prefix}disk-exhaustion-probe`;
      this.refusedAtEnd = await command(admin, ["SET", probeKey, "1"]).then(
        () => false,
        (error: unknown) => /MISCONF/.test(String((error as Error).message)),
      );
      // Free the space and time the way back: the first accepted write and a snapshot that ends ok.
      // With rdb the server accepts writes again only after a BGSAVE succeeds, so that comes first.
      unlinkSync(this.fillerPath);
      const started = performance.now();
      const deadline = started + this.options.recoveryTimeoutMs;
      const snapshot = async () => {
        try {
          this.bgsaveMs = round(await saveRdb(admin, Math.max(1000, deadline - performance.now())));
        } catch (error) {
          this.bgsaveError = (error as Error).message;
        }
      };
      if (this.options.persistence === "rdb") await snapshot();
      while (performance.now() < deadline) {
        const written = await command(admin, ["SET", probeKey, "1"]).then(
          () => true,
          () => false,
        );
        if (written) {
          this.writeRecoveryMs = round(performance.now() - started);
          break;
        }
        await sleep(RECOVERY_POLL_MS);
      }
      if (this.options.persistence === "aof") await snapshot();
      await command(admin, ["DEL", probeKey]).catch(() => {});
    } catch (error) {
      this.failures.push(`recovery could not be measured: ${(error as Error).message}`);
    }
  }

  report(): CheckReport {
    if (this.skipReason !== undefined)
      return checkReport(this.kind, [], `SKIPPED: ${this.skipReason}`, {
        skipped: true,
        skipReason: this.skipReason,
      });
    const problems = [...this.failures];
    const refusedDuring = this.samples.some((s) => s.refusing) || (this.clientMisconf ?? 0) > 0;
    if (!refusedDuring)
      problems.push(
        `the server never refused a write: the load did not fill ${formatMemory(this.options.sizeBytes - this.options.fillerBytes)} of free space (run longer, write bigger values or raise filler)`,
      );
    if (
      this.clientMisconf !== null &&
      this.misconfServer !== null &&
      this.timeouts === 0 &&
      this.clientMisconf !== this.misconfServer
    )
      problems.push(
        `the clients counted ${this.clientMisconf} MISCONF replies, the server's errorstat_MISCONF counted ${this.misconfServer}`,
      );
    if (refusedDuring && this.writeRecoveryMs === null)
      problems.push(
        `after the filler was deleted no write succeeded within ${this.options.recoveryTimeoutMs} ms`,
      );
    if (refusedDuring && this.bgsaveMs === null)
      problems.push(`BGSAVE after the space was freed did not end ok: ${this.bgsaveError ?? "not tried"}`);
    const frees = this.samples.map((s) => s.diskFreeBytes).filter((b): b is number => b !== null);
    const figures: CheckReport["figures"] = {
      filesystem: this.fs?.kind ?? null,
      sizeBytes: this.options.sizeBytes,
      fillerBytes: this.options.fillerBytes,
      persistence: this.options.persistence,
      diskFreeBytesMin: frees.length > 0 ? Math.min(...frees) : null,
      firstRefusedS: this.firstRefusedS,
      misconfErrors: this.clientMisconf,
      misconfErrorsServer: this.misconfServer,
      refusedAtEnd: this.refusedAtEnd,
      writeRecoveryMs: this.writeRecoveryMs,
      bgsaveMs: this.bgsaveMs,
    };
    const summary = refusedDuring
      ? `the server refused writes from ${this.firstRefusedS ?? "?"} s (${this.clientMisconf ?? "?"} MISCONF replies, server counted ${this.misconfServer ?? "?"}); after the filler was deleted writes came back in ${this.writeRecoveryMs ?? "never"} ms and a BGSAVE ended ${this.bgsaveMs !== null ? `ok in ${this.bgsaveMs} ms` : "not ok"}`
      : "the server never refused a write";
    // Series values are numbers: each status as 1 (ok) / 0 (err), null when the server did not say.
    const flag = (status: string | null) => (status === null ? null : status === "ok" ? 1 : 0);
    const series = this.samples.map((s) => ({
      tS: s.tS,
      diskFreeBytes: s.diskFreeBytes,
      aofWriteOk: flag(s.aofLastWriteStatus),
      bgsaveOk: flag(s.rdbLastBgsaveStatus),
      refusing: s.refusing ? 1 : 0,
    }));
    return checkReport(this.kind, problems, summary, figures, series);
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.fs?.unmount();
  }

  private freeBytes(): number | null {
    if (this.fs === undefined) return null;
    try {
      const s = statfsSync(this.fs.dir);
      return s.bavail * s.bsize;
    } catch {
      return null;
    }
  }

  private async sample(): Promise<void> {
    const admin = this.admin;
    if (admin === undefined || this.inFlight) return;
    this.inFlight = true;
    try {
      const f = await infoFields(admin, "persistence");
      const aof = f.aof_last_write_status ?? null;
      const rdb = f.rdb_last_bgsave_status ?? null;
      const tS = Math.round(Date.now() - this.originMs) / 1000;
      const refusing = aof === "err" || (this.options.persistence === "rdb" && rdb === "err");
      if (refusing && this.firstRefusedS === null) this.firstRefusedS = tS;
      this.samples.push({
        tS,
        diskFreeBytes: this.freeBytes(),
        aofLastWriteStatus: aof,
        rdbLastBgsaveStatus: rdb,
        refusing,
      });
    } catch {
      // A sample the server did not answer in time is left out; the next one follows.
    } finally {
      this.inFlight = false;
    }
  }
}

/** errorstat_MISCONF count, 0 when the line is absent (no such error yet). */
function misconfCount(fields: Record<string, string>): number | undefined {
  const line = fields.errorstat_MISCONF;
  if (line === undefined) return 0;
  const match = /count=(\d+)/.exec(line);
  return match === null ? undefined : Number(match[1]);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

import { isIP } from "node:net";
import { ConfigError } from "../config/errors.js";
import type { RunConfig } from "../config/types.js";
import { AdminClient } from "../core/admin-client.js";
import type { ManagedRedis } from "../core/managed-redis.js";
import { restartableFor } from "../core/restart-command.js";
import type { ConnectionTarget } from "../engine/load-connection.js";
import { epochNowMs } from "../engine/load-connection.js";
import { FaultProxy } from "../faults/fault-proxy.js";
import { faultReports } from "../faults/fault-report.js";
import { type FaultRecord, FaultRunner, type FaultRunnerOptions } from "../faults/fault-runner.js";
import type { ScheduledFault } from "../faults/fault-schedule.js";
import { runFaultSchedule, urlUsername } from "../faults/run-schedule.js";
import type { RunResult } from "../result/result-types.js";
import { type FaultEntry, injectedFault } from "./fault-inject.js";
import type { Participant } from "./participant.js";

/** Told when a scheduled fault begins and when it ends (the run's event stream). */
export type FaultListener = (type: "fault-started" | "fault-ended", fault: FaultRecord) => void;

/** A fault the target cannot carry out (DEBUG disabled...); found before any load. */
export class FaultUnavailableError extends Error {
  readonly code = "E_FAULT_UNAVAILABLE";
}

/**
 * The run's faults: the scenario's `faults:` schedule and, with --via-proxy, the fault proxy the load
 * goes through. Validated before anything starts; the schedule's clock starts with the measured
 * part; every fault is cleared before the run cleans up; the per-fault report goes into the result.
 */
export class RunFaults implements Participant {
  readonly name = "faults";
  private proxy: FaultProxy | undefined;
  private runner: FaultRunner | undefined;
  /** Faults started by hand while the run runs (inject), one runner each. */
  private readonly injected: { fault: ScheduledFault; runner: FaultRunner }[] = [];
  private runnerOptions: Omit<FaultRunnerOptions, "faults"> | undefined;
  private measureStartMs: number | undefined;
  /** Runs under way in this process by key prefix, so the dashboard can inject a fault into one. */
  private static readonly live = new Map<string, RunFaults>();

  private constructor(
    private readonly config: RunConfig,
    private readonly schedule: ScheduledFault[],
    private readonly say: (line: string) => void,
    private readonly onFault?: FaultListener,
  ) {}

  /** Validates the section and what it needs of the run (ConfigError with every problem), before any load. */
  static create(config: RunConfig, say: (line: string) => void, onFault?: FaultListener): RunFaults {
    const parsed = runFaultSchedule(config);
    if (!parsed.ok) throw new ConfigError(parsed.problems);
    return new RunFaults(config, parsed.faults, say, onFault);
  }

  /** Arguments for a server the tool starts: DEBUG SLEEP needs `enable-debug-command` (off by default since Redis 7). */
  managedServerArgs(): string[] {
    // Always on a server the tool starts (local connections only): a fault injected mid-run may sleep it.
    return ["--enable-debug-command", "local"];
  }

  /** True when a fault may have closed other connections to the server (a restart, CLIENT KILL). */
  get touchedServer(): boolean {
    return [...this.schedule, ...this.injected.map((i) => i.fault)].some(
      (f) => f.kind === "restart" || (f.kind === "client-kill" && f.clients !== "run"),
    );
  }

  /** True once a restart fault restarted the server. */
  get serverRestarted(): boolean {
    return this.runner?.serverRestarted === true || this.injected.some((i) => i.runner.serverRestarted);
  }

  /**
   * Starts the proxy (with --via-proxy) and checks what the server must allow; returns the target
   * the load connects to: the proxy, or the server itself.
   */
  async open(
    server: ConnectionTarget,
    where: string,
    managed: ManagedRedis | undefined,
  ): Promise<ConnectionTarget> {
    const openAdmin = () => AdminClient.connect(server, where);
    await this.checkServer(openAdmin);
    let loadTarget = server;
    if (this.config.viaProxy === true) {
      this.proxy = await FaultProxy.start({
        targetHost: server.host,
        targetPort: server.port,
        seed: this.config.seed,
      });
      this.say(`the load goes through a fault proxy on ${this.proxy.host}:${this.proxy.port} → ${where}`);
      // TLS passes through the proxy untouched; the certificate is still checked against the server's name.
      const servername =
        server.servername ?? (server.tls && isIP(server.host) === 0 ? server.host : undefined);
      loadTarget = { ...server, host: this.proxy.host, port: this.proxy.port, servername };
    }
    this.runnerOptions = {
      proxy: this.proxy,
      openAdmin,
      server: managed ?? restartableFor(this.config, server, where),
      username: server.username ?? urlUsername(this.config.url),
      say: this.say,
      onFaultStart: (record) => this.onFault?.("fault-started", { ...record }),
      onFaultEnd: (record) => this.onFault?.("fault-ended", { ...record }),
    };
    RunFaults.live.set(this.config.prefix, this);
    if (this.schedule.length > 0) {
      for (const f of this.schedule)
        this.say(
          `fault planned: ${f.name} at ${f.atMs / 1000}s${f.forMs > 0 ? ` for ${f.forMs / 1000}s` : ""}`,
        );
      this.runner = new FaultRunner({ faults: this.schedule, ...this.runnerOptions });
    }
    return loadTarget;
  }

  onMeasureStart(startEpochMs: number): void {
    this.measureStartMs = startEpochMs;
    this.runner?.start(startEpochMs);
  }

  /** The run under way in this process with this key prefix, while its faults are open. */
  static running(prefix: string): RunFaults | undefined {
    return RunFaults.live.get(prefix);
  }

  /**
   * Starts a fault now, during the measured part (the dashboard's fault menu): an entry as in the
   * `faults:` list without `at`. ConfigError with every problem; FaultUnavailableError outside the
   * measured part. It is reported, cleared and recorded like a scheduled one.
   */
  inject(entry: FaultEntry): FaultRecord {
    const options = this.runnerOptions;
    const start = this.measureStartMs;
    if (options === undefined || start === undefined || epochNowMs() < start)
      throw new FaultUnavailableError("the run's measured part has not started yet; try again in a moment");
    const records = [...(this.runner?.records ?? []), ...this.injected.flatMap((i) => i.runner.records)];
    const index = this.schedule.length + this.injected.length;
    const checked = injectedFault(entry, this.config, { atMs: epochNowMs() - start, index }, records);
    if (!checked.ok) throw new ConfigError(checked.problems);
    const runner = new FaultRunner({ faults: [checked.fault], ...options });
    this.injected.push({ fault: checked.fault, runner });
    runner.start(start);
    return runner.records[0];
  }

  /** Clears every fault still in force and waits for actions under way (restart, DEBUG SLEEP). */
  async stop(): Promise<void> {
    this.measureStartMs = undefined;
    await this.runner?.finish();
    for (const i of this.injected) await i.runner.finish();
  }

  /** The load has stopped: every fault is cleared before the counts are read. */
  stopLoad(): Promise<void> {
    return this.stop();
  }

  contribute(result: RunResult): void {
    this.report(result);
  }

  /** Puts the per-fault report into the result. */
  report(result: RunResult): void {
    if (this.runner === undefined && this.injected.length === 0) return;
    const records = [...(this.runner?.records ?? []), ...this.injected.flatMap((i) => i.runner.records)];
    result.faults = faultReports(result.series, records, { timeoutMs: this.config.timeoutMs });
    const commandsDropped = result.faults.reduce((sum, f) => sum + (f.effects.commandsDropped ?? 0), 0);
    const chunksDropped = result.faults.reduce((sum, f) => sum + (f.effects.chunksDropped ?? 0), 0);
    if (chunksDropped > 0 && result.countCheck.checked) {
      // A chunk cut out of the middle of a command leaves the server a broken stream: it answers
      // with a protocol error that it never counts as a command, so no bound holds any more.
      result.countCheck = {
        ...result.countCheck,
        checked: false,
        ok: true,
        note: `drop faults discarded ${chunksDropped} TCP chunks, cutting commands apart, so the server's command counts say nothing exact; counts not checked`,
      };
    } else if (commandsDropped > 0 && result.countCheck.checked) {
      result.countCheck = countsOverAllCommands(result.countCheck, commandsDropped);
    }
    if (this.serverRestarted) {
      // The restarted server counts commands from 0 again; a comparison with the count before would be false.
      result.countCheck = {
        ...result.countCheck,
        checked: false,
        ok: true,
        note: "the server restarted during the run (a restart fault), so INFO commandstats started again from 0; counts not checked",
      };
    }
  }

  async close(): Promise<void> {
    if (RunFaults.live.get(this.config.prefix) === this) RunFaults.live.delete(this.config.prefix);
    await this.runner?.finish();
    for (const i of this.injected) await i.runner.finish();
    await this.proxy?.close();
  }

  /** DEBUG is refused by default since Redis 7; find out now rather than in the middle of the run. */
  private async checkServer(openAdmin: () => Promise<AdminClient>): Promise<void> {
    const sleep = this.schedule.find((f) => f.kind === "debug-sleep");
    if (sleep === undefined) return;
    const admin = await openAdmin();
    try {
      await admin.sendCommand(["DEBUG", "SLEEP", "0"]);
    } catch (error) {
      const reason = (error as Error).message.split("\n")[0];
      throw new FaultUnavailableError(
        `faults[${sleep.index}] (${sleep.name}): the server refuses DEBUG (${reason}); ` +
          "set enable-debug-command to local or yes in its configuration, or remove this fault",
      );
    } finally {
      await admin.close();
    }
  }
}

/**
 * Under drop faults the count check is judged over all commands together. Replies are matched to
 * commands in order, so after a dropped command each reply is counted for the command before it:
 * per command, "replied" is shifted, but the totals still hold exactly what they mean. Every reply
 * read is a command the server ran, and it cannot have run more than was sent.
 */
function countsOverAllCommands(check: RunResult["countCheck"], dropped: number): RunResult["countCheck"] {
  const counts = Object.values(check.byCommand);
  const sent = counts.reduce((sum, c) => sum + c.sent, 0);
  const replied = counts.reduce((sum, c) => sum + c.completed, 0);
  const server = counts.reduce((sum, c) => sum + c.server, 0);
  const ok = server >= replied && server <= sent;
  return {
    ...check,
    ok,
    note: ok
      ? `drop faults discarded ${dropped} commands before the server, so replies are matched to the wrong command after each drop: judged over all commands, the server counted ${server}, within [${replied} replied, ${sent} sent]`
      : `MISMATCH with INFO commandstats over all commands: the server counted ${server}, outside [${replied} replied, ${sent} sent] (drop faults discarded ${dropped} commands; another client using the same commands on this server also causes this)`,
  };
}

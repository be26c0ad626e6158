import { epochNowMs } from "../engine/load-connection.js";
import type { FaultProxy, ProxyStats } from "./fault-proxy.js";
import type { FaultKind, ScheduledFault } from "./fault-schedule.js";

/** A connection for server-side faults; node-redis behind AdminClient in a run. */
export interface FaultAdmin {
  sendCommand(args: string[]): Promise<unknown>;
  readonly isOpen: boolean;
  close(): Promise<void>;
}

/** A server the tool manages and may restart (src/core/managed-redis.ts). */
export interface RestartableServer {
  restart?(options: { downMs: number; signal: "SIGTERM" | "SIGKILL" }): Promise<void>;
}

/** What happened to one scheduled fault; times are seconds since the measured part started. */
export interface FaultRecord {
  index: number;
  kind: FaultKind;
  name: string;
  /** As scheduled. */
  atS: number;
  forS: number;
  /** done: carried out; failed: could not be (see error); not-reached: the run ended before its time. */
  status: "done" | "failed" | "not-reached";
  /** When it actually began and ended. A one-off action (reset, kill) ends when it has been done. */
  startS?: number;
  endS?: number;
  error?: string;
  /** What it did, counts above 0 only: connectionsReset, clientsKilled, commandsDropped, ... */
  effects: Record<string, number>;
}

export interface FaultRunnerOptions {
  faults: readonly ScheduledFault[];
  /** Needed by latency, bandwidth, drop, reset, blackhole and client-kill of the run's clients. */
  proxy?: FaultProxy;
  /** Opens the connection server-side faults use; called again when it broke (restart, kill). */
  openAdmin?: () => Promise<FaultAdmin>;
  server?: RestartableServer;
  /** The ACL user for `clients: user`. */
  username?: string;
  /** One line per fault as it begins and ends (`FAULT latency 50ms to-client: on at 5s`). */
  say?: (line: string) => void;
  onFaultStart?(record: FaultRecord): void;
  onFaultEnd?(record: FaultRecord): void;
}

/** Proxy counters that describe each kind's effect, reported as their change while it lasted. */
const PROXY_EFFECTS: Partial<Record<FaultKind, (keyof ProxyStats)[]>> = {
  drop: ["commandsDropped", "chunksDropped", "bytesDropped"],
  reset: ["connectionsRefused"],
  blackhole: ["bytesBlackholed"],
  bandwidth: ["bytesToServer", "bytesToClient"],
};

/**
 * Carries out a fault schedule during the measured part of a run: each fault begins at its time
 * after the start, is cleared after its `for`, and is recorded with when it really began and ended
 * and what it did. Failures (a command the server refuses, a restart that fails) are recorded on the
 * fault and never stop the run.
 */
export class FaultRunner {
  readonly records: FaultRecord[];
  /** True once a restart fault restarted the server: its counters (INFO) started again from 0. */
  serverRestarted = false;
  private originMs = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly intervals = new Set<NodeJS.Timeout>();
  /** Faults in force, by index: what clears each. */
  private readonly active = new Map<number, () => void>();
  private readonly statsAtStart = new Map<number, ProxyStats>();
  private readonly pending = new Set<Promise<unknown>>();
  private admin: FaultAdmin | undefined;
  private finished = false;

  constructor(private readonly options: FaultRunnerOptions) {
    this.records = options.faults.map((f) => ({
      index: f.index,
      kind: f.kind,
      name: f.name,
      atS: f.atMs / 1000,
      forS: f.forMs / 1000,
      status: "not-reached",
      effects: {},
    }));
  }

  /** Starts the clock: each fault begins at `originEpochMs + at`. */
  start(originEpochMs: number): void {
    this.originMs = originEpochMs;
    this.options.faults.forEach((fault, i) => {
      this.after(originEpochMs + fault.atMs - epochNowMs(), () => this.begin(fault, this.records[i]));
    });
  }

  /**
   * Clears every fault still in force, waits for actions under way (a DEBUG SLEEP, a restart) and
   * closes the admin connection. Faults whose time never came stay `not-reached`.
   */
  async finish(): Promise<FaultRecord[]> {
    this.finished = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const active = this.options.faults.filter((f) => this.active.has(f.index));
    for (const fault of active) this.end(fault, this.recordOf(fault));
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    for (const t of this.intervals) clearInterval(t);
    await this.admin?.close().catch(() => {});
    return this.records;
  }

  // Beginning and ending ---------------------------------------------------------------------------

  private begin(fault: ScheduledFault, record: FaultRecord): void {
    if (this.finished) return;
    record.startS = this.elapsedS();
    record.status = "done";
    const proxy = this.options.proxy;
    if (proxy !== undefined && PROXY_EFFECTS[fault.kind] !== undefined)
      this.statsAtStart.set(fault.index, { ...proxy.stats });
    this.options.onFaultStart?.(record);
    this.say(`FAULT ${fault.name}: on at ${record.startS}s`);
    try {
      const clear = this.carryOut(fault, record);
      if (clear !== undefined) this.holdFor(fault, record, clear);
    } catch (error) {
      this.fail(fault, record, error);
    }
  }

  /** Starts the fault; returns what clears it after `for`, or undefined for an action that ends by itself. */
  private carryOut(fault: ScheduledFault, record: FaultRecord): (() => void) | undefined {
    const proxy = this.options.proxy;
    const needProxy = (): FaultProxy => {
      if (proxy === undefined) throw new Error(`${fault.kind} needs the fault proxy (--via-proxy)`);
      return proxy;
    };
    switch (fault.kind) {
      case "latency": {
        const { latencyMs, jitterMs, direction } = fault;
        needProxy().setLatency({ latencyMs, jitterMs, direction });
        return () => proxy!.setLatency(undefined);
      }
      case "bandwidth":
        needProxy().setBandwidth({ bytesPerSec: fault.bytesPerSec, direction: fault.direction });
        return () => proxy!.setBandwidth(undefined);
      case "drop":
        needProxy().setDrop({
          probability: fault.probability,
          granularity: fault.granularity,
          commands: fault.commands,
        });
        return () => proxy!.setDrop(undefined);
      case "reset":
        add(record, "connectionsReset", needProxy().resetConnections());
        if (fault.forMs === 0) {
          this.end(fault, record);
          return undefined;
        }
        proxy!.refuseNew(true);
        return () => proxy!.refuseNew(false);
      case "blackhole":
        needProxy().setBlackhole(true);
        return () => add(record, "connectionsReset", proxy!.setBlackhole(false));
      case "client-kill": {
        const first = this.track(this.killClients(fault, record));
        if (fault.forMs === 0) {
          void first.then(() => this.end(fault, record));
          return undefined;
        }
        const again = setInterval(() => void this.track(this.killClients(fault, record)), fault.everyMs);
        this.intervals.add(again);
        return () => {
          clearInterval(again);
          this.intervals.delete(again);
        };
      }
      case "client-pause": {
        const mode = fault.mode.toUpperCase();
        void this.track(this.command(["CLIENT", "PAUSE", String(Math.round(fault.forMs)), mode])).catch((e) =>
          this.fail(fault, record, e),
        );
        // The server ends the pause by itself; UNPAUSE only matters when the run ends first.
        return () => {
          if (this.finished) void this.track(this.command(["CLIENT", "UNPAUSE"]).catch(() => {}));
        };
      }
      case "debug-sleep":
        // The reply comes when the server wakes up: that is the end of the fault.
        void this.track(
          this.command(["DEBUG", "SLEEP", String(fault.seconds)]).then(
            () => this.end(fault, record),
            (e) => this.fail(fault, record, e),
          ),
        );
        return undefined;
      case "restart": {
        const server = this.options.server;
        if (server?.restart === undefined) throw new Error("restart needs a server the tool started itself");
        // Nothing to clear: finish() waits for the restart to complete instead of cutting it short.
        void this.track(
          server.restart({ downMs: fault.forMs, signal: fault.signal }).then(
            () => {
              this.serverRestarted = true;
              this.end(fault, record);
            },
            (e) => {
              this.serverRestarted = true;
              this.fail(fault, record, e);
            },
          ),
        );
        return undefined;
      }
    }
  }

  /** Keeps a fault in force for its `for`, then clears it. */
  private holdFor(fault: ScheduledFault, record: FaultRecord, clear: () => void): void {
    this.active.set(fault.index, clear);
    this.after(fault.forMs, () => this.end(fault, record));
  }

  private end(fault: ScheduledFault, record: FaultRecord): void {
    if (record.endS !== undefined) return;
    const clear = this.active.get(fault.index);
    this.active.delete(fault.index);
    try {
      clear?.();
    } catch (error) {
      record.error ??= describe(error);
    }
    record.endS = this.elapsedS();
    const before = this.statsAtStart.get(fault.index);
    const proxy = this.options.proxy;
    if (before !== undefined && proxy !== undefined) {
      for (const key of PROXY_EFFECTS[fault.kind] ?? []) add(record, key, proxy.stats[key] - before[key]);
    }
    const effects = Object.entries(record.effects).map(([k, v]) => `${k} ${v}`);
    this.say(
      `FAULT ${fault.name}: off at ${record.endS}s${effects.length > 0 ? ` (${effects.join(", ")})` : ""}`,
    );
    this.options.onFaultEnd?.(record);
  }

  private fail(fault: ScheduledFault, record: FaultRecord, error: unknown): void {
    record.status = "failed";
    record.error = describe(error);
    this.say(`FAULT ${fault.name}: failed: ${record.error}`);
    this.end(fault, record);
  }

  // Server-side actions ----------------------------------------------------------------------------

  /**
   * CLIENT KILL of the run's connections (by the proxy's addresses on the server), the run's ACL
   * user, or every normal client. SKIPME keeps our own admin connection alive.
   */
  private async killClients(
    fault: ScheduledFault & { kind: "client-kill" },
    record: FaultRecord,
  ): Promise<void> {
    try {
      let killed = 0;
      if (fault.clients === "run") {
        const addresses = this.options.proxy?.upstreamAddresses() ?? [];
        const replies = await Promise.all(
          addresses.map((a) => this.command(["CLIENT", "KILL", "ADDR", a, "SKIPME", "yes"])),
        );
        for (const r of replies) killed += Number(r) || 0;
      } else if (fault.clients === "user") {
        killed = Number(
          await this.command(["CLIENT", "KILL", "USER", this.options.username ?? "", "SKIPME", "yes"]),
        );
      } else {
        killed = Number(await this.command(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]));
      }
      add(record, "clientsKilled", killed);
    } catch (error) {
      if (record.error === undefined) this.fail(fault, record, error);
    }
  }

  /** One command on the admin connection, opened (again) when needed: a restart or kill breaks it. */
  private async command(args: string[]): Promise<unknown> {
    const open = this.options.openAdmin;
    if (open === undefined) throw new Error(`${args[0]} ${args[1]} needs a connection to the server`);
    if (this.admin === undefined || !this.admin.isOpen) this.admin = await open();
    try {
      return await this.admin.sendCommand(args);
    } catch (error) {
      if (this.admin.isOpen) throw error;
      this.admin = await open();
      return this.admin.sendCommand(args);
    }
  }

  // Helpers ----------------------------------------------------------------------------------------

  private after(ms: number, run: () => void): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        run();
      },
      Math.max(0, ms),
    );
    this.timers.add(timer);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    const forget = () => this.pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  private elapsedS(): number {
    return Math.round(epochNowMs() - this.originMs) / 1000;
  }

  private recordOf(fault: ScheduledFault): FaultRecord {
    return this.records[this.options.faults.indexOf(fault)];
  }

  private say(line: string): void {
    this.options.say?.(line);
  }
}

function add(record: FaultRecord, key: string, n: number): void {
  if (n > 0) record.effects[key] = (record.effects[key] ?? 0) + n;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}

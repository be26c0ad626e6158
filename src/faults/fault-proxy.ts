import net from "node:net";
import { Rng } from "../workload/random.js";
import type { DropDecider } from "./command-framer.js";
import { type PipeContext, type PipeDirection, ProxyPipe, type ProxyStats } from "./proxy-pipe.js";

export type { ProxyStats } from "./proxy-pipe.js";

/** Which way a latency or bandwidth fault applies. */
export type ProxyDirection = "both" | "to-server" | "to-client";

export interface LatencyFault {
  /** Added to every chunk in the chosen direction(s), ms. */
  latencyMs: number;
  /** Each chunk's delay is latencyMs ± up to this, uniformly, never below 0, ms. */
  jitterMs: number;
  direction: ProxyDirection;
}

export interface BandwidthFault {
  /** The most bytes per second each chosen direction carries, over all connections together. */
  bytesPerSec: number;
  direction: ProxyDirection;
}

export interface DropFault {
  /** Chance that each command (or chunk) is dropped, 0 < p ≤ 1. */
  probability: number;
  /**
   * `command`: whole RESP commands are dropped, so the server still reads a valid stream.
   * `chunk`: whole socket reads are dropped, which may cut a command in two.
   */
  granularity: "command" | "chunk";
  /** Command granularity only: drop only these commands (upper case), e.g. ["SET"]. */
  commands?: string[];
}

export interface FaultProxyOptions {
  targetHost: string;
  targetPort: number;
  /** Where the proxy listens; 127.0.0.1 unless told otherwise. */
  listenHost?: string;
  /** 0 picks a free port (read `port` after start). */
  listenPort?: number;
  /** Seed for jitter and drop decisions, so a run repeats. */
  seed?: number;
}

interface ProxiedConnection {
  client: net.Socket;
  server: net.Socket;
  toServer: ProxyPipe;
  toClient: ProxyPipe;
}

/** With a bandwidth cap, bytes leave in pieces of at most 1/50 s of the rate (at least this many). */
const MIN_SLICE_BYTES = 1024;

/**
 * A TCP proxy between the load and the server whose faults can be switched on and off at any time:
 * added latency with jitter, a bandwidth cap, dropped client → server data, reset connections and a
 * blackhole. It listens on 127.0.0.1 and forwards every connection to one target.
 */
export class FaultProxy implements PipeContext {
  readonly stats: ProxyStats = {
    connectionsAccepted: 0,
    connectionsOpen: 0,
    connectionsRefused: 0,
    connectionsReset: 0,
    upstreamErrors: 0,
    bytesToServer: 0,
    bytesToClient: 0,
    commandsDropped: 0,
    chunksDropped: 0,
    bytesDropped: 0,
    bytesBlackholed: 0,
  };
  blackholed = false;
  drop: PipeContext["drop"];
  private latency: LatencyFault | undefined;
  private bandwidth: BandwidthFault | undefined;
  private dropProbability = 0;
  private refusing = false;
  /** Bandwidth cap: when each direction's link is next free, performance.now() ms. */
  private readonly linkFreeAtMs: Record<PipeDirection, number> = { "to-server": 0, "to-client": 0 };
  private readonly connections = new Set<ProxiedConnection>();
  private readonly rng: Rng;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: net.Server,
    private readonly options: FaultProxyOptions,
    readonly host: string,
    readonly port: number,
  ) {
    this.rng = new Rng(options.seed ?? 1);
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const host = options.listenHost ?? "127.0.0.1";
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.listenPort ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address() as net.AddressInfo;
    const proxy = new FaultProxy(server, options, host, address.port);
    server.on("connection", (socket) => proxy.accept(socket));
    return proxy;
  }

  /** `host:port` of the server this proxy forwards to. */
  get target(): string {
    return `${this.options.targetHost}:${this.options.targetPort}`;
  }

  // Faults -----------------------------------------------------------------------------------------

  setLatency(fault: LatencyFault | undefined): void {
    this.latency = fault;
  }

  setBandwidth(fault: BandwidthFault | undefined): void {
    this.bandwidth = fault;
    const now = performance.now();
    this.linkFreeAtMs["to-server"] = now;
    this.linkFreeAtMs["to-client"] = now;
  }

  setDrop(fault: DropFault | undefined): void {
    if (fault === undefined) {
      this.drop = undefined;
      return;
    }
    this.dropProbability = fault.probability;
    const names = fault.commands?.map((c) => c.toUpperCase());
    const rng = this.rng;
    const p = fault.probability;
    const decider: DropDecider =
      names !== undefined && names.length > 0
        ? { needsName: true, shouldDrop: (name) => names.includes(name) && (p >= 1 || rng.next() < p) }
        : { needsName: false, shouldDrop: () => p >= 1 || rng.next() < p };
    this.drop = { decider, chunkGranularity: fault.granularity === "chunk" };
  }

  /**
   * Blackhole on: every byte read in either direction is discarded and nothing is answered, for
   * existing and new connections alike. Off: connections that lost bytes are reset, because their
   * byte streams can no longer be parsed; returns how many.
   */
  setBlackhole(on: boolean): number {
    this.blackholed = on;
    if (on) return 0;
    let reset = 0;
    for (const c of [...this.connections]) {
      if (c.toServer.lostBytes || c.toClient.lostBytes) {
        this.resetConnection(c);
        reset++;
      }
    }
    return reset;
  }

  /** Resets (TCP RST) every open connection, both sides; returns how many. */
  resetConnections(): number {
    const all = [...this.connections];
    for (const c of all) this.resetConnection(c);
    return all.length;
  }

  /** While on, every new connection is reset as soon as it arrives. */
  refuseNew(on: boolean): void {
    this.refusing = on;
  }

  clearAll(): void {
    this.setLatency(undefined);
    this.setBandwidth(undefined);
    this.setDrop(undefined);
    this.refuseNew(false);
    if (this.blackholed) this.setBlackhole(false);
  }

  /** `ip:port` of each connection the proxy holds to the server: the run's clients as the server sees them. */
  upstreamAddresses(): string[] {
    const addresses: string[] = [];
    for (const c of this.connections) {
      const { localAddress, localPort } = c.server;
      if (localAddress !== undefined && localPort !== undefined)
        addresses.push(`${localAddress}:${localPort}`);
    }
    return addresses;
  }

  // PipeContext ------------------------------------------------------------------------------------

  delayMs(direction: PipeDirection): number {
    const latency = this.latency;
    if (latency === undefined || !applies(latency.direction, direction)) return 0;
    if (latency.jitterMs === 0) return latency.latencyMs;
    const delay = latency.latencyMs + (this.rng.next() * 2 - 1) * latency.jitterMs;
    return Math.max(delay, 0);
  }

  bandwidthSliceBytes(direction: PipeDirection): number | undefined {
    const cap = this.bandwidth;
    if (cap === undefined || !applies(cap.direction, direction)) return undefined;
    return Math.max(MIN_SLICE_BYTES, Math.floor(cap.bytesPerSec / 50));
  }

  /**
   * A virtual clock per direction: each piece takes bytes / rate of link time, in the order pieces
   * arrive, whichever connection they belong to — a shared link, first come first served.
   */
  bandwidthSlotMs(direction: PipeDirection, earliestMs: number, bytes: number): number {
    const rate = this.bandwidth?.bytesPerSec ?? Number.POSITIVE_INFINITY;
    const start = Math.max(earliestMs, this.linkFreeAtMs[direction]);
    this.linkFreeAtMs[direction] = start + (bytes * 1000) / rate;
    return start;
  }

  dropChunk(): boolean {
    const p = this.dropProbability;
    return p >= 1 || this.rng.next() < p;
  }

  // Connections ------------------------------------------------------------------------------------

  private accept(client: net.Socket): void {
    if (this.refusing || this.closing !== undefined) {
      this.stats.connectionsRefused++;
      reset(client);
      return;
    }
    this.stats.connectionsAccepted++;
    this.stats.connectionsOpen++;
    client.setNoDelay(true);
    const server = net.connect({
      host: this.options.targetHost,
      port: this.options.targetPort,
      allowHalfOpen: true,
    });
    server.setNoDelay(true);
    const connection: ProxiedConnection = {
      client,
      server,
      toServer: new ProxyPipe(client, server, "to-server", this),
      toClient: new ProxyPipe(server, client, "to-client", this),
    };
    this.connections.add(connection);
    let open = 2;
    const closed = () => {
      if (--open > 0) return;
      connection.toServer.close();
      connection.toClient.close();
      if (this.connections.delete(connection)) this.stats.connectionsOpen--;
    };
    // Errors are followed by 'close'; handling them here keeps them from being thrown.
    client.on("error", () => {});
    server.on("error", () => {
      this.stats.upstreamErrors++;
    });
    // A side that breaks (RST, refused) breaks the other the same way, so the client sees what it
    // would have seen without the proxy; a side that closes cleanly is ended through its pipe.
    client.on("close", (hadError) => {
      if (hadError) reset(server);
      closed();
    });
    server.on("close", (hadError) => {
      if (hadError) reset(client);
      closed();
    });
  }

  private resetConnection(c: ProxiedConnection): void {
    this.stats.connectionsReset++;
    c.toServer.close();
    c.toClient.close();
    reset(c.client);
    reset(c.server);
  }

  /** Stops listening, resets what is still open, and resolves once the listener is closed. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.clearAll();
      this.server.close(() => resolve());
      for (const c of [...this.connections]) {
        c.toServer.close();
        c.toClient.close();
        c.client.destroy();
        c.server.destroy();
      }
    });
    return this.closing;
  }
}

function applies(chosen: ProxyDirection, direction: PipeDirection): boolean {
  return chosen === "both" || chosen === direction;
}

/** TCP RST when the socket can send one; a plain destroy otherwise (not yet connected, already gone). */
function reset(socket: net.Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

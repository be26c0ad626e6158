import type { Socket } from "node:net";
import { CommandFramer, type DropDecider, type FramedOutput } from "./command-framer.js";

export type PipeDirection = "to-server" | "to-client";

/** Counters every pipe adds to; the proxy owns one set. */
export interface ProxyStats {
  connectionsAccepted: number;
  connectionsOpen: number;
  /** New connections reset on arrival while a reset fault refused them. */
  connectionsRefused: number;
  /** Connections the proxy reset on purpose (reset faults, and the end of a blackhole). */
  connectionsReset: number;
  /** Connections to the server that failed (refused, reset by the server). */
  upstreamErrors: number;
  /** Bytes forwarded client → server. */
  bytesToServer: number;
  /** Bytes forwarded server → client. */
  bytesToClient: number;
  /** Whole client → server commands dropped (command granularity). */
  commandsDropped: number;
  /** Whole client → server chunks (socket reads) dropped (chunk granularity). */
  chunksDropped: number;
  /** Every byte a drop fault discarded. */
  bytesDropped: number;
  /** Bytes read and discarded by a blackhole, both directions. */
  bytesBlackholed: number;
}

/** What a pipe asks its proxy for each chunk: the faults in force right now. */
export interface PipeContext {
  readonly stats: ProxyStats;
  readonly blackholed: boolean;
  /** Added delay for the next chunk in this direction, ms (0 when no latency fault applies). */
  delayMs(direction: PipeDirection): number;
  /** Bandwidth cap: when this many bytes may leave, given the earliest they could (performance.now() ms). */
  bandwidthSlotMs(direction: PipeDirection, earliestMs: number, bytes: number): number;
  /** Largest piece a capped direction sends at once, bytes, so a big chunk does not burst; undefined = no cap. */
  bandwidthSliceBytes(direction: PipeDirection): number | undefined;
  /** The drop fault for client → server data, when one is in force. */
  readonly drop: { decider: DropDecider; chunkGranularity: boolean } | undefined;
  /** Chunk granularity: should this chunk be dropped? */
  dropChunk(): boolean;
}

/** Stop reading from the source while this much waits in a delay/bandwidth queue, bytes. */
const QUEUE_HIGH_BYTES = 1024 * 1024;
/** ...and read again once it is below this. */
const QUEUE_LOW_BYTES = 256 * 1024;
/** A chunk due within this much of now goes out now rather than on a timer of its own, ms. */
const DUE_SLACK_MS = 0.5;

/**
 * One direction of one proxied connection. Chunks pass straight through while no fault delays them;
 * otherwise each gets a release time (added latency ± jitter, then the bandwidth cap's slot, never
 * before the chunk ahead of it, so byte order holds) and waits in a FIFO with one timer for its head.
 * Backpressure goes all the way back to the sender: the source is paused while the destination's
 * buffer is full or too much waits in the queue, and TCP flow control does the rest.
 */
export class ProxyPipe implements FramedOutput {
  /** Bytes were discarded (blackhole): the stream is no longer whole. */
  lostBytes = false;
  private readonly queue: Buffer[] = [];
  private readonly releaseAtMs: number[] = [];
  private head = 0;
  private queuedBytes = 0;
  private lastReleaseMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private waitingForDrain = false;
  private heldByQueue = false;
  private sourceEnded = false;
  private closed = false;
  private readonly framer: CommandFramer | undefined;
  private readonly onDataBound = (chunk: Buffer) => this.onData(chunk);
  private readonly onDrainBound = () => this.onDrain();
  private readonly releaseDueBound = () => this.releaseDue();

  constructor(
    private readonly source: Socket,
    private readonly dest: Socket,
    readonly direction: PipeDirection,
    private readonly ctx: PipeContext,
  ) {
    // Only client → server data is ever dropped, so only that direction needs command boundaries.
    this.framer = direction === "to-server" ? new CommandFramer() : undefined;
    source.on("data", this.onDataBound);
    source.on("end", () => {
      this.sourceEnded = true;
      this.endIfDrained();
    });
    dest.on("drain", this.onDrainBound);
  }

  /** Stops all timers; queued bytes are discarded (the connection is going away). */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    this.releaseAtMs.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
  }

  private onData(chunk: Buffer): void {
    const ctx = this.ctx;
    if (ctx.blackholed) {
      ctx.stats.bytesBlackholed += chunk.length;
      this.lostBytes = true;
      return;
    }
    const framer = this.framer;
    if (framer === undefined) {
      this.keep(chunk);
      return;
    }
    const drop = ctx.drop;
    if (drop !== undefined && (drop.chunkGranularity || framer.opaque)) {
      if (ctx.dropChunk()) {
        ctx.stats.chunksDropped++;
        ctx.stats.bytesDropped += chunk.length;
        framer.skip(chunk);
        return;
      }
      framer.skip(chunk);
      this.keep(chunk);
      return;
    }
    framer.frame(chunk, drop?.decider, this);
  }

  // FramedOutput: the framer hands over kept runs and counts what it dropped.

  keep(bytes: Buffer): void {
    if (this.closed) return;
    const direction = this.direction;
    const ctx = this.ctx;
    const delay = ctx.delayMs(direction);
    const now = performance.now();
    const capped = ctx.bandwidthSliceBytes(direction);
    if (delay === 0 && this.queuedBytes === 0 && capped === undefined) {
      this.write(bytes);
      return;
    }
    const earliest = now + delay;
    const slice = capped ?? bytes.length;
    for (let from = 0; from < bytes.length; from += slice) {
      const piece = from === 0 && bytes.length <= slice ? bytes : bytes.subarray(from, from + slice);
      const slot = capped === undefined ? earliest : ctx.bandwidthSlotMs(direction, earliest, piece.length);
      const releaseAt = Math.max(slot, this.lastReleaseMs);
      this.lastReleaseMs = releaseAt;
      this.queue.push(piece);
      this.releaseAtMs.push(releaseAt);
      this.queuedBytes += piece.length;
    }
    if (this.queuedBytes > QUEUE_HIGH_BYTES && !this.heldByQueue) {
      this.heldByQueue = true;
      this.source.pause();
    }
    if (this.timer === undefined) this.releaseDue();
  }

  droppedCommand(): void {
    this.ctx.stats.commandsDropped++;
  }

  droppedBytes(count: number): void {
    this.ctx.stats.bytesDropped += count;
  }

  /** Sends every queued chunk whose time has come, then sleeps until the next one. */
  private releaseDue(): void {
    this.timer = undefined;
    if (this.closed) return;
    const now = performance.now();
    while (this.head < this.queue.length && this.releaseAtMs[this.head] <= now + DUE_SLACK_MS) {
      const bytes = this.queue[this.head];
      this.queue[this.head] = EMPTY;
      this.head++;
      this.queuedBytes -= bytes.length;
      this.write(bytes);
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.releaseAtMs.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.releaseAtMs.splice(0, this.head);
      this.head = 0;
    }
    if (this.heldByQueue && this.queuedBytes < QUEUE_LOW_BYTES) {
      this.heldByQueue = false;
      this.resumeIfFree();
    }
    if (this.head < this.queue.length) {
      const wait = Math.max(0, this.releaseAtMs[this.head] - performance.now());
      this.timer = setTimeout(this.releaseDueBound, Math.ceil(wait));
    } else {
      this.endIfDrained();
    }
  }

  private write(bytes: Buffer): void {
    if (this.dest.destroyed) return;
    if (this.direction === "to-server") this.ctx.stats.bytesToServer += bytes.length;
    else this.ctx.stats.bytesToClient += bytes.length;
    if (!this.dest.write(bytes) && !this.waitingForDrain) {
      this.waitingForDrain = true;
      this.source.pause();
    }
  }

  private onDrain(): void {
    if (!this.waitingForDrain) return;
    this.waitingForDrain = false;
    this.resumeIfFree();
  }

  private resumeIfFree(): void {
    if (!this.waitingForDrain && !this.heldByQueue && !this.source.destroyed) this.source.resume();
  }

  /** A source that ended (FIN) ends the destination once everything queued has gone out. */
  private endIfDrained(): void {
    if (this.sourceEnded && this.queuedBytes === 0 && !this.dest.destroyed) this.dest.end();
  }
}

const EMPTY = Buffer.alloc(0);

import { EventEmitter } from "node:events";
import type net from "node:net";
import { afterEach, beforeEach } from "node:test";
import type { CommandWeight } from "../../src/config/types.js";
import { type ConnectionTarget, socketOpener } from "../../src/engine/load-connection.js";
import type { ThreadPlan } from "../../src/engine/thread-plan.js";

/*
 * Fakes for unit tests of the load engine, so its logic can be checked in isolation and to the
 * microsecond: an in-memory server that parses the RESP the engine writes and answers it when the
 * test says so, and a clock (performance.now, timers, Atomics.wait) that moves only when the test
 * moves it. Integration tests run the same engine against a real redis-server.
 */

/** One command as the fake server received it. */
export interface ReceivedCommand {
  args: string[];
  /** Which socket (in the order they were opened) it came on. */
  socket: number;
  /** Fake-clock time it was written at, epoch ms. */
  atMs: number;
  /** Index of the socket write that carried it (all sockets counted together). */
  write: number;
}

/** What the server answers: a RESP reply, or undefined to never answer (a lost reply). */
export type Answer = (args: string[], server: FakeRedis) => string | undefined;

/** Answers like a plain Redis for SET and GET (with a key-value store), +OK for anything else. */
export const redisLike: Answer = (args, server) => {
  const name = args[0].toUpperCase();
  if (name === "SET") {
    server.store.set(args[1], args[2]);
    return "+OK\r\n";
  }
  if (name === "GET") {
    const value = server.store.get(args[1]);
    return value === undefined ? "$-1\r\n" : `$${Buffer.byteLength(value)}\r\n${value}\r\n`;
  }
  return "+OK\r\n";
};

export class FakeRedis {
  readonly received: ReceivedCommand[] = [];
  readonly sockets: FakeSocket[] = [];
  readonly store = new Map<string, string>();
  /** Socket writes received, over all sockets. */
  writes = 0;
  private readonly previousOpen = socketOpener.open;

  constructor(
    private readonly clock: FakeClock,
    public answer: Answer = redisLike,
  ) {
    socketOpener.open = (_t: ConnectionTarget, readBuffer, onRead) => {
      const socket = new FakeSocket(this, this.sockets.length, readBuffer, onRead);
      this.sockets.push(socket);
      return socket as unknown as net.Socket;
    };
  }

  nowMs(): number {
    return this.clock.epochMs();
  }

  /** Delivers every reply waiting on every open socket, one chunk per socket. */
  deliverAll(): number {
    let n = 0;
    for (const s of this.sockets) n += s.deliver();
    return n;
  }

  /** Replies written but not delivered yet, over all sockets. */
  get undelivered(): number {
    let n = 0;
    for (const s of this.sockets) n += s.pendingReplies;
    return n;
  }

  /** Puts the real socket opener back. */
  close(): void {
    socketOpener.open = this.previousOpen;
  }
}

/** The parts of a net.Socket the engine's connection uses, over the fake server. */
export class FakeSocket extends EventEmitter {
  destroyed = false;
  /** Commands received on this socket whose reply has not been delivered (or will never be). */
  outstanding = 0;
  /** The most commands outstanding at once on this socket. */
  maxOutstanding = 0;
  private input = Buffer.alloc(0);
  private replies: string[] = [];

  constructor(
    private readonly server: FakeRedis,
    readonly index: number,
    private readonly readBuffer: Buffer,
    private readonly onRead: (length: number, chunk: Uint8Array) => boolean,
  ) {
    super();
    // Like a socket, it connects on a later turn of the event loop, never inside connect().
    queueMicrotask(() => {
      if (!this.destroyed) this.emit("connect");
    });
  }

  setNoDelay(): this {
    return this;
  }

  get pendingReplies(): number {
    return this.replies.length;
  }

  write(data: Uint8Array | string): boolean {
    if (this.destroyed) return false;
    const bytes = typeof data === "string" ? Buffer.from(data) : Buffer.from(data);
    const write = this.server.writes++;
    this.input = this.input.length === 0 ? bytes : Buffer.concat([this.input, bytes]);
    for (;;) {
      const parsed = parseCommand(this.input);
      if (parsed === undefined) break;
      this.input = this.input.subarray(parsed.end);
      this.server.received.push({ args: parsed.args, socket: this.index, atMs: this.server.nowMs(), write });
      this.outstanding++;
      if (this.outstanding > this.maxOutstanding) this.maxOutstanding = this.outstanding;
      const reply = this.server.answer(parsed.args, this.server);
      if (reply !== undefined) this.replies.push(reply);
    }
    return true;
  }

  /** Hands every waiting reply to the connection as one chunk (or several, if over its buffer). */
  deliver(): number {
    if (this.destroyed || this.replies.length === 0) return 0;
    const n = this.replies.length;
    const bytes = Buffer.from(this.replies.join(""));
    this.replies = [];
    this.outstanding -= n;
    for (let at = 0; at < bytes.length && !this.destroyed; at += this.readBuffer.length) {
      const length = bytes.copy(this.readBuffer, 0, at, Math.min(bytes.length, at + this.readBuffer.length));
      this.onRead(length, this.readBuffer);
    }
    return n;
  }

  /** The server closes the connection: whatever was not answered is lost. */
  serverClose(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.replies = [];
    this.emit("close", false);
  }

  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.replies = [];
    queueMicrotask(() => this.emit("close", false));
    return this;
  }
}

/** One RESP array of bulk strings from the front of `b`, or undefined when it is not all there. */
export function parseCommand(b: Buffer): { args: string[]; end: number } | undefined {
  if (b.length === 0) return undefined;
  if (b[0] !== 0x2a)
    throw new Error(`fake server: expected '*', got ${JSON.stringify(b.subarray(0, 20).toString())}`);
  let pos = 0;
  const line = (): number | undefined => {
    const cr = b.indexOf("\r\n", pos);
    if (cr < 0) return undefined;
    const n = Number(b.subarray(pos + 1, cr).toString("latin1"));
    pos = cr + 2;
    return n;
  };
  const count = line();
  if (count === undefined) return undefined;
  const args: string[] = [];
  for (let i = 0; i < count; i++) {
    if (pos >= b.length) return undefined;
    if (b[pos] !== 0x24) throw new Error(`fake server: expected '$' at byte ${pos}`);
    const length = line();
    if (length === undefined || pos + length + 2 > b.length) return undefined;
    args.push(b.subarray(pos, pos + length).toString("latin1"));
    if (b[pos + length] !== 13 || b[pos + length + 1] !== 10)
      throw new Error("fake server: bulk string without CRLF");
    pos += length + 2;
  }
  return { args, end: pos };
}

interface FakeTimer {
  id: number;
  dueMs: number;
  everyMs: number | undefined;
  fn: () => void;
}

/**
 * A clock that moves only when told: performance.now, setTimeout/setInterval and Atomics.wait
 * (the engine's precise sleep, which here moves the clock by its timeout) all read and move the
 * same time. Timers fire in order of due time as `advance` passes them.
 */
export class FakeClock {
  /** performance.now() of the fake, ms. */
  private nowMs: number;
  private timers: FakeTimer[] = [];
  private nextId = 1;
  /** Time slept in Atomics.wait, ms, and how often. */
  sleptMs = 0;
  sleeps = 0;
  private readonly saved = {
    now: performance.now,
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: globalThis.setInterval,
    clearInterval: globalThis.clearInterval,
    wait: Atomics.wait,
  };

  constructor(startMs = 1000) {
    this.nowMs = startMs;
    performance.now = () => this.nowMs;
    const g = globalThis as unknown as Record<string, unknown>;
    g.setTimeout = (fn: () => void, ms?: number) => this.add(fn, ms ?? 0, undefined);
    g.setInterval = (fn: () => void, ms?: number) => this.add(fn, ms ?? 0, Math.max(1, ms ?? 0));
    g.clearTimeout = (t: unknown) => this.remove(t);
    g.clearInterval = (t: unknown) => this.remove(t);
    const sleep = (_a: unknown, _i: number, _v: unknown, timeoutMs?: number): "timed-out" => {
      this.sleeps++;
      this.sleptMs += timeoutMs ?? 0;
      this.nowMs += timeoutMs ?? 0;
      return "timed-out";
    };
    Atomics.wait = sleep as typeof Atomics.wait;
  }

  /** The engine's clock (epochNowMs) at this moment, epoch ms. */
  epochMs(): number {
    return performance.timeOrigin + this.nowMs;
  }

  /**
   * Moves time forward by `ms`, firing each timer at its due time (timers set by those fire too,
   * when due within the span), and calling `between` after each one (to deliver replies, say).
   */
  advance(ms: number, between: () => void = () => {}): void {
    const endMs = this.nowMs + ms;
    for (let fired = 0; fired < 1_000_000; fired++) {
      const next = this.earliest();
      if (next === undefined || next.dueMs > endMs) break;
      if (next.dueMs > this.nowMs) this.nowMs = next.dueMs;
      if (next.everyMs === undefined) this.remove(next);
      else next.dueMs += next.everyMs;
      next.fn();
      between();
    }
    if (this.nowMs < endMs) this.nowMs = endMs;
    between();
  }

  /** Puts the real clock, timers and Atomics.wait back. */
  restore(): void {
    performance.now = this.saved.now;
    const g = globalThis as unknown as Record<string, unknown>;
    g.setTimeout = this.saved.setTimeout;
    g.clearTimeout = this.saved.clearTimeout;
    g.setInterval = this.saved.setInterval;
    g.clearInterval = this.saved.clearInterval;
    Atomics.wait = this.saved.wait;
  }

  private add(fn: () => void, ms: number, everyMs: number | undefined): FakeTimer {
    const timer = { id: this.nextId++, dueMs: this.nowMs + Math.max(0, ms), everyMs, fn };
    this.timers.push(timer);
    return timer;
  }

  private remove(t: unknown): void {
    this.timers = this.timers.filter((x) => x !== t);
  }

  private earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers)
      if (best === undefined || t.dueMs < best.dueMs || (t.dueMs === best.dueMs && t.id < best.id)) best = t;
    return best;
  }
}

export interface FakePlanOptions {
  connections?: number;
  pipeline?: number;
  commands?: CommandWeight[];
  keyMax?: number;
  dataSize?: number;
  timeoutMs?: number;
  seed?: number;
}

/** One engine thread's plan against the fake server: closed loop unless a phase has stages. */
export function fakeThreadPlan(o: FakePlanOptions = {}): ThreadPlan {
  const connections = o.connections ?? 1;
  return {
    threadIndex: 0,
    target: { host: "127.0.0.1", port: 6379, tls: false, rejectUnauthorized: true, db: 0 },
    connections,
    firstConnection: 0,
    totalConnections: connections,
    pipeline: o.pipeline ?? 1,
    timeoutMs: o.timeoutMs ?? 1000,
    readFrom: "primary",
    workload: {
      commands: o.commands ?? [{ name: "SET", weight: 1 }],
      keyPattern: "sequential",
      keyMax: o.keyMax ?? 1000,
      prefix: "t:",
      dataSizeMin: o.dataSize ?? 8,
      dataSizeMax: o.dataSize ?? 8,
    },
    seed: o.seed ?? 1,
  };
}

/**
 * Fresh fakes for every test of the calling file (node:test hooks); after each test the real
 * clock, timers and sockets are back, whether it passed or not.
 */
export function useFakes(): { clock: FakeClock; server: FakeRedis } {
  const fakes = {} as { clock: FakeClock; server: FakeRedis };
  beforeEach(() => {
    fakes.clock = new FakeClock();
    fakes.server = new FakeRedis(fakes.clock);
  });
  afterEach(() => {
    fakes.server.close();
    fakes.clock.restore();
  });
  return fakes;
}

import net from "node:net";
import tls from "node:tls";
import { type ConnectionTarget, epochNowMs, tlsOptions } from "../core/connection-target.js";
import { REPLY_ERROR, REPLY_NIL, ReplyParser, type ReplySink } from "./reply-parser.js";

// Defined in the ground floor (every stage connects); re-exported for the engine's own files.
export { type ConnectionTarget, epochNowMs, tlsOptions };

/** Command index of an operation the engine sends for itself (ASKING): its reply is not an operation's. */
export const INTERNAL_COMMAND = 255;

/**
 * Opens a connection's socket: TLS, or plain TCP reading into the connection's own buffer. An object
 * so that unit tests can put an in-memory fake server in its place (test/helpers/fake-redis.ts);
 * called once per connect, never per operation.
 */
export const socketOpener = {
  open(
    t: ConnectionTarget,
    readBuffer: Buffer,
    onRead: (length: number, chunk: Uint8Array) => boolean,
  ): net.Socket {
    if (t.tls) return tls.connect({ host: t.host, port: t.port, ...tlsOptions(t) });
    return net.connect({ host: t.host, port: t.port, onread: { buffer: readBuffer, callback: onRead } });
  },
};

/** What a connection calls back into; implemented by the engine of its thread. */
export interface ConnectionOwner {
  /** The reply to an operation arrived. `status` is a REPLY_* constant. */
  onOperationReply(
    connection: LoadConnection,
    command: number,
    intendedMs: number,
    sentMs: number,
    status: number,
  ): void;
  /** After a chunk's replies were handled and before the output is flushed. */
  afterReplies(connection: LoadConnection): void;
  onConnected(connection: LoadConnection, isReconnect: boolean): void;
  /** The socket broke; `inFlight` operations were lost with it. */
  onBroken(connection: LoadConnection, kind: string, inFlight: number): void;
  /** A re-AUTH on the live socket was answered: `errorKind` is "" when it succeeded. */
  onReauthReply(connection: LoadConnection, errorKind: string): void;
}

/** Output slabs are at least this big; one socket write takes a slice, the next write the rest. */
const SLAB_BYTES = 64 * 1024;
/**
 * Plain TCP reads land in one buffer per connection, reused for every read: Node would otherwise
 * allocate a Buffer per chunk, the main source of young-generation garbage under load.
 */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * One TCP (or TLS) connection of the load engine: a ring of in-flight operations sized to the most
 * that may be in flight, an output slab that commands are encoded into and flushed once per batch,
 * and a reply parser that only counts. Handlers are bound once, so nothing is allocated per
 * operation.
 */
export class LoadConnection implements ReplySink {
  socket: net.Socket | null = null;
  up = false;
  /** Operations in flight. */
  count = 0;
  /** Operations this connection may still send in the current phase. */
  quota = 0;
  /** Open loop: the intended start of this connection's next operation, epoch ms. */
  nextIntendedMs = 0;
  /** Open loop: the intended start of the operation after that one (Infinity after the profile). */
  followingIntendedMs = Number.POSITIVE_INFINITY;
  /** Time of the chunk being handled, epoch ms. */
  nowMs = 0;
  /** When the connection went down, epoch ms (0 while up). */
  downSinceMs = 0;
  reconnectAttempts = 0;

  private readonly intended: Float64Array;
  private readonly sentAt: Float64Array;
  private readonly commandOf: Uint8Array;
  /** Routed engines only: the key of each operation in flight, so a redirected one can be sent again. */
  private readonly keyOf: Float64Array | null;
  /** The key of the operation whose reply is being handled (routed engines only). */
  replyKey = 0;
  private head = 0;
  private readonly parser = new ReplyParser();
  private handshakeLeft = 0;
  private everConnected = false;
  // Re-AUTH in the middle of pipelined load. Replies come in send order, so an AUTH written after the
  // socket's Nth operation is answered right after the Nth operation's reply: each entry of
  // authDueAt is that N, compared with the operations answered so far, and the reply in that place
  // is the AUTH's, never an operation's.
  private opsTracked = 0;
  private opsReplied = 0;
  private readonly authDueAt: number[] = [];
  /** New credentials came while the handshake was on its way with the older ones. */
  private reauthWhenReady = false;
  private out: Buffer;
  private outStart = 0;
  private outPos = 0;
  private readonly slabBytes: number;
  /** Plain TCP only: the reused read buffer (TLS sockets deliver chunks as 'data' events). */
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);

  constructor(
    readonly index: number,
    readonly capacity: number,
    private readonly target: ConnectionTarget,
    private readonly owner: ConnectionOwner,
    private readonly maxCommandBytes: number,
    trackKeys = false,
  ) {
    this.keyOf = trackKeys ? new Float64Array(capacity) : null;
    this.intended = new Float64Array(capacity);
    this.sentAt = new Float64Array(capacity);
    this.commandOf = new Uint8Array(capacity);
    this.slabBytes = Math.max(SLAB_BYTES, maxCommandBytes * Math.min(capacity, 256) * 2);
    this.out = Buffer.allocUnsafe(this.slabBytes);
    this.onData = this.onData.bind(this);
    this.onRead = this.onRead.bind(this);
    this.onSocketError = this.onSocketError.bind(this);
    this.onClose = this.onClose.bind(this);
    this.onConnect = this.onConnect.bind(this);
  }

  get lastErrorKind(): string {
    return this.parser.lastErrorKind;
  }

  /** Send time of the oldest operation in flight, epoch ms (only meaningful when count > 0). */
  get oldestSentMs(): number {
    return this.sentAt[this.head];
  }

  connect(): void {
    const t = this.target;
    const socket = socketOpener.open(t, this.readBuffer, this.onRead);
    socket.setNoDelay(true);
    socket.on(t.tls ? "secureConnect" : "connect", this.onConnect);
    if (t.tls) socket.on("data", this.onData);
    socket.on("error", this.onSocketError);
    socket.on("close", this.onClose);
    this.socket = socket;
  }

  /**
   * Closes the socket as if the server had: in-flight operations are reported lost and the owner
   * reconnects (to a new address, after a failover).
   */
  dropConnection(): void {
    this.socket?.destroy();
  }

  /** Ends the connection on purpose; in-flight operations are reported by the caller. */
  destroy(): void {
    const socket = this.socket;
    if (socket === null) return;
    this.socket = null;
    this.up = false;
    this.count = 0;
    this.forgetAuth();
    this.parser.reset();
    socket.removeListener("close", this.onClose);
    socket.destroy();
  }

  /** Room for one more command in flight? */
  get hasRoom(): boolean {
    return this.count < this.capacity;
  }

  /**
   * Starts one operation: the engine has already written its bytes with writeCommand.
   * Times are epoch ms.
   */
  track(command: number, intendedMs: number, sentMs: number): void {
    let slot = this.head + this.count;
    if (slot >= this.capacity) slot -= this.capacity;
    this.intended[slot] = intendedMs;
    this.sentAt[slot] = sentMs;
    this.commandOf[slot] = command;
    this.count++;
    this.opsTracked++;
  }

  /** track() for routed engines: remembers the key too. */
  trackKeyed(command: number, intendedMs: number, sentMs: number, key: number): void {
    let slot = this.head + this.count;
    if (slot >= this.capacity) slot -= this.capacity;
    this.keyOf![slot] = key;
    this.track(command, intendedMs, sentMs);
  }

  /** The where and how of this connection (routed engines compare it with the topology). */
  get address(): ConnectionTarget {
    return this.target;
  }

  /** The last error reply's whole line (for MOVED/ASK targets). */
  lastErrorLine(): string {
    return this.parser.lastErrorLine();
  }

  /** The output slab and position for the engine to write a command into; room is guaranteed. */
  reserve(): Buffer {
    if (this.out.length - this.outPos < this.maxCommandBytes) {
      this.flush();
      // Nothing waiting in the socket: every write so far reached the kernel at once (Node keeps a
      // written slice only while a write is pending), so the slab can be written from its start
      // again. Otherwise the socket still holds slices of it: start a new one. Allocating a new
      // 64 KB slab each time one filled up was ~20 MB/s of external memory at 50×16, and it made V8
      // run full collections of several ms in the middle of the load.
      if (this.socket === null || this.socket.writableLength > 0)
        this.out = Buffer.allocUnsafe(this.slabBytes);
      this.outStart = 0;
      this.outPos = 0;
    }
    return this.out;
  }

  get writePosition(): number {
    return this.outPos;
  }

  set writePosition(pos: number) {
    this.outPos = pos;
  }

  flush(): void {
    if (this.outPos === this.outStart) return;
    const socket = this.socket;
    if (socket !== null) socket.write(this.out.subarray(this.outStart, this.outPos));
    this.outStart = this.outPos;
  }

  /** Drops what is in flight (after a timeout) and returns how many operations that was. */
  abandonInFlight(): number {
    const lost = this.count;
    this.count = 0;
    this.head = 0;
    return lost;
  }

  /** In-flight operations sent at or before `cutoffMs`, oldest first (they are in send order). */
  countSentBefore(cutoffMs: number): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) {
      let slot = this.head + i;
      if (slot >= this.capacity) slot -= this.capacity;
      if (this.sentAt[slot] > cutoffMs) break;
      n++;
    }
    return n;
  }

  onReply(status: number): void {
    if (this.handshakeLeft > 0) {
      this.handshakeLeft--;
      if (status === REPLY_ERROR) {
        const kind = this.parser.lastErrorKind;
        this.failHandshake(kind);
        return;
      }
      if (this.handshakeLeft === 0) this.ready();
      return;
    }
    if (this.authDueAt.length > 0 && this.authDueAt[0] === this.opsReplied) {
      this.authDueAt.shift();
      this.owner.onReauthReply(this, status === REPLY_ERROR ? this.parser.lastErrorKind : "");
      return;
    }
    if (this.count === 0) return; // a reply for an operation already given up on
    this.opsReplied++;
    const slot = this.head;
    this.head = slot + 1 === this.capacity ? 0 : slot + 1;
    this.count--;
    const command = this.commandOf[slot];
    if (this.keyOf !== null) {
      if (command === INTERNAL_COMMAND) return;
      this.replyKey = this.keyOf[slot];
    }
    this.owner.onOperationReply(this, command, this.intended[slot], this.sentAt[slot], status);
  }

  /**
   * Sends AUTH with the target's current credentials on the live socket, between operations, so a
   * token is renewed before it expires without closing anything. A connection that is down uses
   * them when it reconnects; one in the middle of its handshake sends them once it is ready.
   */
  reauthenticate(): void {
    const socket = this.socket;
    if (socket === null) return;
    if (!this.up) {
      this.reauthWhenReady = true;
      return;
    }
    // Operations already encoded go out first: the AUTH's reply is due after all of theirs.
    this.flush();
    this.authDueAt.push(this.opsTracked);
    socket.write(authCommand(this.target));
  }

  private forgetAuth(): void {
    this.opsTracked = 0;
    this.opsReplied = 0;
    this.authDueAt.length = 0;
    this.reauthWhenReady = false;
  }

  private onData(chunk: Buffer): void {
    this.onRead(chunk.length, chunk);
  }

  private onRead(length: number, chunk: Uint8Array): boolean {
    this.nowMs = epochNowMs();
    this.parser.parse(chunk, this, length);
    if (this.up) this.owner.afterReplies(this);
    this.flush();
    return true;
  }

  private onConnect(): void {
    const t = this.target;
    let handshake = "";
    let replies = 0;
    // The handshake carries the newest credentials; only a change after this point needs a re-AUTH.
    this.reauthWhenReady = false;
    if (t.password !== undefined) {
      handshake += authCommand(t);
      replies++;
    }
    if (t.db !== 0) {
      handshake += resp(["SELECT", String(t.db)]);
      replies++;
    }
    if (t.readOnly === true) {
      handshake += resp(["READONLY"]);
      replies++;
    }
    this.handshakeLeft = replies;
    if (replies > 0) this.socket?.write(handshake);
    else this.ready();
  }

  private ready(): void {
    this.up = true;
    this.downSinceMs = 0;
    this.reconnectAttempts = 0;
    this.head = 0;
    this.count = 0;
    const reauth = this.reauthWhenReady;
    this.forgetAuth();
    if (reauth) this.reauthenticate();
    const isReconnect = this.everConnected;
    this.everConnected = true;
    this.owner.onConnected(this, isReconnect);
    this.flush();
  }

  private failHandshake(kind: string): void {
    this.destroy();
    if (this.downSinceMs === 0) this.downSinceMs = epochNowMs();
    this.owner.onBroken(this, kind, 0);
  }

  private lastSocketErrorCode = "";

  private onSocketError(error: NodeJS.ErrnoException): void {
    this.lastSocketErrorCode = error.code ?? "connection-error";
  }

  private onClose(): void {
    const lost = this.count;
    const kind = this.lastSocketErrorCode !== "" ? this.lastSocketErrorCode : "connection-closed";
    this.lastSocketErrorCode = "";
    this.socket = null;
    this.up = false;
    this.count = 0;
    this.head = 0;
    this.forgetAuth();
    this.parser.reset();
    this.outStart = this.outPos;
    // A failed reconnect attempt does not restart the clock: it counts from when the link was lost.
    if (this.downSinceMs === 0) this.downSinceMs = epochNowMs();
    this.owner.onBroken(this, kind, lost);
  }
}

function authCommand(t: ConnectionTarget): string {
  const password = t.password ?? "";
  return t.username !== undefined ? resp(["AUTH", t.username, password]) : resp(["AUTH", password]);
}

/** RESP array of bulk strings, for the few handshake commands (not on the hot path). */
export function resp(args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return s;
}

export { REPLY_ERROR, REPLY_NIL };

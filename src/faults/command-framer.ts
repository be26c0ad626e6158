/**
 * Finds where each command starts in the client → server byte stream, so the fault proxy can drop
 * whole commands and leave the server a stream it can still parse. Only headers are walked byte by
 * byte (`*3\r\n$3\r\n`); payloads are skipped by their declared length, never scanned or copied.
 *
 * A stream that is not RESP (TLS records, garbage) turns the framer `opaque` for good: it stops
 * looking and every byte is kept, because a boundary guessed wrong would corrupt the stream.
 */

/** What happens to the bytes of one command. */
const KEEP = 0;
const DROP = 1;
/** The drop decision waits for the command's name (a `commands:` filter is set). */
const PENDING = 2;

// Parser states.
const AT_COMMAND = 0;
const ARRAY_COUNT = 1;
const BULK_TYPE = 2;
const BULK_LENGTH = 3;
const BULK_BODY = 4;
const INLINE = 5;
/** After the digits of a count or length: skipping the `\n` of `\r\n`. */
const HEADER_LF = 6;

const STAR = 42;
const DOLLAR = 36;
const CR = 13;
const LF = 10;
const SPACE = 32;
/** Command names longer than this are never matched by a filter (no Redis command is this long). */
const MAX_NAME_BYTES = 64;

/** Decides, once per command, whether it is dropped. `name` is upper-case ASCII, or "" when not needed. */
export interface DropDecider {
  /** True when the decision needs the command's name (a name filter is set). */
  readonly needsName: boolean;
  shouldDrop(name: string): boolean;
}

export interface FramedOutput {
  /** A run of kept bytes, in order; a subarray of the chunk (or of an earlier one) — never copied. */
  keep(bytes: Buffer): void;
  /** One whole command was dropped (counted once, when its fate is decided). */
  droppedCommand(): void;
  /** Bytes that were dropped. */
  droppedBytes(count: number): void;
}

const KEEP_ALL: DropDecider = { needsName: false, shouldDrop: () => false };

export class CommandFramer {
  /** True once the stream turned out not to be RESP; from then on nothing is framed. */
  opaque = false;
  private state = AT_COMMAND;
  private number = 0;
  private digits = 0;
  private argsLeft = 0;
  /** Payload bytes plus the trailing CRLF still to skip. */
  private bodyLeft = 0;
  private argIndex = 0;
  private afterHeader = BULK_TYPE;
  private fate = KEEP;
  private readonly name = Buffer.alloc(MAX_NAME_BYTES);
  private nameLength = 0;
  /** Bytes of a command whose fate waits for its name (it spans chunks). */
  private pending: Buffer[] = [];

  /**
   * Walks one chunk and hands the kept bytes to `out`. With no decider, every command is kept and
   * the chunk comes back whole (the framer only keeps its place in the stream).
   */
  frame(chunk: Buffer, decider: DropDecider | undefined, out: FramedOutput): void {
    if (this.opaque) {
      out.keep(chunk);
      return;
    }
    if (decider === undefined && this.fate === KEEP) {
      // The fast path while nothing is dropped: only keep our place in the stream.
      this.walk(chunk, undefined, undefined);
      out.keep(chunk);
      return;
    }
    // A command that was being dropped (or waited for its name) when drops were switched off is
    // finished the way it started, so the server never sees half of it.
    this.walk(chunk, decider ?? KEEP_ALL, out);
  }

  /**
   * Follows a chunk that is not forwarded command by command (dropped whole, or kept whole by a
   * chunk-granularity drop), so the framer still knows where the client's next command starts.
   */
  skip(chunk: Buffer): void {
    if (this.opaque) return;
    this.pending = [];
    this.walk(chunk, undefined, undefined);
  }

  /**
   * The core loop. `segmentStart` marks the first byte whose fate is the current command's; when the
   * fate changes (a new command starts, or a pending name becomes known) the run is handed out.
   */
  private walk(chunk: Buffer, decider: DropDecider | undefined, out: FramedOutput | undefined): void {
    const length = chunk.length;
    let pos = 0;
    let segmentStart = 0;
    while (pos < length) {
      switch (this.state) {
        case AT_COMMAND: {
          const byte = chunk[pos];
          if (byte === CR || byte === LF || byte === SPACE) {
            pos++; // Blank lines between commands are allowed and ignored by the server.
            continue;
          }
          if (out !== undefined) {
            this.emit(chunk, segmentStart, pos, out);
            segmentStart = pos;
          }
          this.startCommand(decider);
          if (byte === STAR) {
            this.state = ARRAY_COUNT;
            this.number = 0;
            this.digits = 0;
            pos++;
          } else if (byte >= 33 && byte < 127) {
            this.state = INLINE;
          } else {
            this.becomeOpaque(chunk, segmentStart, out);
            return;
          }
          break;
        }
        case ARRAY_COUNT:
        case BULK_LENGTH: {
          const byte = chunk[pos++];
          if (byte >= 48 && byte <= 57 && this.digits < 10) {
            this.number = this.number * 10 + (byte - 48);
            this.digits++;
          } else if (byte === CR && this.digits > 0) {
            if (this.state === ARRAY_COUNT) {
              this.argsLeft = this.number;
              this.afterHeader = this.number > 0 ? BULK_TYPE : AT_COMMAND;
            } else {
              this.bodyLeft = this.number + 2;
              this.afterHeader = BULK_BODY;
            }
            this.state = HEADER_LF;
          } else {
            this.becomeOpaque(chunk, segmentStart, out);
            return;
          }
          break;
        }
        case HEADER_LF: {
          if (chunk[pos++] !== LF) {
            this.becomeOpaque(chunk, segmentStart, out);
            return;
          }
          this.state = this.afterHeader;
          if (this.state === AT_COMMAND) segmentStart = this.commandEnded(chunk, segmentStart, pos, out);
          break;
        }
        case BULK_TYPE: {
          if (chunk[pos++] !== DOLLAR) {
            this.becomeOpaque(chunk, segmentStart, out);
            return;
          }
          this.state = BULK_LENGTH;
          this.number = 0;
          this.digits = 0;
          break;
        }
        case BULK_BODY: {
          const take = Math.min(this.bodyLeft, length - pos);
          if (this.argIndex === 0 && this.fate === PENDING) {
            // The name is the first argument; the CRLF after it is not part of it.
            this.collectName(chunk, pos, Math.min(take, Math.max(0, this.bodyLeft - 2)));
          }
          pos += take;
          this.bodyLeft -= take;
          if (this.bodyLeft === 0) {
            if (this.argIndex === 0 && this.fate === PENDING && out !== undefined) {
              segmentStart = this.decideByName(chunk, segmentStart, pos, decider!, out);
            }
            this.argIndex++;
            this.argsLeft--;
            this.state = this.argsLeft > 0 ? BULK_TYPE : AT_COMMAND;
            if (this.state === AT_COMMAND) segmentStart = this.commandEnded(chunk, segmentStart, pos, out);
          }
          break;
        }
        case INLINE: {
          const newline = chunk.indexOf(LF, pos);
          const end = newline < 0 ? length : newline + 1;
          if (this.fate === PENDING) {
            let stop = pos;
            while (stop < end && chunk[stop] !== SPACE && chunk[stop] !== CR && chunk[stop] !== LF) stop++;
            this.collectName(chunk, pos, stop - pos);
            if (stop < end && out !== undefined) {
              segmentStart = this.decideByName(chunk, segmentStart, stop, decider!, out);
            }
          }
          pos = end;
          if (newline >= 0) {
            if (this.fate === PENDING && out !== undefined) {
              segmentStart = this.decideByName(chunk, segmentStart, pos, decider!, out);
            }
            this.state = AT_COMMAND;
            segmentStart = this.commandEnded(chunk, segmentStart, pos, out);
          }
          break;
        }
      }
    }
    if (out !== undefined) this.emit(chunk, segmentStart, length, out);
  }

  private startCommand(decider: DropDecider | undefined): void {
    this.argIndex = 0;
    this.nameLength = 0;
    if (decider === undefined) this.fate = KEEP;
    else if (decider.needsName) this.fate = PENDING;
    else this.fate = decider.shouldDrop("") ? DROP : KEEP;
  }

  /** At the end of a command: hands out its last bytes; returns the new segment start. */
  private commandEnded(
    chunk: Buffer,
    segmentStart: number,
    pos: number,
    out: FramedOutput | undefined,
  ): number {
    if (out === undefined) return pos;
    if (this.fate === DROP) out.droppedCommand();
    this.emit(chunk, segmentStart, pos, out);
    this.fate = KEEP;
    return pos;
  }

  /** The name is known: settle the command's fate, releasing or discarding what waited. */
  private decideByName(
    chunk: Buffer,
    segmentStart: number,
    pos: number,
    decider: DropDecider,
    out: FramedOutput,
  ): number {
    const name = this.name.toString("latin1", 0, this.nameLength).toUpperCase();
    // The bytes of this chunk so far belong to the pending command too.
    if (pos > segmentStart) this.pending.push(chunk.subarray(segmentStart, pos));
    this.settle(decider.shouldDrop(name) ? DROP : KEEP, out);
    return pos;
  }

  private settle(fate: number, out: FramedOutput): void {
    this.fate = fate;
    for (const bytes of this.pending) {
      if (fate === KEEP) out.keep(bytes);
      else out.droppedBytes(bytes.length);
    }
    this.pending = [];
  }

  private collectName(chunk: Buffer, from: number, count: number): void {
    const room = MAX_NAME_BYTES - this.nameLength;
    const n = Math.min(room, count);
    if (n > 0) chunk.copy(this.name, this.nameLength, from, from + n);
    this.nameLength += n;
  }

  private emit(chunk: Buffer, from: number, to: number, out: FramedOutput): void {
    if (to <= from) return;
    if (this.fate === KEEP) out.keep(chunk.subarray(from, to));
    else if (this.fate === DROP) out.droppedBytes(to - from);
    else this.pending.push(chunk.subarray(from, to));
  }

  private becomeOpaque(chunk: Buffer, segmentStart: number, out: FramedOutput | undefined): void {
    this.opaque = true;
    if (out === undefined) return;
    // Whatever waited is kept: without framing there is no telling which command it belonged to.
    if (this.fate === PENDING) this.settle(KEEP, out);
    this.fate = KEEP;
    if (segmentStart < chunk.length) out.keep(chunk.subarray(segmentStart));
  }
}

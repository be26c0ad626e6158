/**
 * Counts RESP replies in a byte stream without building them.
 *
 * The load engine needs to know, per reply, only whether it was an error (and which kind) or a nil,
 * so this walks headers byte by byte, jumps over bulk payloads by their declared length, and keeps
 * its position in a few numeric fields so that a reply split across TCP chunks resumes where it
 * stopped. Nothing is allocated per reply except the error-kind string of an error reply.
 * RESP2 and the RESP3 scalar/aggregate types are understood, so a template command returning a map
 * does not desynchronise the stream.
 */

/** What a complete top-level reply was. */
export const REPLY_VALUE = 0;
export const REPLY_NIL = 1;
export const REPLY_ERROR = 2;

export interface ReplySink {
  /** Called once per complete top-level reply, in order. `status` is one of the REPLY_* constants. */
  onReply(status: number): void;
}

const CR = 13;
const MAX_DEPTH = 64;
const ERROR_KIND_MAX_BYTES = 32;
/** Enough of an error line for `MOVED 16383 [2001:db8::1]:6379` and `ASK ...` redirections. */
const ERROR_LINE_MAX_BYTES = 128;

// Where the parser is between two bytes.
const AT_TYPE = 0; // next byte is a type marker
const IN_NUMBER = 1; // reading the length/count/integer after `$ * : % ~ > = ! (`
const IN_LINE = 2; // skipping a simple line (`+`, `,`, `#`, `_`, `(` payloads)
const IN_ERROR = 3; // reading an error line, keeping its first word
const AWAIT_LF = 4; // saw CR at the end of a header line
const IN_PAYLOAD = 5; // skipping a bulk payload plus its CRLF

export class ReplyParser {
  /** The first word of the last error reply (`ERR`, `OOM`, `MOVED`, ...). */
  lastErrorKind = "";

  private state = AT_TYPE;
  private typeByte = 0;
  private number = 0;
  private negative = false;
  private payloadLeft = 0; // bytes of payload + CRLF still to skip
  private topIsError = false;
  private topIsNil = false;
  private readonly remaining = new Int32Array(MAX_DEPTH); // elements still expected per aggregate level
  private depth = 0;
  private readonly errorBytes = new Uint8Array(ERROR_LINE_MAX_BYTES);
  private errorLength = 0;
  private errorKindLength = 0;
  private errorWordDone = false;

  /** The last error reply's line (first 128 bytes), e.g. `MOVED 3999 127.0.0.1:6381`; built on demand. */
  lastErrorLine(): string {
    return Buffer.from(this.errorBytes.subarray(0, this.errorLength)).toString("latin1");
  }

  /** Forget any partial reply, after a reconnect. */
  reset(): void {
    this.state = AT_TYPE;
    this.depth = 0;
    this.payloadLeft = 0;
    this.topIsError = false;
    this.topIsNil = false;
  }

  /**
   * Feed one chunk (its first `length` bytes: a reused read buffer is longer than what was read);
   * calls sink.onReply for each reply it completes.
   */
  parse(chunk: Uint8Array, sink: ReplySink, length = chunk.length): void {
    let i = 0;
    while (i < length) {
      switch (this.state) {
        case IN_PAYLOAD: {
          const available = length - i;
          if (available < this.payloadLeft) {
            this.payloadLeft -= available;
            return;
          }
          i += this.payloadLeft;
          this.payloadLeft = 0;
          this.state = AT_TYPE;
          this.elementDone(sink);
          break;
        }
        case AT_TYPE: {
          const type = chunk[i++];
          this.typeByte = type;
          if (type === 45 /* - */) {
            this.state = IN_ERROR;
            this.errorLength = 0;
            this.errorKindLength = 0;
            this.errorWordDone = false;
          } else if (
            type === 36 /* $ */ ||
            type === 42 /* * */ ||
            type === 58 /* : */ ||
            type === 37 /* % */ ||
            type === 126 /* ~ */ ||
            type === 62 /* > */ ||
            type === 61 /* = */ ||
            type === 33 /* ! */ ||
            type === 124 /* | */
          ) {
            this.state = IN_NUMBER;
            this.number = 0;
            this.negative = false;
          } else {
            this.state = IN_LINE;
          }
          break;
        }
        case IN_NUMBER: {
          const b = chunk[i++];
          if (b === CR) {
            this.state = AWAIT_LF;
          } else if (b === 45 /* - */) {
            this.negative = true;
          } else {
            this.number = this.number * 10 + (b - 48);
          }
          break;
        }
        case IN_LINE: {
          // Scan for CR without looking at the content.
          const cr = chunk.indexOf(CR, i);
          if (cr === -1) return;
          i = cr + 1;
          this.state = AWAIT_LF;
          break;
        }
        case IN_ERROR: {
          const b = chunk[i++];
          if (b === CR) {
            this.state = AWAIT_LF;
          } else {
            if (!this.errorWordDone) {
              if (b === 32 || this.errorKindLength === ERROR_KIND_MAX_BYTES) this.errorWordDone = true;
              else this.errorKindLength++;
            }
            if (this.errorLength < ERROR_LINE_MAX_BYTES) this.errorBytes[this.errorLength++] = b;
          }
          break;
        }
        case AWAIT_LF: {
          i++; // the LF
          this.state = AT_TYPE;
          this.headerDone(sink);
          break;
        }
      }
    }
  }

  /** A header line (type byte + line) has ended; decide what follows. */
  private headerDone(sink: ReplySink): void {
    const type = this.typeByte;
    const n = this.negative ? -this.number : this.number;
    if (type === 36 || type === 61 || type === 33) {
      // Bulk string, verbatim string, blob error: a payload of n bytes follows, or nil when n < 0.
      if (this.depth === 0) {
        this.topIsNil = n < 0;
        this.topIsError = type === 33;
        if (type === 33) this.lastErrorKind = "ERR";
      }
      if (n >= 0) {
        this.payloadLeft = n + 2;
        this.state = IN_PAYLOAD;
        return;
      }
      this.elementDone(sink);
      return;
    }
    if (type === 42 || type === 37 || type === 126 || type === 62 || type === 124) {
      // Aggregates: a map or attribute holds 2n elements.
      const count = type === 37 || type === 124 ? n * 2 : n;
      if (this.depth === 0) {
        this.topIsNil = n < 0;
        this.topIsError = false;
      }
      if (count <= 0 || this.depth === MAX_DEPTH) {
        this.elementDone(sink);
        return;
      }
      this.remaining[this.depth++] = count;
      return;
    }
    if (type === 45) {
      if (this.depth === 0) {
        this.topIsError = true;
        this.topIsNil = false;
        this.lastErrorKind = Buffer.from(this.errorBytes.subarray(0, this.errorKindLength)).toString(
          "latin1",
        );
      }
      this.elementDone(sink);
      return;
    }
    // `+ : , # _ (` and anything else on one line.
    if (this.depth === 0) {
      this.topIsError = false;
      this.topIsNil = type === 95; /* _ */
    }
    this.elementDone(sink);
  }

  /** One element finished; close every aggregate it completes and report top-level replies. */
  private elementDone(sink: ReplySink): void {
    while (this.depth > 0) {
      const level = this.depth - 1;
      this.remaining[level]--;
      if (this.remaining[level] > 0) return;
      this.depth = level;
    }
    sink.onReply(this.topIsError ? REPLY_ERROR : this.topIsNil ? REPLY_NIL : REPLY_VALUE);
  }
}

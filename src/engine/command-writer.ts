import { type CommandTemplate, parseCommandTemplate } from "../config/command-template.js";
import type { CommandWeight } from "../config/types.js";
import type { RecordTypes } from "../workload/datasets/record-types.js";
import type { ValuePool } from "../workload/datasets/value-pool.js";
import type { UniformSource } from "../workload/key-chooser.js";
import { copyBytes } from "./copy-bytes.js";
import { writeDecimal } from "./resp-number.js";
import { TemplateWriter } from "./template-writer.js";

/**
 * Writes RESP commands straight into a connection's output buffer.
 *
 * Everything that does not change between operations (the array header, the command name, the
 * key prefix, the TTL tail) is encoded once here; per operation only the key digits, the value
 * length and the value bytes are written. Keys are zero-padded to a fixed width so every key of a
 * run has the same length, which also keeps the bulk header of the key constant.
 *
 * Values are a random slice of printable bytes, or, with a dataset pool, record `key mod pool size`
 * of the pool: the same key always holds the same record, so a value can be checked from its key.
 * Command templates (`HSET {key} f {value}`) are written by a TemplateWriter beside the built-in
 * SET and GET, which keep their own shorter path.
 */

export const COMMAND_SET = 0;
export const COMMAND_GET = 1;
export const COMMAND_TEMPLATE = 2;

export { writeDecimal };

export interface CommandWriterOptions {
  commands: CommandWeight[];
  prefix: string;
  keyMax: number;
  dataSizeMin: number;
  dataSizeMax: number;
  ttlS?: number;
  /** Lua sources by name, for {script:NAME} in templates. */
  scripts?: Record<string, string>;
}

/** What templates need beyond the options: the records' event types and where {seq} starts. */
export interface TemplateExtras {
  recordTypes?: RecordTypes;
  /** {seq} runs start, start + step, ...: distinct per thread when start and step are. */
  sequenceStart: number;
  sequenceStep: number;
}

/** Room left past the value pool's largest value, so a random start offset still fits. */
const VALUE_POOL_SLACK_BYTES = 4096;

export class CommandWriter {
  /** Command names in index order, as the server counts them (`SET`, `GET`). */
  readonly commandNames: string[];
  /** The largest number of bytes one command can take. */
  readonly maxCommandBytes: number;
  /** Key width in digits after the prefix. */
  readonly keyDigits: number;

  private readonly heads: Buffer[]; // per command index: `*N\r\n$3\r\nSET\r\n$<keyLen>\r\n<prefix>`
  private readonly kinds: Uint8Array; // per command index: COMMAND_SET, COMMAND_GET or COMMAND_TEMPLATE
  private readonly writes: Uint8Array; // per command index: 1 when it may write (goes to primaries)
  private readonly templates: TemplateWriter | undefined;
  private readonly mix: Uint8Array; // a cycle of command indices that follows the weights exactly
  private mixPosition = 0;
  private readonly ttlTail: Buffer;
  private readonly valuePool: Buffer;
  private readonly dataset: ValuePool | undefined;

  constructor(
    options: CommandWriterOptions,
    private readonly random: UniformSource,
    mixOffset = 0,
    /** Pre-encoded records to write as values instead of random bytes (the data sizes are then unused). */
    dataset?: ValuePool,
    extras: TemplateExtras = { sequenceStart: 0, sequenceStep: 1 },
  ) {
    this.dataset = dataset;
    this.keyDigits = String(Math.max(0, options.keyMax - 1)).length;
    const keyLength = Buffer.byteLength(options.prefix) + this.keyDigits;
    const withTtl = options.ttlS !== undefined;
    this.commandNames = options.commands.map((c) => c.name);
    const parsed = options.commands.map((c) => (c.template === undefined ? undefined : compiled(c.template)));
    this.kinds = Uint8Array.from(
      options.commands.map((c, i) =>
        parsed[i] !== undefined ? COMMAND_TEMPLATE : c.name === "SET" ? COMMAND_SET : COMMAND_GET,
      ),
    );
    this.writes = Uint8Array.from(
      options.commands.map((c, i) => ((parsed[i]?.isWrite ?? c.name === "SET") ? 1 : 0)),
    );
    this.heads = options.commands.map((c, i) => {
      if (parsed[i] !== undefined) return Buffer.alloc(0);
      const args = c.name === "SET" ? (withTtl ? 5 : 3) : 2;
      return Buffer.from(`*${args}\r\n$${c.name.length}\r\n${c.name}\r\n$${keyLength}\r\n${options.prefix}`);
    });
    this.ttlTail = withTtl
      ? Buffer.from(`$2\r\nEX\r\n$${String(options.ttlS).length}\r\n${options.ttlS}\r\n`)
      : Buffer.alloc(0);
    this.mix = weightedCycle(options.commands);
    this.mixPosition = mixOffset % this.mix.length;
    this.valuePool =
      dataset === undefined
        ? makeValuePool(options.dataSizeMax + VALUE_POOL_SLACK_BYTES, random)
        : Buffer.alloc(0);
    this.dataSizeMin = options.dataSizeMin;
    this.dataSizeSpan = options.dataSizeMax - options.dataSizeMin + 1;
    this.templates = parsed.some((t) => t !== undefined)
      ? new TemplateWriter(
          parsed,
          {
            prefix: options.prefix,
            keyDigits: this.keyDigits,
            dataSizeMin: options.dataSizeMin,
            dataSizeMax: options.dataSizeMax,
            valuePool: this.valuePool,
            valuePoolSlack: VALUE_POOL_SLACK_BYTES,
            dataset,
            recordTypes: extras.recordTypes,
            scripts: options.scripts,
            sequenceStart: extras.sequenceStart,
            sequenceStep: extras.sequenceStep,
          },
          random,
        )
      : undefined;
    const longestHead = Math.max(...this.heads.map((h) => h.length));
    const longestValue = dataset === undefined ? options.dataSizeMax : dataset.maxValueBytes;
    this.maxCommandBytes = Math.max(
      longestHead + this.keyDigits + 2 + 1 + 10 + 2 + longestValue + 2 + this.ttlTail.length,
      this.templates?.maxCommandBytes ?? 0,
    );
  }

  private readonly dataSizeMin: number;
  private readonly dataSizeSpan: number;

  /** The next command index of the weighted mix. */
  nextCommand(): number {
    const command = this.mix[this.mixPosition];
    this.mixPosition = this.mixPosition + 1 === this.mix.length ? 0 : this.mixPosition + 1;
    return command;
  }

  /** SET and every template not known to be read-only: such commands never go to a replica. */
  isWrite(command: number): boolean {
    return this.writes[command] === 1;
  }

  /**
   * The cluster slot of a template's key argument for key number `key`; -1 for SET and GET (whose
   * key is the prefix and the digits) and for a template without a key argument.
   */
  templateSlotOf(command: number, key: number): number {
    return this.kinds[command] === COMMAND_TEMPLATE ? this.templates!.slotOf(command, key) : -1;
  }

  /**
   * Writes one command at `pos` and returns the position after it. The caller guarantees room.
   * Kept small, with the value in a method of its own, so the engine's send loop can inline it:
   * measured, a longer body here cost SET/GET about 15 % of the writer's time per operation.
   */
  write(out: Buffer, pos: number, command: number, key: number): number {
    const kind = this.kinds[command];
    if (kind === COMMAND_TEMPLATE) return this.templates!.write(out, pos, command, key);
    const head = this.heads[command];
    out.set(head, pos);
    pos += head.length;
    // Key digits, right to left, zero padded.
    const digitsEnd = pos + this.keyDigits;
    for (let i = digitsEnd - 1, k = key; i >= pos; i--) {
      out[i] = 48 + (k % 10);
      k = Math.floor(k / 10);
    }
    pos = digitsEnd;
    out[pos++] = 13;
    out[pos++] = 10;
    if (kind !== COMMAND_SET) return pos;
    if (this.dataset !== undefined) return this.writeRecord(out, pos, key, this.dataset);
    return this.writeRandomValue(out, pos);
  }

  /** A random slice of the value pool as the value bulk string, then the TTL tail. */
  private writeRandomValue(out: Buffer, pos: number): number {
    const length =
      this.dataSizeSpan === 1
        ? this.dataSizeMin
        : this.dataSizeMin + Math.floor(this.random.next() * this.dataSizeSpan);
    out[pos++] = 36; // $
    pos += writeDecimal(out, pos, length);
    out[pos++] = 13;
    out[pos++] = 10;
    const start = Math.floor(this.random.next() * VALUE_POOL_SLACK_BYTES);
    copyBytes(this.valuePool, start, out, pos, length);
    pos += length;
    out[pos++] = 13;
    out[pos++] = 10;
    return this.writeTail(out, pos);
  }

  /** The value bulk string of record `key mod count`, then the TTL tail. */
  private writeRecord(out: Buffer, pos: number, key: number, dataset: ValuePool): number {
    const index = key % dataset.count;
    const start = dataset.offsets[index];
    const end = dataset.offsets[index + 1];
    out[pos++] = 36; // $
    pos += writeDecimal(out, pos, end - start);
    out[pos++] = 13;
    out[pos++] = 10;
    copyBytes(dataset.bytes, start, out, pos, end - start);
    pos += end - start;
    out[pos++] = 13;
    out[pos++] = 10;
    return this.writeTail(out, pos);
  }

  private writeTail(out: Buffer, pos: number): number {
    if (this.ttlTail.length > 0) {
      out.set(this.ttlTail, pos);
      pos += this.ttlTail.length;
    }
    return pos;
  }
}

/**
 * Spreads the commands over a cycle as evenly as the weights allow (1:10 gives one SET every 11
 * operations rather than a random draw), so the mix of every run and every connection is exact.
 */
export function weightedCycle(commands: CommandWeight[]): Uint8Array {
  const weights = commands.map((c) => Math.max(0, Math.round(c.weight)));
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) throw new Error("command weights must add up to more than 0");
  const cycle = new Uint8Array(total);
  const credit = weights.map(() => 0);
  for (let slot = 0; slot < total; slot++) {
    // Smooth weighted round robin: the command furthest behind its share goes next.
    let best = 0;
    for (let c = 0; c < weights.length; c++) {
      credit[c] += weights[c];
      if (credit[c] > credit[best]) best = c;
    }
    credit[best] -= total;
    cycle[slot] = best;
  }
  return cycle;
}

/** A template the config stage accepted; a template that fails here was never validated. */
function compiled(text: string): CommandTemplate {
  const parsed = parseCommandTemplate(text);
  if (parsed.problems !== undefined)
    throw new Error(`command template "${text}": ${parsed.problems.join("; ")}`);
  return parsed.template;
}

/** Printable random bytes, so values are readable in redis-cli and not trivially compressible. */
function makeValuePool(size: number, random: UniformSource): Buffer {
  const pool = Buffer.allocUnsafe(size);
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  for (let i = 0; i < size; i++) pool[i] = alphabet.charCodeAt(Math.floor(random.next() * alphabet.length));
  return pool;
}

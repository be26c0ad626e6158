import { createHash } from "node:crypto";
import type { CommandTemplate, TemplatePart } from "../config/command-template.js";
import type { RecordTypes } from "../workload/datasets/record-types.js";
import type { ValuePool } from "../workload/datasets/value-pool.js";
import type { UniformSource } from "../workload/key-chooser.js";
import { copyBytes } from "./copy-bytes.js";
import { slotOfBytes } from "./key-slot.js";
import { decimalDigits, writeDecimal } from "./resp-number.js";

/**
 * Writes command templates (`HSET {key} f {value}`) as RESP. Each template is compiled once into a
 * short program: runs of literal bytes (array header, command name, fixed arguments with their
 * `$len` headers, the prefix) pre-encoded into one Buffer each, and steps for what changes per
 * operation (key digits, value, random number, sequence, event type). An argument whose length
 * varies gets a step that writes its `$len` header from the lengths chosen for this operation, so
 * the hot path copies and writes digits but never builds a string or an object.
 */

const STEP_BYTES = 0; // copy chunks[step]
const STEP_ARG_HEAD = 1; // `$<len>\r\n`: fixedBytes[step] plus the variable parts counted for the step
const STEP_KEY = 2; // the key number's digits, zero padded
const STEP_VALUE = 3;
const STEP_RAND = 4;
const STEP_SEQ = 5;
const STEP_TYPE = 6;

/** `{rand}` is below this: the full range of a 32-bit unsigned integer. */
const RAND_LIMIT = 4294967296;
/** Enough digits for any {seq} a run reaches (Number.MAX_SAFE_INTEGER has 16). */
const SEQ_MAX_DIGITS = 16;
const SHA1_HEX_BYTES = 40;

export interface TemplateSources {
  prefix: string;
  keyDigits: number;
  dataSizeMin: number;
  dataSizeMax: number;
  /** Random printable bytes that {value} is cut from when there is no dataset. */
  valuePool: Buffer;
  /** How far into valuePool a value may start. */
  valuePoolSlack: number;
  dataset?: ValuePool;
  recordTypes?: RecordTypes;
  /** Lua source by name; {script:NAME} becomes its SHA1. */
  scripts?: Record<string, string>;
  /** {seq} of this writer: start, start + step, start + 2 step ... */
  sequenceStart: number;
  sequenceStep: number;
}

/** One compiled template: parallel arrays indexed by step. */
class Program {
  readonly steps: Uint8Array;
  readonly chunks: Buffer[];
  readonly fixedBytes: Int32Array;
  readonly values: Uint8Array;
  readonly rands: Uint8Array;
  readonly seqs: Uint8Array;
  readonly types: Uint8Array;
  constructor(b: ProgramBuilder) {
    b.flush();
    this.steps = Uint8Array.from(b.steps);
    this.chunks = b.chunks;
    this.fixedBytes = Int32Array.from(b.fixed);
    this.values = Uint8Array.from(b.counts.map((c) => c[0]));
    this.rands = Uint8Array.from(b.counts.map((c) => c[1]));
    this.seqs = Uint8Array.from(b.counts.map((c) => c[2]));
    this.types = Uint8Array.from(b.counts.map((c) => c[3]));
  }
}

class ProgramBuilder {
  steps: number[] = [];
  chunks: Buffer[] = [];
  fixed: number[] = [];
  counts: number[][] = [];
  private pending: Buffer[] = [];

  bytes(b: Buffer | string): void {
    this.pending.push(typeof b === "string" ? Buffer.from(b) : b);
  }

  step(kind: number, fixed = 0, counts = [0, 0, 0, 0]): void {
    this.flush();
    this.push(kind, Buffer.alloc(0), fixed, counts);
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const chunk = Buffer.concat(this.pending);
    this.pending = [];
    this.push(STEP_BYTES, chunk, 0, [0, 0, 0, 0]);
  }

  private push(kind: number, chunk: Buffer, fixed: number, counts: number[]): void {
    this.steps.push(kind);
    this.chunks.push(chunk);
    this.fixed.push(fixed);
    this.counts.push(counts);
  }
}

export class TemplateWriter {
  /** The largest number of bytes one template command can take. */
  readonly maxCommandBytes: number;
  private readonly programs: (Program | undefined)[];
  /** Per command: the program of its key argument's bytes alone (for the cluster slot), if it has one. */
  private readonly keyPrograms: (Program | undefined)[];
  private readonly usesValue: Uint8Array;
  private readonly usesRand: Uint8Array;
  private readonly usesSeq: Uint8Array;
  private readonly usesType: Uint8Array;
  private readonly keyScratch: Buffer;
  private sequence: number;

  // What the current operation chose; set at the start of write().
  private valueSource: Buffer;
  private valueStart = 0;
  private valueLength = 0;
  private rand = 0;
  private randDigits = 1;
  private seq = 0;
  private seqDigits = 1;
  private type: Buffer;

  constructor(
    templates: readonly (CommandTemplate | undefined)[],
    private readonly sources: TemplateSources,
    private readonly random: UniformSource,
  ) {
    const prefix = Buffer.from(sources.prefix);
    const shas = new Map(
      Object.entries(sources.scripts ?? {}).map(([name, lua]) => [
        name,
        createHash("sha1").update(lua).digest("hex"),
      ]),
    );
    const maxValue = sources.dataset?.maxValueBytes ?? sources.dataSizeMax;
    const maxType = Math.max(0, ...(sources.recordTypes?.names.map((n) => n.length) ?? []));
    const fixedOf = (part: TemplatePart): number => {
      switch (part.kind) {
        case "text":
          return Buffer.byteLength(part.text);
        case "key":
          return prefix.length + sources.keyDigits;
        case "prefix":
          return prefix.length;
        case "script":
          return SHA1_HEX_BYTES;
        default:
          return 0;
      }
    };
    const compile = (parts: TemplatePart[], b: ProgramBuilder) => {
      for (const part of parts) {
        switch (part.kind) {
          case "text":
            b.bytes(part.text);
            break;
          case "prefix":
            b.bytes(prefix);
            break;
          case "key":
            b.bytes(prefix);
            b.step(STEP_KEY);
            break;
          case "script":
            b.bytes(shas.get(part.name) ?? "0".repeat(SHA1_HEX_BYTES));
            break;
          case "value":
            b.step(STEP_VALUE);
            break;
          case "rand":
            b.step(STEP_RAND);
            break;
          case "seq":
            b.step(STEP_SEQ);
            break;
          case "type":
            b.step(STEP_TYPE);
            break;
        }
      }
    };
    let maxBytes = 0;
    this.programs = templates.map((t) => {
      if (t === undefined) return undefined;
      const b = new ProgramBuilder();
      b.bytes(`*${t.args.length}\r\n`);
      let bytes = 16;
      for (const parts of t.args) {
        const fixed = parts.reduce((sum, p) => sum + fixedOf(p), 0);
        const counts = ["value", "rand", "seq", "type"].map((k) => parts.filter((p) => p.kind === k).length);
        if (counts.every((n) => n === 0)) b.bytes(`$${fixed}\r\n`);
        else b.step(STEP_ARG_HEAD, fixed, counts);
        compile(parts, b);
        b.bytes("\r\n");
        bytes +=
          16 +
          fixed +
          counts[0] * maxValue +
          counts[1] * 10 +
          counts[2] * SEQ_MAX_DIGITS +
          counts[3] * maxType;
      }
      maxBytes = Math.max(maxBytes, bytes);
      return new Program(b);
    });
    let maxKeyBytes = 0;
    this.keyPrograms = templates.map((t) => {
      if (t === undefined || t.keyArg < 0) return undefined;
      const b = new ProgramBuilder();
      compile(t.args[t.keyArg], b);
      maxKeyBytes = Math.max(
        maxKeyBytes,
        t.args[t.keyArg].reduce((sum, p) => sum + fixedOf(p) + (p.kind === "type" ? maxType : 0), 0),
      );
      return new Program(b);
    });
    const uses = (kind: TemplatePart["kind"]) =>
      Uint8Array.from(templates.map((t) => (t?.uses.has(kind as never) ? 1 : 0)));
    this.usesValue = uses("value");
    this.usesRand = uses("rand");
    this.usesSeq = uses("seq");
    this.usesType = uses("type");
    this.keyScratch = Buffer.alloc(maxKeyBytes);
    this.maxCommandBytes = maxBytes;
    this.sequence = sources.sequenceStart;
    this.valueSource = sources.valuePool;
    this.type = Buffer.alloc(0);
  }

  /** Writes template `command` for key number `key` at `pos`; returns the position after it. */
  write(out: Buffer, pos: number, command: number, key: number): number {
    const program = this.programs[command]!;
    this.choose(command, key);
    const steps = program.steps;
    for (let s = 0; s < steps.length; s++) pos = this.writeStep(program, s, out, pos, key);
    return pos;
  }

  /**
   * The cluster slot of template `command`'s first key argument for key number `key`, or -1 when
   * the template has none. The key argument holds no random part, so a redirected operation sent
   * again names the same key.
   */
  slotOf(command: number, key: number): number {
    const program = this.keyPrograms[command];
    if (program === undefined) return -1;
    if (this.usesType[command] === 1) this.chooseType(key);
    let pos = 0;
    for (let s = 0; s < program.steps.length; s++)
      pos = this.writeStep(program, s, this.keyScratch, pos, key);
    return slotOfBytes(this.keyScratch, 0, pos);
  }

  /** Draws this operation's value, number, sequence and type, in the order the template needs them. */
  private choose(command: number, key: number): void {
    const s = this.sources;
    if (this.usesValue[command] === 1) {
      const dataset = s.dataset;
      if (dataset !== undefined) {
        // The same record as SET writes for this key: record `key mod pool size`.
        const index = key % dataset.count;
        this.valueSource = dataset.bytes;
        this.valueStart = dataset.offsets[index];
        this.valueLength = dataset.offsets[index + 1] - this.valueStart;
      } else {
        const span = s.dataSizeMax - s.dataSizeMin + 1;
        this.valueLength = span === 1 ? s.dataSizeMin : s.dataSizeMin + Math.floor(this.random.next() * span);
        this.valueStart = Math.floor(this.random.next() * s.valuePoolSlack);
      }
    }
    if (this.usesRand[command] === 1) {
      this.rand = Math.floor(this.random.next() * RAND_LIMIT);
      this.randDigits = decimalDigits(this.rand);
    }
    if (this.usesSeq[command] === 1) {
      this.seq = this.sequence;
      this.sequence += s.sequenceStep;
      this.seqDigits = decimalDigits(this.seq);
    }
    if (this.usesType[command] === 1) this.chooseType(key);
  }

  private chooseType(key: number): void {
    const types = this.sources.recordTypes!;
    this.type = types.names[types.typeOf[key % types.typeOf.length]];
  }

  private writeStep(program: Program, s: number, out: Buffer, pos: number, key: number): number {
    switch (program.steps[s]) {
      case STEP_BYTES: {
        const chunk = program.chunks[s];
        out.set(chunk, pos);
        return pos + chunk.length;
      }
      case STEP_ARG_HEAD: {
        const length =
          program.fixedBytes[s] +
          program.values[s] * this.valueLength +
          program.rands[s] * this.randDigits +
          program.seqs[s] * this.seqDigits +
          program.types[s] * this.type.length;
        out[pos++] = 36; // $
        pos += writeDecimal(out, pos, length);
        out[pos++] = 13;
        out[pos++] = 10;
        return pos;
      }
      case STEP_KEY: {
        const end = pos + this.sources.keyDigits;
        for (let i = end - 1, k = key; i >= pos; i--) {
          out[i] = 48 + (k % 10);
          k = Math.floor(k / 10);
        }
        return end;
      }
      case STEP_VALUE:
        copyBytes(this.valueSource, this.valueStart, out, pos, this.valueLength);
        return pos + this.valueLength;
      case STEP_RAND:
        return pos + writeDecimal(out, pos, this.rand);
      case STEP_SEQ:
        return pos + writeDecimal(out, pos, this.seq);
      case STEP_TYPE:
        out.set(this.type, pos);
        return pos + this.type.length;
    }
    return pos;
  }
}

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CommandWeight } from "../../../src/config/types.js";
import { CommandWriter, weightedCycle, writeDecimal } from "../../../src/engine/command-writer.js";

/*
 * The exact RESP bytes CommandWriter produces. Expected commands are built here by a plain RESP
 * encoder from their arguments, so each case compares the writer with an independent encoding.
 * Template encoding in depth is in template-writer.test.ts.
 */

/** RESP array of bulk strings, the way any client encodes a command. */
function resp(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/**
 * A random source whose draws are known: while the writer fills its value pool it returns
 * (i mod 62 + 0.5) / 62, so pool byte i is ALPHABET[i mod 62]; afterwards it returns the queued
 * draws in order.
 */
class KnownDraws {
  private i = 0;
  readonly queue: number[] = [];
  next(): number {
    const queued = this.queue.shift();
    if (queued !== undefined) return queued;
    return ((this.i++ % 62) + 0.5) / 62;
  }
}

/** Pool bytes [start, start + length) of a writer built with KnownDraws. */
function poolSlice(start: number, length: number): string {
  let s = "";
  for (let i = start; i < start + length; i++) s += ALPHABET[i % 62];
  return s;
}

interface Options {
  commands: CommandWeight[];
  keyMax?: number;
  prefix?: string;
  size?: [number, number];
  ttlS?: number;
}

function writer(o: Options, draws = new KnownDraws(), mixOffset = 0) {
  const w = new CommandWriter(
    {
      commands: o.commands,
      prefix: o.prefix ?? "cs:",
      keyMax: o.keyMax ?? 1000,
      dataSizeMin: o.size?.[0] ?? 4,
      dataSizeMax: o.size?.[1] ?? 4,
      ttlS: o.ttlS,
    },
    draws,
    mixOffset,
  );
  return { w, draws };
}

function written(w: CommandWriter, command: number, key: number): string {
  const out = Buffer.alloc(w.maxCommandBytes);
  const end = w.write(out, 0, command, key);
  return out.subarray(0, end).toString("latin1");
}

const SET: CommandWeight = { name: "SET", weight: 1 };
const GET: CommandWeight = { name: "GET", weight: 1 };

describe("CommandWriter: RESP bytes of built-in commands", () => {
  const cases: {
    what: string;
    o: Options;
    command: number;
    key: number;
    draws: number[];
    expected: string;
  }[] = [
    {
      what: "GET of key 7 with keyMax 1000: three digits, zero padded",
      o: { commands: [GET] },
      command: 0,
      key: 7,
      draws: [],
      expected: resp("GET", "cs:007"),
    },
    {
      what: "GET with keyMax 1001: four digits",
      o: { commands: [GET], keyMax: 1001 },
      command: 0,
      key: 1000,
      draws: [],
      expected: resp("GET", "cs:1000"),
    },
    {
      what: "GET with keyMax 1: one digit, key 0",
      o: { commands: [GET], keyMax: 1, prefix: "" },
      command: 0,
      key: 0,
      draws: [],
      expected: resp("GET", "0"),
    },
    {
      what: "SET of a fixed-size value: the pool from the drawn start (0.25 × 4096 = 1024)",
      o: { commands: [SET], size: [4, 4] },
      command: 0,
      key: 42,
      draws: [0.25],
      expected: resp("SET", "cs:042", poolSlice(1024, 4)),
    },
    {
      what: "SET of a size drawn from 1..100 (1 + ⌊0.5 × 100⌋ = 51) at start ⌊0.5 × 4096⌋",
      o: { commands: [SET], size: [1, 100] },
      command: 0,
      key: 5,
      draws: [0.5, 0.5],
      expected: resp("SET", "cs:005", poolSlice(2048, 51)),
    },
    {
      what: "SET with a TTL: EX and the seconds after the value",
      o: { commands: [SET], ttlS: 3600 },
      command: 0,
      key: 999,
      draws: [0],
      expected: resp("SET", "cs:999", poolSlice(0, 4), "EX", "3600"),
    },
    {
      what: "a multi-byte prefix counts in bytes in the key's length",
      o: { commands: [GET], prefix: "é:" },
      command: 0,
      key: 3,
      draws: [],
      expected: Buffer.from(resp("GET", "é:003")).toString("latin1"),
    },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const { w, draws } = writer(c.o);
      draws.queue.push(...c.draws);
      assert.equal(written(w, c.command, c.key), c.expected);
    });
  }

  it("names the commands in index order, as the server counts them", () => {
    assert.deepEqual(writer({ commands: [SET, GET] }).w.commandNames, ["SET", "GET"]);
  });

  it("SET writes, GET reads (a replica may serve GET only)", () => {
    const { w } = writer({ commands: [SET, GET] });
    assert.deepEqual([w.isWrite(0), w.isWrite(1)], [true, false]);
  });
});

describe("CommandWriter: templates beside SET and GET", () => {
  it("each command index writes its own shape; the template's {key} uses the same key width", () => {
    const commands: CommandWeight[] = [
      SET,
      GET,
      { name: "HSET", weight: 1, template: "HSET {key} field {value}" },
    ];
    const { w, draws } = writer({ commands, size: [3, 3] });
    draws.queue.push(0);
    assert.equal(written(w, 0, 12), resp("SET", "cs:012", poolSlice(0, 3)));
    assert.equal(written(w, 1, 12), resp("GET", "cs:012"));
    const hset = written(w, 2, 12);
    const args = parseOne(hset);
    assert.deepEqual(args.slice(0, 3), ["HSET", "cs:012", "field"]);
    assert.equal(args[3].length, 3);
    assert.equal(hset, resp(...args), "well-formed RESP");
    assert.equal(w.isWrite(2), true);
  });

  it("a read-only template (HGET) is not a write", () => {
    const { w } = writer({ commands: [{ name: "HGET", weight: 1, template: "HGET {key} field" }] });
    assert.equal(written(w, 0, 1), resp("HGET", "cs:001", "field"));
    assert.equal(w.isWrite(0), false);
  });
});

describe("CommandWriter: pipelines and room", () => {
  it("commands written back to back are the concatenation of each one alone", () => {
    const commands = [SET, GET];
    const { w, draws } = writer({ commands, size: [2, 9], ttlS: 5 });
    const keys = [0, 1, 998, 999, 500];
    // Each SET draws its size, then its start in the pool.
    const sizes = [0.1, 0.9, 0.5, 0.0, 0.7];
    const out = Buffer.alloc(w.maxCommandBytes * keys.length * 2);
    let pos = 0;
    let expected = "";
    keys.forEach((key, i) => {
      draws.queue.push(sizes[i], 0.01 * i);
      pos = w.write(out, pos, 0, key);
      pos = w.write(out, pos, 1, key);
      const length = 2 + Math.floor(sizes[i] * 8);
      const start = Math.floor(0.01 * i * 4096);
      expected += resp("SET", `cs:${String(key).padStart(3, "0")}`, poolSlice(start, length), "EX", "5");
      expected += resp("GET", `cs:${String(key).padStart(3, "0")}`);
    });
    assert.equal(out.subarray(0, pos).toString("latin1"), expected);
  });

  it("maxCommandBytes is enough for the largest command, and it is written at the very end of a buffer", () => {
    const { w, draws } = writer({ commands: [SET], size: [1, 5000], keyMax: 1_000_000, ttlS: 86400 });
    // The largest value (draw just under 1) at the furthest start.
    draws.queue.push(0.99999999, 0.99999999);
    const largest = resp("SET", "cs:999999", poolSlice(4095, 5000), "EX", "86400");
    assert.ok(w.maxCommandBytes >= largest.length, `${w.maxCommandBytes} < ${largest.length}`);
    // Written at the last position that leaves maxCommandBytes: nothing past the buffer's end.
    const out = Buffer.alloc(w.maxCommandBytes + 100);
    const end = w.write(out, 100, 0, 999_999);
    assert.ok(end <= out.length);
    assert.equal(out.subarray(100, end).toString("latin1"), largest);
  });
});

describe("CommandWriter: the command mix", () => {
  it("follows the weights exactly over each cycle: SET 1, GET 10 gives one SET per 11", () => {
    const { w } = writer({ commands: [SET, { name: "GET", weight: 10 }] });
    const picks = Array.from({ length: 110 }, () => w.nextCommand());
    assert.equal(picks.filter((c) => c === 0).length, 10);
    // The cycle repeats every 11 operations.
    for (let i = 11; i < 110; i++) assert.equal(picks[i], picks[i - 11]);
  });

  it("spreads commands evenly: weights 2:1:1 never give the same minority command twice in a row", () => {
    const cycle = [...weightedCycle([{ name: "A", weight: 2 } as unknown as CommandWeight, GET, SET])];
    assert.equal(cycle.length, 4);
    assert.deepEqual(
      [0, 1, 2].map((c) => cycle.filter((x) => x === c).length),
      [2, 1, 1],
    );
    for (let i = 0; i < 8; i++) assert.ok(!(cycle[i % 4] !== 0 && cycle[i % 4] === cycle[(i + 1) % 4]));
  });

  it("a mix offset starts the same cycle further on (connections do not move in step)", () => {
    const commands = [SET, GET, { name: "GET", weight: 3 } as CommandWeight];
    const base = writer({ commands }).w;
    const shifted = writer({ commands }, new KnownDraws(), 2).w;
    const a = Array.from({ length: 12 }, () => base.nextCommand());
    const b = Array.from({ length: 10 }, () => shifted.nextCommand());
    assert.deepEqual(b, a.slice(2));
  });

  it("weights that add up to 0 are refused", () => {
    assert.throws(() => weightedCycle([{ name: "SET", weight: 0 }]), /more than 0/);
  });
});

describe("writeDecimal", () => {
  for (const n of [0, 7, 10, 99, 1234, 4294967295, 9007199254740991]) {
    it(`${n}`, () => {
      const out = Buffer.alloc(32, 0x2e);
      const length = writeDecimal(out, 3, n);
      assert.equal(out.subarray(3, 3 + length).toString("latin1"), String(n));
      assert.equal(out[3 + length], 0x2e, "writes nothing past its digits");
    });
  }
});

/** The arguments of one RESP array of bulk strings. */
function parseOne(text: string): string[] {
  const lines = text.split("\r\n");
  const count = Number(lines[0].slice(1));
  const args: string[] = [];
  for (let i = 0; i < count; i++) args.push(lines[2 + 2 * i]);
  return args;
}

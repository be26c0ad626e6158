import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CommandFramer, type DropDecider, type FramedOutput } from "../../../src/faults/command-framer.js";

function resp(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
}

const dropNamed = (...names: string[]): DropDecider => ({
  needsName: true,
  shouldDrop: (name) => names.includes(name),
});
const dropEvery = (n: number): DropDecider => {
  let i = 0;
  return { needsName: false, shouldDrop: () => ++i % n === 0 };
};

function collect(): FramedOutput & { kept: Buffer[]; commands: number; bytes: number } {
  const out = {
    kept: [] as Buffer[],
    commands: 0,
    bytes: 0,
    keep(b: Buffer) {
      out.kept.push(b);
    },
    droppedCommand() {
      out.commands++;
    },
    droppedBytes(n: number) {
      out.bytes += n;
    },
  };
  return out;
}

/** Feeds `stream` in pieces cut at `cuts` and returns what was kept as text. */
function run(stream: string, cuts: number[], decider: () => DropDecider | undefined) {
  const framer = new CommandFramer();
  const out = collect();
  const bytes = Buffer.from(stream, "latin1");
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    framer.frame(Buffer.from(bytes.subarray(from, cut)), decider(), out);
    from = cut;
  }
  return { text: Buffer.concat(out.kept).toString("latin1"), out, framer };
}

const STREAM = [
  resp("SET", "k:1", "v".repeat(40)),
  resp("GET", "k:1"),
  resp("set", "k:2", "x\r\ny"),
  "PING\r\n",
  resp("GET", "k:2"),
].join("");

describe("CommandFramer", () => {
  it("keeps every byte and allocates nothing when nothing is dropped", () => {
    const { text, out } = run(STREAM, [3, 20, 21, 70], () => undefined);
    assert.equal(text, STREAM);
    assert.equal(out.commands, 0);
  });

  it("drops only the named commands, wherever the chunks are cut", () => {
    const expected = [resp("GET", "k:1"), "PING\r\n", resp("GET", "k:2")].join("");
    const decider = dropNamed("SET");
    // Every single cut point, and every pair of cut points 7 bytes apart.
    for (let cut = 1; cut < STREAM.length; cut++) {
      for (const cuts of [[cut], cut + 7 < STREAM.length ? [cut, cut + 7] : [cut]]) {
        const { text, out } = run(STREAM, cuts, () => decider);
        assert.equal(text, expected, `cuts ${cuts}`);
        assert.equal(out.commands, 2, `cuts ${cuts}`);
        assert.equal(out.bytes, STREAM.length - expected.length, `cuts ${cuts}`);
      }
    }
  });

  it("drops every n-th command by chance and keeps the rest whole", () => {
    const decider = dropEvery(2);
    const { text, out } = run(STREAM, [5, 50], () => decider);
    assert.equal(out.commands, 2);
    assert.equal(
      text,
      [resp("SET", "k:1", "v".repeat(40)), resp("set", "k:2", "x\r\ny"), resp("GET", "k:2")].join(""),
    );
  });

  it("inline commands are framed by line and matched by their first word", () => {
    const stream = "PING\r\nset a b\r\nGET a\r\n";
    const { text, out } = run(stream, [8], () => dropNamed("SET"));
    assert.equal(text, "PING\r\nGET a\r\n");
    assert.equal(out.commands, 1);
  });

  it("finishes a command the way it started when drops are switched off half-way", () => {
    const set = resp("SET", "k", "value");
    const stream = set + resp("GET", "k");
    let calls = 0;
    const { text } = run(stream, [set.length - 4], () => (calls++ === 0 ? dropNamed("SET") : undefined));
    assert.equal(text, resp("GET", "k"));
  });

  it("turns opaque on a stream that is not RESP and then keeps everything", () => {
    const tls = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]).toString("latin1");
    const { text, framer } = run(tls + resp("SET", "k", "v"), [2], () => dropNamed("SET"));
    assert.equal(framer.opaque, true);
    assert.equal(text, tls + resp("SET", "k", "v"));
  });

  it("skip() follows the stream so a later drop starts on a command boundary", () => {
    const framer = new CommandFramer();
    const out = collect();
    const first = resp("SET", "a", "1234567890");
    framer.skip(Buffer.from(first.slice(0, 10), "latin1"));
    framer.skip(Buffer.from(first.slice(10), "latin1"));
    framer.frame(Buffer.from(resp("SET", "b", "2") + resp("GET", "b"), "latin1"), dropNamed("SET"), out);
    assert.equal(Buffer.concat(out.kept).toString("latin1"), resp("GET", "b"));
  });
});

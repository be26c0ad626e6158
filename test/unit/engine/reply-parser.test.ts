import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { REPLY_ERROR, REPLY_NIL, REPLY_VALUE, ReplyParser } from "../../../src/engine/reply-parser.js";

/** Feeds `wire` to a fresh parser in chunks of `chunk` bytes; returns the statuses reported. */
function parse(wire: string, chunk = wire.length): { statuses: number[]; lastError: string } {
  const parser = new ReplyParser();
  const statuses: number[] = [];
  const bytes = Buffer.from(wire, "latin1");
  for (let i = 0; i < bytes.length; i += chunk)
    parser.parse(bytes.subarray(i, i + chunk), { onReply: (s) => statuses.push(s) });
  return { statuses, lastError: parser.lastErrorKind };
}

// The replies the commands of templates get, as Redis 7 writes them (RESP2).
const REPLIES: [string, string, number[]][] = [
  ["integer (HSET, LPUSH, ZADD)", ":1\r\n", [REPLY_VALUE]],
  ["bulk (XADD id)", "$15\r\n1700000000000-0\r\n", [REPLY_VALUE]],
  ["nil array (BRPOP / XREADGROUP BLOCK timeout)", "*-1\r\n", [REPLY_NIL]],
  ["BRPOP pair", "*2\r\n$5\r\np:001\r\n$3\r\nabc\r\n", [REPLY_VALUE]],
  ["empty array (ZRANGE of nothing)", "*0\r\n", [REPLY_VALUE]],
  [
    "XREADGROUP: streams > entries > id + field list",
    "*1\r\n*2\r\n$3\r\np:s\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nv\r\n$1\r\nx\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nv\r\n$2\r\nyz\r\n",
    [REPLY_VALUE],
  ],
  [
    "XREADGROUP of a deleted entry (nil field list)",
    "*1\r\n*2\r\n$3\r\np:s\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*-1\r\n",
    [REPLY_VALUE],
  ],
  ["EVALSHA returning a nested table", "*3\r\n:1\r\n*2\r\n+OK\r\n$-1\r\n*0\r\n", [REPLY_VALUE]],
  ["error", "-NOSCRIPT No matching script. Please use EVAL.\r\n", [REPLY_ERROR]],
  [
    "WRONGTYPE error",
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    [REPLY_ERROR],
  ],
  ["an error inside an array is not the reply's error", "*2\r\n+OK\r\n-ERR x\r\n", [REPLY_VALUE]],
  [
    "a mix, in order",
    ":1\r\n*-1\r\n$-1\r\n-ERR no\r\n*2\r\n*1\r\n:1\r\n*0\r\n+OK\r\n",
    [REPLY_VALUE, REPLY_NIL, REPLY_NIL, REPLY_ERROR, REPLY_VALUE, REPLY_VALUE],
  ],
];

describe("ReplyParser: every reply kind templates get", () => {
  for (const [name, wire, expected] of REPLIES) {
    it(name, () => {
      for (const chunk of [wire.length, 7, 3, 1]) {
        assert.deepEqual(parse(wire, chunk).statuses, expected, `chunks of ${chunk} bytes`);
      }
    });
  }

  it("keeps the error kind of the last top-level error", () => {
    assert.equal(parse("-NOSCRIPT No matching script\r\n", 2).lastError, "NOSCRIPT");
  });
});

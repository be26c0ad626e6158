import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keyArgumentIndexes } from "../../../src/config/command-rules.js";
import { parseCommandTemplate } from "../../../src/config/command-template.js";
import { judgeScript, judgeTemplate, keysFromServer } from "../../../src/run/key-guard.js";

/** The tool's own table only: what the guard decides when the server will not answer COMMAND GETKEYS. */
const tableOnly = keysFromServer(undefined);
const PREFIX = "run:";

describe("key positions from the words alone", () => {
  const cases: [string, number[]][] = [
    ["MSET run:0 v victim:1 v", [1, 3]],
    ["RENAME run:0 victim:1", [1, 2]],
    ["COPY run:0 victim:1", [1, 2]],
    ["SINTERSTORE victim:1 run:0 run:1", [1, 2, 3]],
    ["BITOP AND victim:1 run:0", [2, 3]],
    ["GEOSEARCHSTORE victim:1 run:0 FROMLONLAT 0 0 BYRADIUS 1 km", [1, 2]],
    ["SORT run:0 STORE victim:1", [1, 3]],
    ["ZUNIONSTORE victim:1 2 run:0 run:1", [1, 3, 4]],
    ["EVAL return(1) 2 run:0 run:1 arg", [3, 4]],
    ["BRPOP run:0 run:1 0.01", [1, 2]],
    ["HSET run:0 f v", [1]],
  ];
  for (const [text, expected] of cases)
    it(text, () => {
      const words = text.split(" ");
      assert.deepEqual(keyArgumentIndexes(words[0], words), expected);
    });
});

describe("command templates that name keys outside the prefix are refused when parsed", () => {
  const escaping = [
    "MSET {key} v victim:1 v",
    "RENAME {key} victim:1",
    "COPY {key} victim:1",
    "COPY {key} {prefix}x DB 1",
    "SINTERSTORE victim:1 {key}",
    "SORT {key} STORE victim:1",
    "SORT {key} BY victim:*",
    "GEOSEARCHSTORE victim:1 {key} FROMLONLAT 0 0 BYRADIUS 1 km",
    "BITOP AND victim:1 {key}",
    "DEL {key} victim:1",
  ];
  for (const text of escaping)
    it(text, () => assert.notEqual(parseCommandTemplate(text).problems, undefined, text));
  it("SORT on the run's keys with BY {prefix}... and GET # is accepted", () =>
    assert.equal(parseCommandTemplate("SORT {key} BY {prefix}w:* GET # STORE {key}:s").problems, undefined));
});

describe("judgeScript: a script's keys must come from KEYS", () => {
  const cases: { source: string; escapes: number; unproven: number }[] = [
    { source: "return redis.call('INCR', KEYS[1])", escapes: 0, unproven: 0 },
    { source: "return redis.call('SET', KEYS[1] .. ':n', ARGV[1])", escapes: 0, unproven: 0 },
    { source: "return redis.call('MSET', KEYS[1], 'a', KEYS[2], 'b')", escapes: 0, unproven: 0 },
    { source: "return redis.call('TIME')", escapes: 0, unproven: 0 },
    { source: "return redis.call('FLUSHALL')", escapes: 1, unproven: 0 },
    { source: "return redis.call('SELECT', 1)", escapes: 1, unproven: 0 },
    { source: "return redis.call('KEYS', '*')", escapes: 1, unproven: 0 },
    { source: "return redis.call('DEL', 'victim:1')", escapes: 1, unproven: 0 },
    { source: "return redis.call('MSET', KEYS[1], 'a', 'victim:1', 'b')", escapes: 1, unproven: 0 },
    { source: "return redis.call('DEL', ARGV[1])", escapes: 0, unproven: 1 },
    { source: "return redis.call('RENAME', KEYS[1], ARGV[1])", escapes: 0, unproven: 1 },
    { source: "local c = redis.call; return c('FLUSHALL')", escapes: 0, unproven: 1 },
    { source: "return redis.call(ARGV[1], KEYS[1])", escapes: 0, unproven: 1 },
  ];
  for (const c of cases)
    it(c.source, async () => {
      const judged = await judgeScript("s", c.source, PREFIX, tableOnly);
      assert.equal(judged.escapes.length, c.escapes, judged.escapes.join("; "));
      assert.equal(judged.unproven.length, c.unproven, judged.unproven.join("; "));
    });
});

describe("judgeTemplate", () => {
  const judge = async (text: string, scripts?: Record<string, string>) => {
    const parsed = parseCommandTemplate(text, Object.keys(scripts ?? {}));
    assert.ok(parsed.template, parsed.problems?.join("; "));
    return judgeTemplate(parsed.template, PREFIX, scripts, tableOnly);
  };
  it("EVAL with an inline FLUSHALL is an escape", async () => {
    const j = await judge("EVAL return(redis.call('FLUSHALL')) 0");
    assert.equal(j.escapes.length, 1);
  });
  it("EVAL whose body deletes a literal key is an escape", async () => {
    const j = await judge("EVAL return(redis.call('DEL','victim:1')) 0");
    assert.match(j.escapes.join(), /victim:1/);
  });
  it("FCALL cannot be proven; a literal EVALSHA digest cannot either", async () => {
    assert.equal((await judge("FCALL f 1 {key}")).unproven.length, 1);
    assert.equal((await judge(`EVALSHA ${"a".repeat(40)} 1 {key}`)).unproven.length, 1);
  });
  it("a command the table does not know, with no server to ask, is unproven", async () => {
    const j = await judge("JSON.SET {key} $ 1");
    assert.equal(j.unproven.length, 1);
    assert.equal(j.escapes.length, 0);
  });
  it("plain templates on the run's keys pass", async () => {
    for (const text of [
      "HSET {key} f {value}",
      "XADD {prefix}s * v {value}",
      "LMOVE {key} {key}:b LEFT RIGHT",
    ]) {
      const j = await judge(text);
      assert.deepEqual([j.escapes, j.unproven], [[], []], text);
    }
  });
});

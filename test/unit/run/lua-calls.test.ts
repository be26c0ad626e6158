import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isRunKeyExpression, literalValue, readLuaCalls } from "../../../src/run/lua-calls.js";

describe("readLuaCalls: what a script calls, from its text", () => {
  const cases: { source: string; calls: { command?: string; args: string[] }[]; hidden: number }[] = [
    {
      source: "return redis.call('INCR', KEYS[1])",
      calls: [{ command: "INCR", args: ["KEYS[1]"] }],
      hidden: 0,
    },
    { source: "return(redis.call('FLUSHALL'))", calls: [{ command: "FLUSHALL", args: [] }], hidden: 0 },
    {
      source: 'redis.pcall("DEL", "victim:1") -- redis.call("FLUSHALL") in a comment',
      calls: [{ command: "DEL", args: ['"victim:1"'] }],
      hidden: 0,
    },
    { source: "--[[ redis.call('FLUSHDB') ]] return 1", calls: [], hidden: 0 },
    { source: "local s = [[redis.call('FLUSHDB')]] return s", calls: [], hidden: 0 },
    {
      source: "redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))",
      calls: [{ command: "SET", args: ["KEYS[1]", "ARGV[1]", "'EX'", "tonumber(ARGV[2])"] }],
      hidden: 0,
    },
    // A computed or escaped name is not a name the guard can judge.
    { source: "redis.call('FLUSH'..'ALL')", calls: [{ command: undefined, args: [] }], hidden: 0 },
    { source: "redis.call('FLUSH\\65LL')", calls: [{ command: undefined, args: [] }], hidden: 0 },
    // Ways to call a command the text does not show.
    { source: "local c = redis.call; c('FLUSHALL')", calls: [], hidden: 1 },
    { source: "redis['call']('FLUSHALL')", calls: [], hidden: 1 },
    { source: "local r = redis; r.call('FLUSHALL')", calls: [], hidden: 1 },
    { source: "loadstring(ARGV[1])()", calls: [], hidden: 1 },
    { source: "_G['redis'].call('FLUSHALL')", calls: [], hidden: 1 },
  ];
  for (const c of cases)
    it(c.source, () => {
      const reading = readLuaCalls(c.source);
      assert.deepEqual(reading.calls, c.calls);
      assert.equal(reading.hidden.length, c.hidden, reading.hidden.join("; "));
    });
});

describe("isRunKeyExpression: only KEYS[i], possibly with text appended", () => {
  const cases: [string, boolean][] = [
    ["KEYS[1]", true],
    ["KEYS[i]", true],
    ["KEYS[1]..':suffix'", true],
    ["KEYS[1] .. ARGV[1]", true],
    ["KEYS[1]..'a' and 'victim:1'", false],
    ["ARGV[1]", false],
    ["'victim:1'", false],
    ["k", false],
    ["'x'..KEYS[1]", false],
  ];
  for (const [expression, expected] of cases)
    it(`${expression} → ${expected}`, () => assert.equal(isRunKeyExpression(expression), expected));
});

describe("literalValue", () => {
  const cases: [string, string | undefined][] = [
    ["'victim:1'", "victim:1"],
    ['"a"', "a"],
    ["12", "12"],
    ["ARGV[1]", undefined],
    ["'a\\65'", undefined],
  ];
  for (const [expression, expected] of cases)
    it(expression, () => assert.equal(literalValue(expression), expected));
});

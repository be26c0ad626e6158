import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commandLabels, parseCommandTemplate } from "../../../src/config/command-template.js";
import { commandFlagRule } from "../../../src/config/field-rules.js";
import { calledCommands, templateProblems } from "../../../src/config/template-rules.js";

describe("parseCommandTemplate: accepted templates", () => {
  const cases: [string, { name: string; keyArg: number; isWrite: boolean; args: number }][] = [
    ["HSET {key} f {value}", { name: "HSET", keyArg: 1, isWrite: true, args: 4 }],
    ["hset {key} f {value}", { name: "HSET", keyArg: 1, isWrite: true, args: 4 }],
    ["ZADD {prefix}board {rand} m{seq}", { name: "ZADD", keyArg: 1, isWrite: true, args: 4 }],
    ["BRPOP {key} 1", { name: "BRPOP", keyArg: 1, isWrite: true, args: 3 }],
    [
      "XADD {prefix}events:{type} MAXLEN ~ 100000 * event {value}",
      { name: "XADD", keyArg: 1, isWrite: true, args: 8 },
    ],
    [
      "XREADGROUP GROUP g c COUNT 10 STREAMS {prefix}s >",
      { name: "XREADGROUP", keyArg: 7, isWrite: true, args: 9 },
    ],
    ["EVALSHA {script:put} 1 {key} {value}", { name: "EVALSHA", keyArg: 3, isWrite: true, args: 5 }],
    ["XGROUP CREATE {key} g $ MKSTREAM", { name: "XGROUP|CREATE", keyArg: 2, isWrite: true, args: 6 }],
    ["XINFO STREAM {key}", { name: "XINFO|STREAM", keyArg: 2, isWrite: false, args: 3 }],
    ["HGETALL {key}", { name: "HGETALL", keyArg: 1, isWrite: false, args: 2 }],
    ["PING", { name: "PING", keyArg: -1, isWrite: false, args: 1 }],
    ["  GET   {key}  ", { name: "GET", keyArg: 1, isWrite: false, args: 2 }],
  ];
  for (const [text, expected] of cases) {
    it(text, () => {
      const parsed = parseCommandTemplate(text, ["put"]);
      assert.equal(parsed.problems, undefined, parsed.problems?.join("; "));
      const t = parsed.template!;
      assert.deepEqual({ name: t.name, keyArg: t.keyArg, isWrite: t.isWrite, args: t.args.length }, expected);
    });
  }

  it("splits a word into text and placeholders", () => {
    const t = parseCommandTemplate("XADD {prefix}events:{type} * m{seq}-{rand}").template!;
    assert.deepEqual(t.args[1], [{ kind: "prefix" }, { kind: "text", text: "events:" }, { kind: "type" }]);
    assert.deepEqual(t.args[3], [
      { kind: "text", text: "m" },
      { kind: "seq" },
      { kind: "text", text: "-" },
      { kind: "rand" },
    ]);
    assert.deepEqual([...t.uses].sort(), ["prefix", "rand", "seq", "type"]);
  });
});

describe("parseCommandTemplate: rejected templates, every problem named", () => {
  const cases: [string, RegExp[]][] = [
    ["", [/a command/]],
    ["   ", [/a command/]],
    ["HSET {key} f {val}", [/a known placeholder .*not \{val\}/]],
    ["HSET {key} f {value", [/a "\{" with no "\}"/]],
    ["HSET {key} f value}", [/a "\}" with no "\{"/]],
    ["FLUSHALL", [/not FLUSHALL: it changes, stops or empties the server/]],
    ["flushdb", [/not FLUSHDB/]],
    ["KEYS *", [/not KEYS: it reads or names keys outside/]],
    ["CONFIG SET maxmemory 1", [/not CONFIG\|SET|not CONFIG/]],
    ["SHUTDOWN NOSAVE", [/not SHUTDOWN/]],
    ["DEBUG SLEEP 1", [/not DEBUG/]],
    ["SCRIPT FLUSH", [/not SCRIPT\|FLUSH/]],
    ["SELECT 2", [/not SELECT: it changes the connection's state/]],
    ["SUBSCRIBE {key}", [/not SUBSCRIBE/]],
    ["XGROUP {key}", [/XGROUP with its subcommand/]],
    ["HSET mykey f {value}", [/argument 1 of HSET \("mykey"\) is a key/]],
    ["EVALSHA abc 2 {key} other", [/argument 4 of EVALSHA \("other"\) is a key/]],
    ["XREADGROUP GROUP g c STREAMS stream >", [/argument 5 of XREADGROUP \("stream"\) is a key/]],
    ["SET x:{key} v", [/\{key\} at the start of its argument/, /argument 1 of SET/]],
    ["HSET {key}:{rand} f v", [/a key argument .* built from \{key\} or \{prefix\}/]],
    ["{key} f", [/the command name as plain text/]],
    ["EVALSHA {script:missing} 1 {key}", [/naming a script of the scenario's scripts/]],
  ];
  for (const [text, patterns] of cases) {
    it(JSON.stringify(text), () => {
      const problems = parseCommandTemplate(text, ["put"]).problems;
      assert.ok(problems !== undefined, `accepted ${text}`);
      for (const p of patterns)
        assert.ok(
          problems.some((x) => p.test(x)),
          `${p} not in ${problems.join(" | ")}`,
        );
    });
  }

  it("reports several problems of one template at once", () => {
    const problems = parseCommandTemplate("HSET {key} {foo} {bar}").problems!;
    assert.equal(problems.length, 2);
  });
});

describe("--command TEMPLATE:WEIGHT", () => {
  it("takes the weight after the last colon", () => {
    assert.deepEqual(commandFlagRule.parse("HSET {key} f {value}:3"), {
      name: "HSET",
      weight: 3,
      template: "HSET {key} f {value}",
    });
    assert.deepEqual(commandFlagRule.parse("XADD {prefix}s:1 * v {value}:2"), {
      name: "XADD",
      weight: 2,
      template: "XADD {prefix}s:1 * v {value}",
    });
  });
  it("rejects a missing or zero weight, and explains a bad template", () => {
    assert.equal(commandFlagRule.parse("HSET {key} f {value}"), undefined);
    assert.equal(commandFlagRule.parse("HSET {key} f {value}:0"), undefined);
    assert.equal(commandFlagRule.parse("FLUSHALL:1"), undefined);
    assert.match(commandFlagRule.explain!("FLUSHALL:1")!, /not FLUSHALL/);
  });
});

describe("labels and run-level template checks", () => {
  it("labels: the name, then -2, -3 for repeats; explicit labels kept", () => {
    assert.deepEqual(
      commandLabels([
        { name: "SET" },
        { name: "XADD" },
        { name: "XADD" },
        { name: "XADD", label: "posts" },
        { name: "XGROUP|CREATE" },
      ]),
      ["SET", "XADD", "XADD-2", "POSTS", "XGROUP.CREATE"],
    );
  });

  it("{type} needs the firehose dataset; scripts must exist; scripts must not call what the run sends", () => {
    const problems = templateProblems(
      [
        { name: "SET", weight: 1 },
        { name: "XADD", weight: 1, template: "XADD {prefix}e:{type} * v {value}" },
        { name: "EVALSHA", weight: 1, template: "EVALSHA {script:nope} 1 {key}" },
      ],
      { put: "return redis.call('SET', KEYS[1], ARGV[1])" },
      "payments",
    );
    assert.deepEqual(
      problems.map((p) => p.key),
      ["commands", "commands", "scripts"],
    );
    assert.match(problems[0].allowed, /\{type\} with a dataset .*firehose.*payments/);
    assert.match(problems[1].allowed, /naming a script .*: put/);
    assert.match(problems[2].allowed, /does not call SET/);
  });

  it("finds the commands a script calls by literal name", () => {
    assert.deepEqual(calledCommands("redis.call('SET', KEYS[1]) ; redis.pcall( \"incr\" , KEYS[1])"), [
      "SET",
      "INCR",
    ]);
  });
});

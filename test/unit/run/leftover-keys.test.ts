import assert from "node:assert/strict";
import { test } from "node:test";
import { prefixTooBroad } from "../../../src/run/leftover-keys.js";

test("prefixTooBroad: refuses what could select someone else's keys, accepts a run's prefix", () => {
  const table: [string, RegExp | undefined][] = [
    ["", /empty prefix would select every key/],
    ["*", /matched literally/],
    ["app:*", /matched literally/],
    ["a?b:", /matched literally/],
    ["[ab]:", /matched literally/],
    ["my app:", /no spaces/],
    ["ab", /shorter than 3/],
    ["::", /shorter than 3/],
    ["app", /"app" would also select keys such as "appx\.\.\."/],
    ["session", /end it with a separator/],
    ["app:", undefined],
    ["app/", undefined],
    ["app:{tag}", undefined],
    ["sessions", undefined],
    ["cachestress:1a2b3c4d:", undefined],
  ];
  for (const [prefix, expected] of table) {
    const problem = prefixTooBroad(prefix);
    if (expected === undefined) assert.equal(problem, undefined, JSON.stringify(prefix));
    else assert.match(problem ?? "", expected, JSON.stringify(prefix));
  }
});

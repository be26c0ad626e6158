import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cleanupUrl } from "../../../src/run/key-isolation.js";
import { prefixTakenText, shellWord } from "../../../src/run/prefix-guard.js";

describe("the printed cleanup command never carries a password", () => {
  const cases: [string, string][] = [
    ["redis://127.0.0.1:6379", "redis://127.0.0.1:6379"],
    ["redis://:s3cret@h:1", "redis://h:1"],
    ["rediss://loader:s3cret@h:6380/2", "rediss://loader@h:6380/2"],
    ["redis+sentinel://:s3cret@h:26379,h2:26380/mymaster", "redis+sentinel://h:26379,h2:26380/mymaster"],
  ];
  for (const [url, expected] of cases) it(url, () => assert.equal(cleanupUrl(url), expected));
});

describe("shellWord: a prefix pasted into a shell stays one word", () => {
  const cases: [string, string][] = [
    ["cachestress:1a2b3c4d:", "cachestress:1a2b3c4d:"],
    ["app:{tag}:", "'app:{tag}:'"],
    ["it's*", `'it'\\''s*'`],
  ];
  for (const [prefix, expected] of cases) it(prefix, () => assert.equal(shellWord(prefix), expected));
});

describe("prefixTakenText names the prefix and the count", () => {
  it("exact count", () =>
    assert.match(prefixTakenText("app", { keys: 100, partial: false }), /100 keys already exist under app/));
  it("count stopped at its budget", () =>
    assert.match(prefixTakenText("app", { keys: 5000, partial: true }), /at least 5000 keys/));
  it("one key", () => assert.match(prefixTakenText("a:", { keys: 1, partial: false }), /1 key already/));
});

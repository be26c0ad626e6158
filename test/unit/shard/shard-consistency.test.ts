import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunResult } from "../../../src/result/result-types.js";
import { checkShardSet } from "../../../src/shard/check-shards.js";
import { MergeInputError } from "../../../src/shard/merge-error.js";
import { mergeShardResults } from "../../../src/shard/merge-results.js";
import { shardConsistencyProblems } from "../../../src/shard/shard-consistency.js";
import { input, latenciesUs, shardResult } from "./shard-fixture.js";

function twoShards(): RunResult[] {
  return [0, 1].map((index) =>
    shardResult({ index, count: 2, setUs: latenciesUs(100, index), getUs: latenciesUs(300, 10 + index) }),
  );
}

describe("a shard's result must agree with itself before it is merged", () => {
  it("an untouched shard has no problem", () => {
    for (const r of twoShards()) assert.deepEqual(shardConsistencyProblems("s.json", r), []);
  });

  const tampered: [string, (r: RunResult) => void, RegExp[]][] = [
    [
      "ops ×10 and errors −5",
      (r) => {
        r.totals.ops *= 10;
        r.perCommand.GET.ops *= 10;
        r.perCommand.GET.errors = -5;
      },
      [
        /perCommand\.GET\.errors -5 \| a count/,
        /totals\.ops \d+ \| the sum of perCommand ops/,
        /histograms\.latencyUs\.all holding 400 values \| one value per operation: totals\.ops is 4000/,
        /histograms\.latencyUs\.GET holding 300 values \| one value per operation: perCommand\.GET\.ops is 3000/,
      ],
    ],
    [
      "a corrupted histogram",
      (r) => {
        r.histograms.latencyUs.SET = "HISTFAAAAB3not-base64!!";
      },
      [/histograms\.latencyUs\.SET "HISTFAAAAB3not-base64!!" \| an HDR histogram as cachestress writes it/],
    ],
    [
      "more errors than replies, a fractional count",
      (r) => {
        r.perCommand.SET.errors = r.perCommand.SET.ops + 1;
        r.totals.reconnects = 1.5;
      },
      [
        /totals\.reconnects 1\.5 \| a count/,
        /perCommand\.SET\.errors 101 \| at most perCommand\.SET\.ops \(100\)/,
      ],
    ],
  ];
  for (const [name, edit, expected] of tampered) {
    it(`${name}: refused, naming the file and the field`, () => {
      const [a, b] = twoShards();
      edit(b);
      const problems = checkShardSet([input(a, "a.json"), input(b, "b.json")]);
      const lines = problems.map((p) => `${p.field}: ${String(p.value)} | ${p.allowed}`);
      assert.equal(lines.length, expected.length, lines.join("\n"));
      for (const [i, pattern] of expected.entries()) {
        assert.ok(lines[i].startsWith("b.json: "), lines[i]);
        assert.match(lines[i], pattern);
      }
      assert.throws(
        () => mergeShardResults([input(a, "a.json"), input(b, "b.json")], "1"),
        (error: unknown) => error instanceof MergeInputError && /b\.json/.test(error.message),
      );
    });
  }
});

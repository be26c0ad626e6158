import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseResultText, readShardResults } from "../../../src/shard/read-results.js";
import { makeRunResult } from "../reports/fixture.js";

test("parseResultText: a result file, a pod log with the --json line among the summary, and what is not one", () => {
  const result = makeRunResult();
  const line = JSON.stringify(result);
  const cases: [string, string, unknown][] = [
    ["pretty JSON file", JSON.stringify(result, null, 2), result.scenario],
    [
      "kubectl logs",
      `cachestress: started\nlatency (ms)\n{ not json\n${line}\nreport: /results/x.json\n`,
      result.scenario,
    ],
    ["no JSON", "cachestress: cannot reach cache:6379\n", "no JSON result in it"],
    [
      "other JSON",
      '{"hello": 1}\n{"tool": {"name": "k6"}}\n',
      "JSON lines, none of them a cachestress result",
    ],
    ["two results", `${line}\n${line}\n`, "2 results in one log (one pod's log holds one)"],
    ["other schema", JSON.stringify({ ...result, schemaVersion: 2 }), "result schema 2"],
  ];
  for (const [what, text, expected] of cases) {
    const parsed = parseResultText(text);
    assert.equal(typeof parsed === "string" ? parsed : parsed.scenario, expected, what);
  }
});

test("readShardResults names every file it cannot use and keeps the rest", async () => {
  const dir = await mkdtemp(join(tmpdir(), "cachestress-read-"));
  const good = join(dir, "good.json");
  const bad = join(dir, "bad.log");
  await writeFile(good, JSON.stringify(makeRunResult()));
  await writeFile(bad, "Error from server (NotFound): pods not found\n");
  const missing = join(dir, "missing.json");
  const { inputs, problems } = await readShardResults([good, bad, missing]);
  assert.deepEqual(
    inputs.map((i) => i.file),
    [good],
  );
  assert.deepEqual(
    problems.map((p) => [p.field, p.value]),
    [
      [bad, "no JSON result in it"],
      [missing, undefined],
    ],
  );
  assert.match(problems[1].allowed, /ENOENT/);
});

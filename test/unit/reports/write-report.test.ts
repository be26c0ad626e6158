import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  reportBaseName,
  reportTimestamp,
  sanitizeEnv,
  writeReports,
} from "../../../src/reports/write-report.js";
import type { RunResult } from "../../../src/result/result-types.js";
import { FIXTURE_SECRET, makeConfig, makeRunResult } from "./fixture.js";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "cachestress-reports-"));
  dirs.push(dir);
  return dir;
}
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("report naming", () => {
  const timestamps: Array<[iso: string, expected: string]> = [
    ["2026-11-25T09:15:00.123Z", "20261125T091500Z"],
    ["2026-11-25T09:15:00Z", "20261125T091500Z"],
    ["2026-11-25T10:15:00+01:00", "20261125T091500Z"],
    ["2026-01-02T03:04:05.999Z", "20260102T030405Z"],
    ["garbage", "unknown-time"],
    ["2026/13/45 99:99", "202613459999"],
  ];
  for (const [iso, expected] of timestamps) {
    it(`timestamp ${iso} → ${expected}`, () => assert.equal(reportTimestamp(iso), expected));
  }

  const envs: Array<[env: string, expected: string]> = [
    ["local", "local"],
    ["eu-west_1", "eu-west_1"],
    ["eu/prod 1", "eu_prod_1"],
    ["../../etc", "______etc"],
    ["", "unknown"],
    ["préprod", "pr_prod"],
  ];
  for (const [env, expected] of envs) {
    it(`env ${JSON.stringify(env)} → ${expected}`, () => assert.equal(sanitizeEnv(env), expected));
  }

  it("builds result_{env}_{timestamp}", () => {
    assert.equal(reportBaseName(makeRunResult({ env: "staging" })), "result_staging_20261125T091500Z");
  });
});

describe("writeReports", () => {
  it("creates the directory and writes pretty JSON and Markdown with one base name", async () => {
    const outDir = join(await tempDir(), "nested", "Reports");
    const result = makeRunResult();
    const paths = await writeReports(result, outDir);
    assert.equal(paths.jsonPath, join(outDir, "result_local_20261125T091500Z.json"));
    assert.equal(paths.markdownPath, join(outDir, "result_local_20261125T091500Z.md"));
    const json = await readFile(paths.jsonPath, "utf8");
    assert.ok(json.startsWith('{\n  "schemaVersion": 1,\n  "tool": {\n    "name": "cachestress"'));
    assert.ok(json.endsWith("}\n"));
    assert.deepEqual(JSON.parse(json) as RunResult, result);
    assert.ok(
      (await readFile(paths.markdownPath, "utf8")).startsWith("# cachestress: baseline (local), PASS"),
    );
  });

  it("adds -2, -3 when the name is taken, and leaves no temporary file", async () => {
    const outDir = await tempDir();
    const result = makeRunResult();
    const names: string[] = [];
    for (let i = 0; i < 3; i++) names.push((await writeReports(result, outDir)).jsonPath);
    assert.deepEqual(
      names.map((p) => p.slice(outDir.length + 1)),
      [
        "result_local_20261125T091500Z.json",
        "result_local_20261125T091500Z-2.json",
        "result_local_20261125T091500Z-3.json",
      ],
    );
    const files = (await readdir(outDir)).sort();
    assert.equal(files.length, 9, "JSON, Markdown and HTML, three times");
    assert.ok(files.every((f) => !f.endsWith(".tmp")));
  });

  it("keeps the set together when only the .md name is taken", async () => {
    const outDir = await tempDir();
    await writeFile(join(outDir, "result_local_20261125T091500Z.md"), "someone else's notes");
    const paths = await writeReports(makeRunResult(), outDir);
    assert.ok(paths.jsonPath.endsWith("result_local_20261125T091500Z-2.json"));
    assert.ok(paths.markdownPath.endsWith("result_local_20261125T091500Z-2.md"));
    assert.equal(
      await readFile(join(outDir, "result_local_20261125T091500Z.md"), "utf8"),
      "someone else's notes",
    );
    assert.ok(paths.htmlPath.endsWith("result_local_20261125T091500Z-2.html"));
    assert.deepEqual((await readdir(outDir)).sort(), [
      "result_local_20261125T091500Z-2.html",
      "result_local_20261125T091500Z-2.json",
      "result_local_20261125T091500Z-2.md",
      "result_local_20261125T091500Z.md",
    ]);
  });

  it("gives every concurrent writer its own name, never a clobbered file", async () => {
    const outDir = await tempDir();
    const results = Array.from({ length: 8 }, (_, i) => makeRunResult({ scenario: `shard-${i}` }));
    const paths = await Promise.all(results.map((r) => writeReports(r, outDir)));
    assert.equal(new Set(paths.map((p) => p.jsonPath)).size, 8);
    const scenarios = await Promise.all(
      paths.map(async (p) => (JSON.parse(await readFile(p.jsonPath, "utf8")) as RunResult).scenario),
    );
    assert.deepEqual(scenarios.sort(), results.map((r) => r.scenario).sort());
  });

  it("redacts secrets again before writing", async () => {
    const outDir = await tempDir();
    const url = `redis://app:${FIXTURE_SECRET}@host:6379`;
    const result = makeRunResult({ config: makeConfig({ url }), target: { ...makeRunResult().target, url } });
    const paths = await writeReports(result, outDir);
    for (const path of [paths.jsonPath, paths.markdownPath, paths.htmlPath]) {
      const text = await readFile(path, "utf8");
      assert.ok(!text.includes(FIXTURE_SECRET), path);
      assert.ok(text.includes("redis://app:***@host:6379"), path);
    }
    assert.equal(result.config.url, url, "the caller's object is left untouched");
  });

  it("sanitizes the env so the file cannot land outside outDir", async () => {
    const outDir = await tempDir();
    const paths = await writeReports(makeRunResult({ env: "../escape" }), outDir);
    assert.equal(paths.jsonPath, join(outDir, "result____escape_20261125T091500Z.json"));
  });
});

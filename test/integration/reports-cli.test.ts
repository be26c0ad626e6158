import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as hdr from "hdr-histogram-js";
import type { RunResult } from "../../src/result/result-types.js";
import { runCli } from "../helpers/cli.js";
import { type ManagedRedis, startRedis } from "../helpers/redis.js";

/**
 * report, compare and summary on results of real runs against a real redis-server: a value size of
 * 4 KB against 32 B is a regression the gate catches, repeated runs of one setting are "~", three
 * environments fold into one summary, the HDR log reads back, and bad files change nothing.
 */

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `cachestress-${name}-`));
const jsonIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => join(dir, f));

describe("report, compare, summary (real runs)", () => {
  let redis: ManagedRedis;
  const root = tmp("reports");
  const dirs = {
    base: join(root, "base"),
    again: join(root, "again"),
    big: join(root, "big"),
    azure: join(root, "azure"),
  };
  const hdrLog = join(root, "latency.hlog");
  let hdrResult: RunResult;

  const run = async (out: string, env: string, dataSize: number, extra: string[] = []) => {
    const r = await runCli(
      [
        "run",
        "--url",
        redis.url,
        "--duration",
        "1s",
        "-c",
        "4",
        "--prefill",
        "--key-max",
        "2000",
        "--data-size",
        String(dataSize),
        "--env",
        env,
        "--out",
        out,
        "--json",
        ...extra,
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as RunResult;
  };

  before(async () => {
    redis = await startRedis();
    for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
    hdrResult = await run(dirs.base, "local", 32, ["--hdr-log", hdrLog]);
    await run(dirs.base, "local", 32);
    await run(dirs.again, "local", 32);
    await run(dirs.again, "local", 32);
    await run(dirs.big, "aws", 4096);
    await run(dirs.azure, "azure", 32);
  });
  after(async () => {
    await redis.stop();
  });

  it("every run writes JSON, Markdown and HTML with one name", () => {
    const names = readdirSync(dirs.big).sort();
    assert.equal(names.length, 3, names.join());
    assert.deepEqual(
      names.map((n) => n.replace(/\.\w+$/, "")),
      Array(3).fill(names[0].replace(/\.\w+$/, "")),
    );
    assert.match(
      readFileSync(join(dirs.big, names.find((n) => n.endsWith(".html"))!), "utf8"),
      /^<!doctype html>/,
    );
  });

  it("--hdr-log reads back with HdrHistogram's log reader: per-command counts equal the result's", () => {
    const reader = new hdr.HistogramLogReader(readFileSync(hdrLog, "utf8"));
    const counts: Record<string, number> = {};
    let intervals = 0;
    for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
      const tag = h.tag === "NO TAG" ? "all" : h.tag;
      counts[tag] = (counts[tag] ?? 0) + h.totalCount;
      if (tag === "all") intervals++;
    }
    assert.equal(intervals, hdrResult.series.length);
    assert.equal(counts.all, hdrResult.latency.count);
    for (const [name, c] of Object.entries(hdrResult.perCommand))
      assert.equal(counts[name], c.latency.count, name);
    assert.ok(counts.GET > 0 && counts.SET > 0, JSON.stringify(counts));
  });

  it("compare flags a regression between 32 B and 4 KB values: exit 1", async () => {
    const out = tmp("compare");
    const r = await runCli([
      "compare",
      jsonIn(dirs.base)[0],
      ...jsonIn(dirs.big),
      "--max-regression",
      "memory=50%",
      "--max-regression",
      "p(99)=1000%",
      "--out",
      out,
      "--json",
    ]);
    assert.equal(r.code, 1, r.stderr);
    const comparison = JSON.parse(r.stdout) as {
      regressions: { key: string }[];
      rows: { key: string; cells: { change?: string }[] }[];
    };
    assert.deepEqual(
      comparison.regressions.map((x) => x.key),
      ["memory"],
    );
    assert.equal(comparison.rows.find((x) => x.key === "memory")?.cells[1].change, "worse");
    assert.match(r.stderr, /gate FAIL: 1 regression/);
    const written = readdirSync(out).sort();
    assert.deepEqual(
      written.map((f) => f.replace(/^compare_\d{8}T\d{6}Z/, "")),
      [".html", ".md"],
    );
  });

  it("compare passes repeated runs of the same settings as ~ (Mann-Whitney U): exit 0", async () => {
    const r = await runCli([
      "compare",
      "--base",
      join(dirs.base, "*.json"),
      "--current",
      join(dirs.again, "*.json"),
      "--max-regression",
      "p(99)=1%",
      "--max-regression",
      "throughput=1%",
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const comparison = JSON.parse(r.stdout) as {
      groups: { runs: number }[];
      rows: { key: string; cells: { change?: string }[] }[];
    };
    assert.deepEqual(
      comparison.groups.map((g) => g.runs),
      [2, 2],
    );
    for (const key of ["throughput", "p(99)", "p(50)"])
      assert.equal(comparison.rows.find((x) => x.key === key)?.cells[1].change, "~", key);
    assert.match(r.stderr, /gate PASS/);
  });

  it("summary merges the runs of three environments into one document", async () => {
    const out = tmp("summary");
    const r = await runCli(["summary", join(root, "*", "*.json"), "--out", out, "--stdout"]);
    assert.equal(r.code, 0, r.stderr);
    for (const env of ["aws", "azure", "local"])
      assert.match(r.stdout, new RegExp(`^\\| ${env} \\| adhoc \\| `, "m"));
    assert.match(r.stdout, /^\| local \| adhoc \| 4 \| 4\/4 \|/m);
    assert.match(r.stdout, /## Latency patterns\n\n- adhoc: p99 lowest in/);
    assert.match(r.stdout, /3 environments \(aws, azure, local\)/);
    assert.equal(readdirSync(out).length, 2);
  });

  it("report renders again: csv and md from a swapped template", async () => {
    const out = tmp("report");
    const template = join(root, "team.md");
    writeFileSync(template, "# {{scenario}} on {{env}}\n\n{{objective}}\n\np99 {{p99Ms}} ms\n");
    const r = await runCli([
      "report",
      ...jsonIn(dirs.azure),
      "--format",
      "csv,md",
      "--template",
      template,
      "--out",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const files = readdirSync(out).sort();
    assert.equal(files.length, 3, files.join());
    const md = readFileSync(join(out, files.find((f) => f.endsWith(".md"))!), "utf8");
    assert.match(md, /^# adhoc on azure\n\nMeasure how 127\.0\.0\.1:\d+ \(standalone\) holds a closed loop/);
    const series = readFileSync(join(out, files.find((f) => f.endsWith("_series.csv"))!), "utf8")
      .trimEnd()
      .split("\r\n");
    const result = JSON.parse(readFileSync(jsonIn(dirs.azure)[0], "utf8")) as RunResult;
    assert.equal(series.length, result.series.length + 1);
  });

  it("run --template writes the Markdown from the template; an unknown placeholder is exit 2 before any load", async () => {
    const out = tmp("template");
    const good = join(root, "good.md");
    writeFileSync(good, "# {{title}}\n\n## Next steps\n\n{{nextSteps}}\n");
    const bad = join(root, "bad.md");
    writeFileSync(bad, "{{nope}} {{alsoNope}}\n");
    const badRun = await runCli([
      "run",
      "--url",
      redis.url,
      "--duration",
      "1s",
      "--template",
      bad,
      "--out",
      out,
    ]);
    assert.equal(badRun.code, 2, badRun.stderr);
    assert.match(badRun.stderr, /\{\{nope\}\}[\s\S]*\{\{alsoNope\}\}/);
    assert.deepEqual(readdirSync(out), []);
    const okRun = await runCli([
      "run",
      "--url",
      redis.url,
      "--duration",
      "1s",
      "-c",
      "2",
      "--template",
      good,
      "--out",
      out,
    ]);
    assert.equal(okRun.code, 0, okRun.stderr);
    const md = readFileSync(join(out, readdirSync(out).find((f) => f.endsWith(".md"))!), "utf8");
    assert.match(md, /^# cachestress: adhoc \(local\), PASS\n\n## Next steps\n\n(- .*\n)*- Set thresholds/);
  });

  it("bad input: empty, truncated, foreign, newer files → exit 2, one line per file, nothing written", async () => {
    const bad = tmp("bad");
    const good = readFileSync(jsonIn(dirs.azure)[0], "utf8");
    const files = {
      "empty.json": "",
      "truncated.json": good.slice(0, Math.floor(good.length / 2)),
      "foreign.json": '{"name": "some other tool"}',
      "newer.json": JSON.stringify({ ...JSON.parse(good), schemaVersion: 2 }),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(bad, name), text);
    const paths = Object.keys(files).map((f) => join(bad, f));
    const out = tmp("bad-out");
    for (const args of [
      ["report", ...paths, "--format", "html", "--out", out],
      ["compare", jsonIn(dirs.azure)[0], ...paths, "--out", out],
      ["summary", jsonIn(dirs.azure)[0], ...paths, "--out", out],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
      const lines = r.stderr.trimEnd().split("\n");
      assert.equal(lines.length, paths.length, r.stderr);
      for (const [i, p] of paths.entries()) assert.ok(lines[i].includes(p), lines[i]);
      assert.match(
        r.stderr,
        /empty file[\s\S]*not complete JSON[\s\S]*not a cachestress result[\s\S]*schemaVersion 2 is newer/,
      );
      assert.deepEqual(readdirSync(out), [], `${args[0]} wrote nothing`);
    }
  });
});

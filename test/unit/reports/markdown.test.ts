import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { aggregateSeries, describeStage, renderMarkdown } from "../../../src/reports/markdown.js";
import type { SeriesPoint } from "../../../src/result/result-types.js";
import { FIXTURE_SECRET, makeConfig, makeOpenLoopResult, makeRunResult } from "./fixture.js";

function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`## ${title}`);
  assert.notEqual(start, -1, `no section ${title}`);
  const end = markdown.indexOf("\n## ", start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

describe("renderMarkdown: closed loop", () => {
  const markdown = renderMarkdown(makeRunResult());

  it("starts with the title and the verdict", () => {
    const lines = markdown.split("\n");
    assert.equal(lines[0], "# cachestress: baseline (local), PASS");
    assert.equal(lines[2], "**Verdict: PASS** (all 2 thresholds held)");
  });

  const expected: Array<[title: string, text: string]> = [
    ["Target and configuration", "| target | `redis://default:***@10.0.0.5:6379/0` |"],
    ["Target and configuration", "| connections × pipeline × threads | 50 × 1 × 1 |"],
    ["Target and configuration", "| load | closed loop |"],
    ["Totals", "| 1,200,000 | 40,000 | 1,200,000 | 2 (<0.01 %) | 0 | 0 |"],
    [
      "Latency by command (ms, from send to reply)",
      "| SET | 300,000 | 10,000 | 0.451 | 0.812 | 0.992 | 1.40 | 2.93 | 6.31 | 0.496 | 2 |",
    ],
    ["Latency by command (ms, from send to reply)", "| **TOTAL** | 1,200,000 | 40,000 | 0.412 |"],
    ["Thresholds", "| ✓ | `p(99)<500ms` | 1.28 |"],
    ["Count check", "Matches: the server counted what the tool measured."],
    ["Count check", "| SET | 300,000 | 300,000 | 300,000 | ok |"],
    ["Errors by kind", "| ERR | 2 |"],
    ["Per-second series", "| 7 | 40,010 | 0.430 | 1.50 | 5.70 | 2 |"],
    ["Phases", "| warmup | 200,000 | 5s |"],
    ["Phases", "| prefill | 100,000 | 2.4s |"],
    ["Cleanup", "Deleted 100,000 keys under prefix `cs:test:`."],
  ];
  for (const [title, text] of expected) {
    it(`section ${title} contains ${text}`, () => {
      const body = section(markdown, title);
      assert.ok(body.includes(text), `missing ${JSON.stringify(text)} in:\n${body}`);
    });
  }

  it("has no open-loop section, target column or warnings section", () => {
    assert.ok(!markdown.includes("## Open loop"));
    assert.ok(!section(markdown, "Per-second series").includes("target"));
    assert.ok(!markdown.includes("## Warnings"));
  });

  it("puts the sections in reading order", () => {
    const order = [
      "Target and configuration",
      "Totals",
      "Latency by command",
      "Thresholds",
      "Count check",
      "Errors by kind",
      "Per-second series",
      "Phases",
      "Cleanup",
    ];
    const positions = order.map((title) => markdown.indexOf(`## ${title}`));
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
    );
  });
});

describe("renderMarkdown: open loop, failures, partial runs", () => {
  it("has the open-loop section, service time and the target column", () => {
    const markdown = renderMarkdown(makeOpenLoopResult());
    const openLoop = section(markdown, "Open loop");
    assert.ok(openLoop.includes("Target rate 50,000 ops/s, achieved 40,000 ops/s (80.0 %)"));
    assert.ok(openLoop.includes("Late starts (sent 1 ms or more after schedule): 1,200 (0.10 % of ops)"));
    assert.ok(openLoop.includes("| **TOTAL** | 0.330 |"));
    assert.ok(section(markdown, "Per-second series").includes("| 1 | 40,010 | 50,000 |"));
    assert.ok(
      section(markdown, "Target and configuration").includes("| load | constant 50,000 ops/s for 30s |"),
    );
    assert.ok(
      markdown.includes("(ms, from each operation's intended start, corrected for coordinated omission)"),
    );
  });

  it("warns when the tool could not keep the schedule", () => {
    const result = makeOpenLoopResult();
    result.openLoop!.lateStarts = 60_000;
    assert.ok(renderMarkdown(result).includes("**Warning**: more than 1 % of operations started late."));
  });

  it("shows FAIL with the failed thresholds, a partial run and a count mismatch", () => {
    const result = makeRunResult({
      verdict: "fail",
      status: "stopped",
      stopReason: "SIGTERM",
      thresholds: [{ expression: "p(99)<1ms", actual: 1.277, ok: false }],
      warnings: ["a | pipe"],
    });
    result.countCheck.ok = false;
    result.countCheck.byCommand.SET.server = 10;
    const markdown = renderMarkdown(result);
    assert.ok(markdown.startsWith("# cachestress: baseline (local), FAIL\n"));
    assert.ok(markdown.includes("**Verdict: FAIL** (1 of 1 thresholds failed: `p(99)<1ms` (actual 1.28))"));
    assert.ok(markdown.includes("> **Partial run** (stopped: SIGTERM)."));
    assert.ok(markdown.includes("> **COUNT MISMATCH**"));
    assert.ok(section(markdown, "Count check").includes("| SET | 300,000 | 300,000 | 10 | **MISMATCH** |"));
    assert.ok(section(markdown, "Thresholds").includes("| ✗ FAIL | `p(99)<1ms` | 1.28 |"));
    assert.ok(section(markdown, "Warnings").includes("- a | pipe"));
  });

  it("escapes pipes inside table cells", () => {
    const result = makeRunResult({ thresholds: [{ expression: "a|b", actual: 1, ok: true }] });
    assert.ok(renderMarkdown(result).includes("| ✓ | `a\\|b` | 1 |"));
  });
});

describe("renderMarkdown: secrets", () => {
  it("never contains a secret placed in config.url, target.url or free text", () => {
    const url = `rediss://:${FIXTURE_SECRET}@cache.example.com:6380/0`;
    const result = makeRunResult({
      config: makeConfig({ url }),
      target: { ...makeRunResult().target, url },
      status: "failed",
      stopReason: `ECONNRESET ${url}`,
      warnings: [`reconnecting to ${url}`],
      cleanup: { prefix: "cs:", keysDeleted: 0, kept: false, error: `lost ${url}` },
    });
    const markdown = renderMarkdown(result);
    assert.ok(!markdown.includes(FIXTURE_SECRET), markdown);
    assert.ok(markdown.includes("`rediss://:***@cache.example.com:6380/0`"));
  });
});

function points(n: number): SeriesPoint[] {
  return Array.from({ length: n }, (_, i) => ({
    tS: i + 1,
    ops: 100,
    opsPerSec: 100 + i,
    errors: 1,
    timeouts: 0,
    p50Ms: 1,
    p99Ms: i,
    maxMs: 2 * i,
    perCommand: {},
  }));
}

describe("aggregateSeries", () => {
  const cases: Array<[length: number, maxRows: number, rows: number, bucketSize: number]> = [
    [0, 120, 0, 1],
    [30, 120, 30, 1],
    [120, 120, 120, 1],
    [121, 120, 61, 2],
    [3600, 120, 120, 30],
    [3601, 120, 117, 31],
  ];
  for (const [length, maxRows, rows, bucketSize] of cases) {
    it(`${length} points into at most ${maxRows} rows`, () => {
      const out = aggregateSeries(points(length), maxRows);
      assert.equal(out.rows.length, rows);
      assert.equal(out.bucketSize, bucketSize);
    });
  }

  it("means rates, takes the worst p99 and max, sums errors, labels by the last second", () => {
    const { rows } = aggregateSeries(points(4), 2);
    assert.deepEqual(rows[1], {
      tS: 4,
      opsPerSec: 102.5,
      targetRate: undefined,
      p50Ms: 1,
      p99Ms: 3,
      maxMs: 6,
      errors: 2,
    });
  });

  it("notes the bucket size in the report", () => {
    const markdown = renderMarkdown(makeRunResult({ series: points(600) }));
    assert.ok(markdown.includes("Each row aggregates 5 s ending at t"));
  });
});

describe("describeStage", () => {
  it("describes every kind", () => {
    assert.equal(
      describeStage({ kind: "ramp", durationMs: 60_000, fromRate: 1000, toRate: 5000 }),
      "ramp 1,000 → 5,000 ops/s over 1m00s",
    );
    assert.equal(
      describeStage({
        kind: "step",
        durationMs: 120_000,
        startRate: 1000,
        stepRate: 500,
        stepEveryMs: 10_000,
        maxRate: 4000,
      }),
      "step from 1,000 ops/s, +500 every 10s, max 4,000, for 2m00s",
    );
    assert.equal(
      describeStage({
        kind: "burst",
        durationMs: 60_000,
        baseRate: 1000,
        multiplier: 5,
        burstEveryMs: 20_000,
        burstMs: 2_000,
      }),
      "burst 1,000 ops/s ×5 for 2s every 20s, for 1m00s",
    );
    assert.equal(
      describeStage({ kind: "wave", durationMs: 60_000, baseRate: 1000, amplitude: 500, periodMs: 15_000 }),
      "wave 1,000 ± 500 ops/s, period 15s, for 1m00s",
    );
    assert.equal(
      describeStage({ kind: "chaos", durationMs: 30_000, minRate: 100, maxRate: 900, changeEveryMs: 1_000 }),
      "chaos 100–900 ops/s, new rate every 1s, for 30s",
    );
  });
});

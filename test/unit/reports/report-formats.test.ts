import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resultProblem } from "../../../src/cli/read-result.js";
import { ConfigError } from "../../../src/config/errors.js";
import {
  type CompareGroup,
  type Comparison,
  compareRuns,
} from "../../../src/reports/compare/compare-runs.js";
import { mannWhitney } from "../../../src/reports/compare/mann-whitney.js";
import { renderCommandsCsv, renderSeriesCsv } from "../../../src/reports/csv.js";
import { formatMs } from "../../../src/reports/format.js";
import { renderRunHtml } from "../../../src/reports/html/run-html.js";
import {
  renderTemplateMarkdown,
  unknownPlaceholders,
} from "../../../src/reports/template/render-template.js";
import type { RunResult } from "../../../src/result/result-types.js";
import { FIXTURE_SECRET, makeConfig, makeRunResult } from "./fixture.js";

const EVIL = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

describe("HTML report", () => {
  const result = makeRunResult({
    config: makeConfig({ prefix: EVIL, url: `redis://u:${FIXTURE_SECRET}@h:6379` }),
    warnings: [EVIL],
    totals: { ...makeRunResult().totals, errorsByKind: { [EVIL]: 3 } },
  });
  const html = renderRunHtml(result);

  it("escapes every text from the result: no markup from key prefixes, error kinds or warnings", () => {
    assert.ok(!html.includes("<img src=x"), "raw markup from the result");
    assert.ok(!html.includes('<script>alert("x")'), "raw script from the result");
    assert.ok(html.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    // The data island cannot be closed from inside.
    const data =
      /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
    assert.ok(data.length > 0 && !data.includes("<"));
    assert.ok(!html.includes(FIXTURE_SECRET));
  });

  it("is one file: uPlot inlined, nothing loaded from elsewhere, fetches forbidden", () => {
    assert.ok(html.includes("uPlot"), "the chart library is inlined");
    assert.doesNotMatch(html, /<(script|img|link|iframe)[^>]+(src|href)=["']?https?:/i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.match(html, /@media print/);
    assert.match(html, /prefers-color-scheme: dark/);
  });

  it("puts the verdict first, then thresholds, and a chart per figure", () => {
    const order = [
      "Verdict and risk zones",
      "Thresholds",
      "Throughput and latency over time",
      "Latency distribution",
      "Count check",
      "Errors by kind",
      "Recommendations",
    ];
    const at = order.map((h) => html.indexOf(h));
    assert.ok(
      at.every((i, k) => i > 0 && (k === 0 || i > at[k - 1])),
      JSON.stringify(at),
    );
    for (const id of ["throughput", "latency", "distribution"])
      assert.match(html, new RegExp(`data-chart="${id}"`));
  });
});

describe("CSV", () => {
  const result = makeRunResult();
  it("has one series row per point with client and per-command columns", () => {
    const lines = renderSeriesCsv(result).trimEnd().split("\r\n");
    assert.equal(lines.length, result.series.length + 1);
    const header = lines[0].split(",");
    for (const c of Object.keys(result.perCommand)) assert.ok(header.includes(`${c}_p99_ms`), header.join());
    assert.equal(lines[1].split(",")[0], String(result.series[0].tS));
  });
  it("has a row per command and a TOTAL, and quotes text a spreadsheet would run", () => {
    const odd = makeRunResult({ perCommand: { "=HYPERLINK(1)": makeRunResult().perCommand.GET } });
    const text = renderCommandsCsv(odd);
    assert.match(text, /^'=HYPERLINK\(1\),/m);
    assert.match(renderCommandsCsv(result), /^TOTAL,/m);
  });
});

describe("Markdown template", () => {
  const result = makeRunResult();
  it("the default template has a team summary's sections and keeps the report's tables", () => {
    const md = renderTemplateMarkdown(result);
    for (const heading of [
      "## Objective",
      "## Environment",
      "## Configuration",
      "## Results",
      "## Findings",
      "## Recommendations",
      "## Next steps",
    ])
      assert.ok(md.includes(`\n${heading}\n`), heading);
    assert.match(md, /### Latency by command/);
    assert.match(md, /\| t \(s\) \| ops\/s \|/);
    assert.match(md, /^# cachestress: baseline \(local\), PASS/);
  });
  it("a custom template replaces it, placeholders filled", () => {
    const md = renderTemplateMarkdown(
      result,
      "# {{scenario}} in {{env}}: {{verdictWord}}, p99 {{p99Ms}} ms\n",
    );
    assert.equal(md, `# baseline in local: PASS, p99 ${formatMs(result.latency.p99)} ms\n`);
  });
  it("names every unknown placeholder", () => {
    assert.deepEqual(unknownPlaceholders("{{title}} {{nope}} {{ bad }} {{nope}}"), ["nope", "bad"]);
    assert.ok(new ConfigError([]).code === "E_CONFIG");
  });
});

describe("Mann-Whitney U", () => {
  const cases: [number[], number[], number][] = [
    [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 2 / 252],
    [[1, 2], [3, 4], 1 / 3],
    [[1, 3, 5], [2, 4, 6], 0.7],
    [[5, 5, 5], [5, 5, 5], 1],
  ];
  for (const [a, b, p] of cases) {
    it(`${a} vs ${b} → p ${p.toFixed(4)}`, () =>
      assert.ok(Math.abs(mannWhitney(a, b).p - p) < 1e-9, String(mannWhitney(a, b).p)));
  }
  it("uses the normal approximation for large samples", () => {
    const a = Array.from({ length: 30 }, (_, i) => i);
    const b = a.map((v) => v + 20);
    const { p } = mannWhitney(a, b);
    assert.ok(p > 0 && p < 0.001, String(p));
  });
});

describe("result file checks", () => {
  const table: [string, string, RegExp][] = [
    ["empty", "", /empty file/],
    ["blank", "  \n", /empty file/],
    ["truncated", '{"schemaVersion": 1, "tool": {"name": "cach', /not complete JSON/],
    ["other JSON", '{"hello": "world"}', /not a cachestress result/],
    ["an array", "[1,2]", /not a cachestress result/],
    ["newer", '{"schemaVersion": 99, "tool": {"name": "cachestress"}}', /schemaVersion 99 is newer/],
    [
      "partial",
      '{"schemaVersion": 1, "tool": {"name": "cachestress"}, "totals": {}}',
      /missing latency, series/,
    ],
  ];
  for (const [name, text, expected] of table) it(name, () => assert.match(resultProblem(text), expected));
  it("a real result reads as a run", () =>
    assert.equal(resultProblem(JSON.stringify(makeRunResult())), "run"));
});

describe("compareRuns", () => {
  const base = makeRunResult();
  const slower = makeRunResult({
    latency: { ...base.latency, p99: base.latency.p99 * 1.5 },
    totals: { ...base.totals, opsPerSec: base.totals.opsPerSec * 1.1 },
  });
  const group = (label: string, ...results: RunResult[]): CompareGroup => ({ label, paths: [], results });
  const cell = (c: Comparison, key: string) => c.rows.find((r) => r.key === key)?.cells[1];

  it("says better or worse by each metric's direction, and gates on the worse ones", () => {
    const c = compareRuns(
      [group("base", base), group("new", slower)],
      [
        { key: "p(99)", percent: 10 },
        { key: "throughput", percent: 5 },
      ],
    );
    assert.equal(cell(c, "p(99)")?.change, "worse");
    assert.ok(Math.abs((cell(c, "p(99)")?.deltaPercent ?? 0) - 50) < 1e-9);
    assert.equal(cell(c, "throughput")?.change, "better");
    assert.deepEqual(
      c.regressions.map((r) => r.key),
      ["p(99)"],
    );
  });

  it("within a limit is no regression", () => {
    const c = compareRuns([group("base", base), group("new", slower)], [{ key: "p(99)", percent: 60 }]);
    assert.deepEqual(c.regressions, []);
  });

  it("two repeated runs per side are ~ (never beyond noise), so they cannot fail the gate", () => {
    const c = compareRuns(
      [group("base", base, base), group("new", slower, slower)],
      [{ key: "p(99)", percent: 1 }],
    );
    assert.equal(cell(c, "p(99)")?.change, "~");
    assert.deepEqual(c.regressions, []);
  });
});

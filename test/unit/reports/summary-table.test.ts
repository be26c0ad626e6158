import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { displayWidth } from "../../../src/reports/format.js";
import { alignTable, countMatches, renderSummary } from "../../../src/reports/summary-table.js";
import { FIXTURE_SECRET, makeConfig, makeOpenLoopResult, makeRunResult } from "./fixture.js";

/** The table row of one command, with its cells split on runs of spaces. */
function row(summary: string, command: string): string[] {
  const line = summary.split("\n").find((l) => l.startsWith(`${command} `));
  assert.ok(line, `no row for ${command} in:\n${summary}`);
  return line.trim().split(/\s+/);
}

describe("renderSummary: closed loop", () => {
  const summary = renderSummary(makeRunResult());

  const expectedLines: Array<[what: string, text: string]> = [
    [
      "header names scenario, mode, url, duration, status",
      "scenario baseline  closed-loop  redis://default:***@10.0.0.5:6379/0  30s  completed",
    ],
    ["latency basis", "latency (ms, from send to reply)"],
    ["table header", "command"],
    ["count check", "count check: server counted 300,000 SET, 900,000 GET: matches"],
    ["passed threshold", "✓ p(99)<500ms"],
    ["threshold actual", "actual 1.28"],
    ["verdict", "verdict: PASS"],
    ["errors by kind", "by kind: ERR 2"],
    ["timeouts and reconnects", "timeouts: 0  reconnects: 0"],
  ];
  for (const [what, text] of expectedLines) {
    it(`shows the ${what}`, () =>
      assert.ok(summary.includes(text), `missing ${JSON.stringify(text)} in:\n${summary}`));
  }

  const expectedRows: Array<[command: string, cells: string[]]> = [
    ["SET", ["SET", "300,000", "10,000", "0.451", "0.812", "1.40", "2.93", "6.31", "2"]],
    ["GET", ["GET", "900,000", "30,000", "0.398", "0.716", "1.23", "2.59", "5.57", "0"]],
    ["TOTAL", ["TOTAL", "1,200,000", "40,000", "0.412", "0.742", "1.28", "2.68", "5.77", "2"]],
  ];
  for (const [command, cells] of expectedRows) {
    it(`has the ${command} row`, () => assert.deepEqual(row(summary, command), cells));
  }

  it("aligns the table columns", () => {
    const lines = summary.split("\n");
    const header = lines.find((l) => l.startsWith("command"))!;
    const total = lines.find((l) => l.startsWith("TOTAL"))!;
    assert.equal(displayWidth(header), displayWidth(total));
    assert.equal(header.indexOf("errors") + "errors".length, total.length);
  });

  it("does not show open-loop lines or warnings", () => {
    assert.ok(!summary.includes("open loop"));
    assert.ok(!summary.includes("WARNING"));
    assert.ok(!summary.includes("PARTIAL"));
  });

  it("has no colour codes unless asked", () => {
    assert.ok(!summary.includes("\u001b["));
    assert.ok(renderSummary(makeRunResult(), { color: true }).includes("\u001b[32mverdict: PASS"));
  });
});

describe("renderSummary: failures and partial runs", () => {
  it("prints FAIL and the failed threshold with ✗", () => {
    const result = makeRunResult({
      verdict: "fail",
      thresholds: [
        { expression: "p(99)<1ms", actual: 1.277, ok: false },
        { expression: "errors<1%", actual: 0.000167, ok: true },
      ],
    });
    const summary = renderSummary(result);
    assert.ok(summary.includes("✗ p(99)<1ms  actual 1.28"));
    assert.ok(summary.includes("✓ errors<1%  actual 0.00017"));
    assert.ok(summary.includes("verdict: FAIL (1 of 2 thresholds failed)"));
  });

  it("prints a loud MISMATCH line naming the command that is off", () => {
    const result = makeRunResult();
    result.countCheck = {
      checked: true,
      ok: false,
      byCommand: {
        SET: { sent: 300_000, completed: 300_000, server: 299_990 },
        GET: { sent: 900_000, completed: 900_000, server: 900_000 },
      },
      note: "server counted fewer SET than replies",
    };
    const summary = renderSummary(result);
    assert.match(
      summary,
      /!! COUNT MISMATCH: server counted 299,990 SET \(sent 300,000, replied 300,000\) <- MISMATCH/,
    );
    assert.ok(summary.includes("<- MISMATCH; 900,000 GET (sent 900,000, replied 900,000)\n"));
    assert.ok(summary.includes("!! server counted fewer SET than replies\n"));
    assert.ok(!summary.includes(": matches"));
  });

  it("says when the count could not be checked", () => {
    const result = makeRunResult();
    result.countCheck = { checked: false, ok: false, byCommand: {}, note: "INFO commandstats is disabled" };
    assert.ok(renderSummary(result).includes("count check: not checked (INFO commandstats is disabled)"));
  });

  for (const status of ["stopped", "failed"] as const) {
    it(`marks a ${status} run as partial`, () => {
      const summary = renderSummary(makeRunResult({ status, stopReason: "SIGINT", durationMs: 12_300 }));
      assert.ok(summary.includes(`${status.toUpperCase()} (PARTIAL)`));
      assert.ok(summary.includes(`PARTIAL RUN: ${status} (SIGINT)`));
      // Never a pass: exit 3 (failed) or 4 (stopped), and the verdict line says so.
      assert.ok(!summary.includes("verdict: PASS"));
      const verdict = status === "stopped" ? "STOPPED" : "FAIL";
      assert.ok(
        summary.includes(
          `verdict: ${verdict}, not a pass (the thresholds held over the part measured; the run ${status} before its end)`,
        ),
      );
    });
  }

  it("lists warnings, cleanup failures and errors by kind, most frequent first", () => {
    const result = makeRunResult({
      warnings: ["value size below 16 bytes"],
      cleanup: { prefix: "cs:test:", keysDeleted: 0, kept: false, error: "NOPERM" },
    });
    result.totals.errorsByKind = { ERR: 2, timeout: 7, connection: 0 };
    const summary = renderSummary(result);
    assert.ok(summary.includes("warning: value size below 16 bytes"));
    assert.ok(summary.includes("cleanup failed under prefix cs:test:: NOPERM"));
    assert.ok(summary.includes("by kind: timeout 7, ERR 2\n"));
  });
});

describe("renderSummary: open loop", () => {
  it("shows target rate, service time, late starts and event-loop delay", () => {
    const summary = renderSummary(makeOpenLoopResult());
    for (const text of [
      "from each operation's intended start",
      "open loop: target 50,000 ops/s, achieved 40,000 ops/s (80.0 %)",
      "service time (ms, from the actual send): p50 0.330  p99 0.894",
      "late starts: 1,200 (0.10 % of ops)",
      "event-loop delay: p99 2.10 ms",
    ]) {
      assert.ok(summary.includes(text), `missing ${JSON.stringify(text)} in:\n${summary}`);
    }
    assert.ok(!summary.includes("WARNING"));
  });

  it("warns when more than 1 % of operations started late", () => {
    const result = makeOpenLoopResult();
    result.openLoop!.lateStarts = 24_000;
    const summary = renderSummary(result);
    assert.ok(
      summary.includes(
        "WARNING: 2.00 % of operations started late: cachestress itself could not keep the schedule",
      ),
    );
  });
});

describe("renderSummary: secrets", () => {
  it("never prints a password, wherever it hides", () => {
    const url = `redis://admin:${FIXTURE_SECRET}@10.0.0.5:6379/0`;
    const result = makeRunResult({
      target: { ...makeRunResult().target, url },
      config: makeConfig({ url }),
      stopReason: `connection to ${url} lost`,
      status: "failed",
      warnings: [`could not reach ${url}`],
    });
    const summary = renderSummary(result);
    assert.ok(!summary.includes(FIXTURE_SECRET), summary);
    assert.ok(summary.includes("redis://admin:***@10.0.0.5:6379/0"));
  });
});

describe("helpers", () => {
  const counts: Array<[sent: number, completed: number, server: number, ok: boolean]> = [
    [10, 10, 10, true],
    [10, 9, 10, true],
    [10, 9, 9, true],
    [10, 10, 9, false],
    [10, 10, 11, false],
  ];
  for (const [sent, completed, server, ok] of counts) {
    it(`countMatches sent ${sent} replied ${completed} server ${server} → ${ok}`, () =>
      assert.equal(countMatches({ sent, completed, server }), ok));
  }

  it("alignTable pads by display width", () => {
    assert.deepEqual(alignTable(["a", "bb"], [["✓", "1"]], ["TOTAL", "100"]), [
      "a       bb",
      "-----  ---",
      "✓        1",
      "-----  ---",
      "TOTAL  100",
    ]);
  });
});

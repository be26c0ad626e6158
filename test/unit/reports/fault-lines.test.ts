import assert from "node:assert/strict";
import { test } from "node:test";
import type { FaultReport } from "../../../src/faults/fault-report.js";
import { faultLines } from "../../../src/reports/fault-lines.js";
import { renderMarkdown } from "../../../src/reports/markdown.js";
import { makeRunResult } from "./fixture.js";

const FAULTS: FaultReport[] = [
  {
    index: 0,
    kind: "blackhole",
    name: "blackhole",
    atS: 4.5,
    forS: 1,
    status: "done",
    startS: 4.5,
    endS: 5.501,
    effects: { connectionsReset: 4, bytesBlackholed: 1200 },
    during: {
      fromS: 4.5,
      toS: 5.801,
      ops: 10,
      errors: 104,
      errorsByKind: { aborted: 4, timeout: 100 },
      timeouts: 100,
      reconnects: 8,
      worstP99Ms: 3.1,
    },
    baselineP99Ms: 2,
    timeToFirstSuccessS: 0.5,
    timeToBaselineP99S: null,
  },
  {
    index: 1,
    kind: "debug-sleep",
    name: "debug-sleep 0.5s",
    atS: 7,
    forS: 0.5,
    status: "failed",
    startS: 7,
    endS: 7.002,
    error: "ERR DEBUG command not allowed",
    effects: {},
  },
  {
    index: 2,
    kind: "reset",
    name: "reset",
    atS: 30,
    forS: 0,
    status: "not-reached",
    effects: {},
  },
];

test("one line per fault: when, what the clients saw, recovery, effects; failures and faults never reached say so", () => {
  assert.deepEqual(faultLines(makeRunResult({ faults: FAULTS })), [
    "faults: 3 scheduled, 1 done",
    "  4.5–5.501s blackhole: 104 errors (timeout 100, aborted 4), 100 timeouts, 8 reconnects, worst p99 3.1 ms; " +
      "first success +0.5s, p99 back to 2 ms ×1.5 never; connectionsReset 4, bytesBlackholed 1200",
    "  [failed: ERR DEBUG command not allowed] 7s debug-sleep 0.5s",
    "  [not reached] 30s reset",
  ]);
  assert.deepEqual(faultLines(makeRunResult()), []);
});

test("the Markdown report shows the faults", () => {
  const markdown = renderMarkdown(makeRunResult({ faults: FAULTS }));
  assert.match(markdown, /faults: 3 scheduled, 1 done/);
  assert.match(markdown, /4\.5–5\.501s blackhole: 104 errors/);
});

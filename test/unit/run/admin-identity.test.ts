import assert from "node:assert/strict";
import { test } from "node:test";
import { isAnotherServer } from "../../../src/core/admin-client.js";

test("a reconnect reached another server process: a new run_id, else a lower uptime", () => {
  const cases: [Parameters<typeof isAnotherServer>[0], Parameters<typeof isAnotherServer>[1], boolean][] = [
    [{ runId: "aaa", uptimeS: 100 }, { runId: "aaa", uptimeS: 105 }, false],
    [{ runId: "aaa", uptimeS: 100 }, { runId: "bbb", uptimeS: 1 }, true],
    // The same run_id decides even when uptime looks odd (a clock change does not restart a server).
    [{ runId: "aaa", uptimeS: 100 }, { runId: "aaa", uptimeS: 2 }, false],
    [{ uptimeS: 100 }, { uptimeS: 3 }, true],
    [{ uptimeS: 100 }, { uptimeS: 130 }, false],
    // INFO not allowed: nothing to compare, so no restart is claimed.
    [{}, {}, false],
  ];
  for (const [before, now, expected] of cases)
    assert.equal(
      isAnotherServer(before, now),
      expected,
      `${JSON.stringify(before)} → ${JSON.stringify(now)}`,
    );
});

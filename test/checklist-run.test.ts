import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { checklistFor } from "../src/result/checklist.js";
import { runScenario } from "../src/run/run-scenario.js";
import { runCli } from "./helpers/cli.js";
import { commandStats, type ManagedRedis, startRedis } from "./helpers/redis.js";
import { testRunConfig } from "./helpers/run-config.js";

/**
 * The deployment-validation checklist: `cachestress checklist SCENARIO` prints it, and a run against
 * a real redis-server ticks it from what happened, with the server's own counts as evidence.
 */

describe("checklist items from the scenario", () => {
  it("common items, one per threshold and fault, the check, and a restart item when one is needed", () => {
    const items = checklistFor(
      testRunConfig({
        thresholds: ["p(99)<50ms", "errors<1%"],
        faults: [{ at: "1s", kind: "restart" }],
        check: { kind: "persistence-recovery" },
      }),
    );
    const ids = items.map((i) => i.id);
    assert.deepEqual(ids, [
      "target-reachable",
      "config-audited",
      "keys-writable",
      "baseline-captured",
      "restart-possible",
      "threshold:p(99)<50ms",
      "threshold:errors<1%",
      "alerts-watched",
      "fault:0",
      "target-stayed",
      "check",
      "counts-match",
      "keys-cleaned",
      "report-written",
    ]);
    assert.deepEqual([...new Set(items.map((i) => i.phase))], ["pre-run", "during-run", "post-run"]);
  });

  it("without thresholds, the list says to set some", () => {
    const item = checklistFor(testRunConfig()).find((i) => i.id === "thresholds-watched");
    assert.match(item?.how ?? "", /--threshold/);
  });
});

describe("cachestress checklist (CLI)", () => {
  it("prints the three phases for a shipped scenario, exit 0", async () => {
    const r = await runCli(["checklist", "failover"]);
    assert.equal(r.code, 0, r.stderr);
    for (const heading of ["pre-run:", "during-run:", "post-run:"]) assert.ok(r.stdout.includes(heading));
    assert.match(r.stdout, /fault restart \(SIGTERM\) at 16 s/);
    assert.match(r.stdout, /counts match/);
  });

  it("--json lists the items; an unknown scenario is a usage error (exit 2)", async () => {
    const json = await runCli(["checklist", "baseline", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { scenario: string; items: { id: string }[] };
    assert.equal(parsed.scenario, "baseline");
    assert.ok(parsed.items.some((i) => i.id === "counts-match"));
    const bad = await runCli(["checklist", "no-such-scenario"]);
    assert.equal(bad.code, 2);
  });
});

describe("a run ticks its checklist (real redis-server)", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it("pass / fail / not done with the evidence; the reports show it", async () => {
    const statsBefore = await commandStats(redis.url);
    const { result, markdownPath, htmlPath, jsonPath } = await runScenario(
      testRunConfig({
        url: redis.url,
        durationMs: undefined,
        requests: 4000,
        thresholds: ["errors<1%", "p(99)<0.001ms"],
        audit: true,
      }),
    );
    const statsAfter = await commandStats(redis.url);
    const ticks = Object.fromEntries((result.checklist ?? []).map((t) => [t.id, t]));
    assert.equal(ticks["target-reachable"].status, "pass");
    assert.match(ticks["target-reachable"].evidence, /server version/);
    // The audit ran: its verdict is the tick (a throwaway server may or may not pass it).
    assert.equal(ticks["config-audited"].status, result.audit?.ok ? "pass" : "fail");
    assert.equal(ticks["keys-writable"].status, "pass");
    assert.equal(ticks["baseline-captured"].status, "pass");
    assert.equal(ticks["threshold:errors<1%"].status, "pass");
    // Nothing answers in under a microsecond: this threshold fails, and so does its item.
    assert.equal(ticks["threshold:p(99)<0.001ms"].status, "fail");
    assert.equal(ticks["target-stayed"].status, "pass");
    // Counts: the evidence quotes the server's own numbers, as INFO commandstats reports them.
    assert.equal(ticks["counts-match"].status, "pass");
    for (const name of ["SET", "GET"]) {
      const server = statsAfter[name.toLowerCase()].calls - (statsBefore[name.toLowerCase()]?.calls ?? 0);
      const sent = result.countCheck.byCommand[name].sent;
      assert.equal(sent, server);
      assert.ok(
        ticks["counts-match"].evidence.includes(
          `${sent.toLocaleString("en-US")} ${name} sent = server ${server.toLocaleString("en-US")}`,
        ),
        ticks["counts-match"].evidence,
      );
    }
    assert.equal(ticks["keys-cleaned"].status, "pass");
    assert.equal(ticks["report-written"].status, "pass");
    assert.ok(jsonPath.startsWith(ticks["report-written"].evidence.replace(/\.json$/, "")));
    const markdown = await readFile(markdownPath, "utf8");
    assert.match(markdown, /### Checklist/);
    assert.match(markdown, /\| \[!\] \| during-run \| threshold p\(99\)<0\.001ms holds \| FAIL \|/);
    const html = await readFile(htmlPath, "utf8");
    assert.match(html, /<section id="checklist">/);
    const written = JSON.parse(await readFile(jsonPath, "utf8"));
    assert.equal(written.checklist.length, result.checklist?.length);
  });

  it("--keep-keys leaves keys-cleaned not done", async () => {
    const config = testRunConfig({ url: redis.url, durationMs: undefined, requests: 500, keepKeys: true });
    const { result } = await runScenario(config);
    const item = result.checklist?.find((t) => t.id === "keys-cleaned");
    assert.equal(item?.status, "not-done");
    // Clean up what the run kept.
    const cleanup = await runCli(["cleanup", "--url", redis.url, "--prefix", config.prefix]);
    assert.equal(cleanup.code, 0, cleanup.stderr);
  });
});

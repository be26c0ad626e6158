import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { CapacityResult } from "../../src/capacity/capacity-result.js";
import type { RunResult } from "../../src/result/result-types.js";
import { runCli } from "../helpers/cli.js";

/**
 * Every scenario that ships runs to a report against a real local redis-server (the one the CLI
 * starts itself), shortened with --time-scale or a smaller N. A scenario added to scenarios/
 * without an entry here still runs, at a tenth of its length.
 */
const SCENARIO_DIR = fileURLToPath(new URL("../../../scenarios/", import.meta.url));

interface Shortened {
  /** Flags added to `cachestress run <name>`. */
  flags: string[];
  /** Exit codes that are a correct outcome for this scenario (extreme fails its thresholds by design). */
  exitCodes?: number[];
}

const SHORTENED: Record<string, Shortened> = {
  baseline: { flags: ["--time-scale", "0.1", "--connections", "10"] },
  "buffer-capacity": { flags: ["--key-max", "20000"] },
  burst: { flags: ["--time-scale", "0.2"] },
  // A capacity search; on a busy machine even the start rate may fail (exit 1), which it reports.
  capacity: { flags: ["--time-scale", "0.1", "--max-steps", "3"], exitCodes: [0, 1] },
  chaos: { flags: ["--time-scale", "0.2"] },
  demo: { flags: ["--time-scale", "0.2"] },
  extreme: { flags: ["--time-scale", "0.1", "--connections", "50"], exitCodes: [0, 1] },
  failover: { flags: ["--time-scale", "0.3"] },
  "memory-pressure": { flags: ["--duration", "3s"] },
  "disk-exhaustion": { flags: ["--duration", "2s"] },
  "persistence-recovery": { flags: ["--key-max", "20000", "--duration", "2s"] },
  faults: { flags: ["--time-scale", "0.35"] },
  integrity: { flags: ["--time-scale", "0.1", "--key-max", "5000"] },
  progressive: { flags: ["--time-scale", "0.002"] },
  ramp: { flags: ["--time-scale", "0.2"] },
  step: { flags: ["--time-scale", "0.2"] },
  sustained: { flags: ["--time-scale", "0.002", "--key-max", "20000"] },
  wave: { flags: ["--time-scale", "0.2"] },
};

const scenarios = readdirSync(SCENARIO_DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => f.replace(/\.ya?ml$/, ""))
  .sort();

describe("the scenario catalogue: every shipped scenario runs to a report", () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  test("cachestress scenarios lists every file, one line each with a description", async () => {
    const listed = await runCli(["scenarios"], { timeoutMs: 10_000 });
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trim().split("\n");
    assert.deepEqual(
      lines.map((l) => l.split(/\s+/)[0]),
      scenarios,
    );
    for (const line of lines) assert.ok(line.split(/\s{2,}/)[1]?.length > 10, `a description: ${line}`);
  });

  for (const name of scenarios) {
    test(name, async () => {
      const shortened = SHORTENED[name] ?? { flags: ["--time-scale", "0.1"] };
      const out = await mkdtemp(join(tmpdir(), `cachestress-catalogue-${name}-`));
      dirs.push(out);
      const cli = await runCli(["run", name, "--out", out, "--json", ...shortened.flags], {
        timeoutMs: 90_000,
      });
      const allowed = shortened.exitCodes ?? [0];
      assert.ok(
        cli.code !== null && allowed.includes(cli.code),
        `exit ${cli.code}, expected ${allowed.join(" or ")}\n${cli.stderr.slice(-3000)}`,
      );
      const parsed = JSON.parse(cli.stdout) as RunResult | CapacityResult;
      if ("kind" in parsed) return checkCapacityReport(parsed, name, out);
      const result = parsed;
      assert.equal(result.scenario, name);
      assert.equal(result.status, "completed");
      assert.ok(result.totals.ops > 0, "it measured something");
      assert.ok(result.countCheck.ok, result.countCheck.note);
      const files = readdirSync(out);
      assert.ok(files.some((f) => f.endsWith(".md")) && files.some((f) => f.endsWith(".json")), files.join());
      const markdown = await readFile(join(out, files.find((f) => f.endsWith(".md"))!), "utf8");
      assert.match(markdown, new RegExp(`# cachestress: ${name}`));
      if (result.check !== undefined) assert.match(markdown, new RegExp(`check ${result.check.kind}`));
      assert.equal(result.cleanup.error, undefined, "its keys were cleaned up");
    });
  }
});

/** A scenario with a `capacity:` section writes a capacity report (docs/result-schema.md). */
async function checkCapacityReport(result: CapacityResult, name: string, out: string): Promise<void> {
  assert.equal(result.kind, "capacity");
  assert.equal(result.scenario, name);
  assert.equal(result.status, "completed");
  assert.ok(result.steps.length > 0 && result.steps.every((s) => s.ops > 0), "it measured something");
  assert.ok(result.countCheck.ok, JSON.stringify(result.steps.map((s) => s.countCheck)));
  const markdown = await readFile(join(out, readdirSync(out).find((f) => f.endsWith(".md"))!), "utf8");
  assert.match(markdown, new RegExp(`# cachestress capacity: ${name}`));
}

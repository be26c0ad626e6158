import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ConfigError } from "../../src/config/errors.js";
import { resolveRunConfig } from "../../src/run/resolve-config.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { canMountSmallFilesystem } from "../../src/scenario-checks/small-filesystem.js";
import { testRunConfig } from "../helpers/run-config.js";

/**
 * disk-exhaustion against a real redis-server the tool starts inside a real size-limited
 * filesystem. The server's own errorstat_MISCONF is the ground truth for the refused writes, and
 * /proc/mounts says whether the filesystem was taken down again. Skipped, with the reason, only
 * where this machine refuses to mount.
 */
const capability = canMountSmallFilesystem();
const skip = capability.ok ? false : `cannot mount here: ${capability.reason}`;

function mountedDisks(): string[] {
  return readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .filter((line) => line.includes("cachestress-disk-"));
}

function diskRun(extra: Record<string, unknown> = {}) {
  return testRunConfig({
    durationMs: 2500,
    connections: 4,
    pipeline: 4,
    commands: [
      { name: "SET", weight: 4 },
      { name: "GET", weight: 1 },
    ],
    keyMax: 1000,
    dataSizeMin: 1024,
    dataSizeMax: 1024,
    check: { kind: "disk-exhaustion", size: "6mb", filler: "4mb", sampleEvery: "100ms", ...extra },
  });
}

describe("disk-exhaustion check", { skip }, () => {
  it("aof: writes are refused with MISCONF (counted alike by clients and server), then recover once space is freed", async () => {
    const { result } = await runScenario(diskRun());
    const check = result.check;
    assert.ok(check !== undefined);
    const f = check.figures;
    assert.equal(check.ok, true, check.problems.join("; "));
    assert.equal(f.filesystem, "tmpfs");
    assert.ok((f.misconfErrors as number) > 0, `MISCONF ${f.misconfErrors}`);
    assert.equal(f.misconfErrors, f.misconfErrorsServer);
    assert.equal(result.totals.errorsByKind.MISCONF, f.misconfErrors);
    assert.equal(f.refusedAtEnd, true);
    assert.ok(typeof f.writeRecoveryMs === "number" && f.writeRecoveryMs >= 0);
    assert.ok(typeof f.bgsaveMs === "number" && f.bgsaveMs > 0);
    assert.ok((f.diskFreeBytesMin as number) < 64 * 1024, `least free ${f.diskFreeBytesMin}`);
    // The refused SETs still reached the server: its commandstats (rejected calls) agree with the tool.
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    // Refusals were what this check verified: the run passes, and the disk zone shows the full disk.
    assert.equal(result.verdict, "pass", (result.verdictReasons ?? []).join("; "));
    const disk = result.zones?.find((z) => z.metric === "diskUsedPercent");
    assert.equal(disk?.zone, "failure");
    assert.deepEqual(mountedDisks(), []);
  });

  it("rdb: a failed BGSAVE stops writes too, and a BGSAVE after freeing space lets them back", async () => {
    const run = diskRun({ persistence: "rdb", size: "8mb", filler: "6mb" });
    const { result } = await runScenario({ ...run, keyMax: 2500 });
    const check = result.check;
    assert.ok(check !== undefined);
    assert.equal(check.ok, true, check.problems.join("; "));
    assert.equal(check.figures.misconfErrors, check.figures.misconfErrorsServer);
    assert.ok((check.figures.misconfErrors as number) > 0);
    assert.deepEqual(mountedDisks(), []);
  });
});

describe("disk-exhaustion configuration", () => {
  it("refuses --url, a filler larger than the filesystem and too many keys, all at once", async () => {
    try {
      await resolveRunConfig(["disk-exhaustion", "--url", "redis://127.0.0.1:6399", "--key-max", "100000"]);
      assert.fail("expected a ConfigError");
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      const fields = error.problems.map((p) => p.field).sort();
      assert.deepEqual(fields, ["--key-max", "--url"]);
    }
  });

  it("the shipped scenario resolves", async () => {
    const { config } = await resolveRunConfig(["disk-exhaustion"]);
    assert.equal((config.check as { kind: string }).kind, "disk-exhaustion");
    assert.deepEqual(config.zones, { diskUsedPercent: { stableBelow: 70, failureAbove: 90 } });
  });
});

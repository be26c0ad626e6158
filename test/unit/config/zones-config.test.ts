import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ConfigError } from "../../../src/config/errors.js";
import { zoneBandRule, zoneFlagRule } from "../../../src/config/zone-rules.js";
import { bandText, computeZones, resourceZones } from "../../../src/result/zones.js";
import { resolveRunConfig } from "../../../src/run/resolve-config.js";

async function scenario(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "cachestress-zones-"));
  const path = join(dir, "zones.yaml");
  await writeFile(path, text);
  return path;
}

async function problems(argv: string[]): Promise<{ field: string; value: unknown; allowed: string }[]> {
  try {
    await resolveRunConfig(argv);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail(`expected a ConfigError for ${argv.join(" ")}`);
}

describe("zone bands: STABLE/FAILURE in the zone's unit", () => {
  const table: [Parameters<typeof zoneBandRule>[0], unknown, [number, number] | undefined][] = [
    ["p99", "50ms/200ms", [50, 200]],
    ["p99", "0.5s/1s", [500, 1000]],
    ["p99", "20/40", [20, 40]],
    ["p99", "500us/1ms", [0.5, 1]],
    ["cpu", "60%/85%", [60, 85]],
    ["cpu", "150/250", [150, 250]],
    ["memory", "80/90", [80, 90]],
    ["memory", "80/120", undefined],
    ["errors", "5/1", undefined],
    ["streamLength", "10k/100k", [10_000, 100_000]],
    ["pending", "1000/1m", [1000, 1_000_000]],
    ["disk", "70", undefined],
    ["disk", "a/b", undefined],
    ["p99", 50, undefined],
  ];
  for (const [name, raw, expected] of table) {
    it(`${name}: ${JSON.stringify(raw)} → ${expected === undefined ? "refused" : expected.join("/")}`, () => {
      const band = zoneBandRule(name).parse(raw);
      assert.deepEqual(band, expected && { stableBelow: expected[0], failureAbove: expected[1] });
    });
  }

  it("--zone NAME=A/B names the metric; mistakes are explained", () => {
    assert.deepEqual(zoneFlagRule.parse("p99=50ms/200ms"), ["p99Ms", { stableBelow: 50, failureAbove: 200 }]);
    assert.deepEqual(zoneFlagRule.parse("serverFds=50/80"), [
      "serverFdPercent",
      { stableBelow: 50, failureAbove: 80 },
    ]);
    assert.equal(zoneFlagRule.parse("p95=1/2"), undefined);
    assert.match(zoneFlagRule.explain?.("p95=1/2") ?? "", /did you mean p99\?/);
    assert.match(zoneFlagRule.explain?.("crash=0/1") ?? "", /always a failure/);
    assert.match(
      zoneFlagRule.explain?.("cpu=90/80") ?? "",
      /stable edge \(90\) at most the failure edge \(80\)/,
    );
  });
});

describe("zones: and --zone when a run resolves", () => {
  it("a file's zones and --zone flags merge per zone, the flag winning", async () => {
    const path = await scenario('duration: 1s\nzones:\n  p99: 50ms/200ms\n  cpu: "60%/85%"\n');
    const { config } = await resolveRunConfig([path, "--zone", "p99=10ms/20ms", "--zone", "disk=50/80"]);
    assert.deepEqual(config.zones, {
      p99Ms: { stableBelow: 10, failureAbove: 20 },
      serverCpuPercent: { stableBelow: 60, failureAbove: 85 },
      diskUsedPercent: { stableBelow: 50, failureAbove: 80 },
    });
  });

  it("every problem of the file and the flags is listed at once, with field, value and what is allowed", async () => {
    const path = await scenario("duration: 1s\nzones:\n  memory: 95/90\n  p95: 1/2\n  crash: 1/2\n");
    const found = await problems([path, "--zone", "cpu=90/80", "--zone", "nope", "--zone", "p99=fast/slow"]);
    const fields = found.map((p) => `${p.field}=${String(p.value)}`).sort();
    assert.deepEqual(fields, [
      "--zone=cpu=90/80",
      "--zone=nope",
      "--zone=p99=fast/slow",
      "zones.crash=1/2",
      "zones.memory=95/90",
      "zones.p95=1/2",
    ]);
    for (const p of found) assert.ok(p.allowed.length > 10, JSON.stringify(p));
  });

  it("no zones: the config has none and the defaults apply", async () => {
    const { config } = await resolveRunConfig(["--duration", "1s"]);
    assert.equal(config.zones, undefined);
  });
});

describe("judging with configured bands", () => {
  it("a configured band judges and is marked; a resource zone appears when measured or configured", () => {
    const zones = computeZones(
      { p99Ms: 30, errorPercent: 0 },
      { p99Ms: { stableBelow: 10, failureAbove: 20 } },
    );
    const p99 = zones.find((z) => z.metric === "p99Ms")!;
    assert.equal(p99.zone, "failure");
    assert.equal(p99.configured, true);
    assert.match(bandText(p99), /stable < 10, failure > 20, set for this run/);
    assert.equal(zones.length, 5);
    const extra = resourceZones(
      { serverFdPercent: 95, diskUsedPercent: 50, serverGone: 0 },
      { pendingEntries: { stableBelow: 1, failureAbove: 2 } },
    );
    assert.deepEqual(
      extra.map((z) => [z.metric, z.zone ?? z.note]),
      [
        ["serverFdPercent", "failure"],
        ["diskUsedPercent", "stable"],
        ["pendingEntries", "not measured: the run wrote no stream"],
        ["serverGone", "stable"],
      ],
    );
  });

  it("the crash zone: gone once is a failure, and no band can change that", () => {
    const [gone] = resourceZones({ serverGone: 1 }, { serverGone: { stableBelow: 5, failureAbove: 10 } });
    assert.equal(gone.zone, "failure");
    assert.equal(gone.configured, undefined);
    assert.equal(bandText(gone), "stable 0, failure 1 or more");
  });
});

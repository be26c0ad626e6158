import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../../src/config/errors.js";
import { resolveRunConfig } from "../../../src/run/resolve-config.js";
import { createCheck } from "../../../src/scenario-checks/index.js";
import { keysToCheck } from "../../../src/scenario-checks/persisted-keys.js";
import { testRunConfig } from "../../helpers/run-config.js";

/** The problems createCheck reports for a run, as "field: allowed" lines (empty when it is valid). */
function problemsOf(overrides: Parameters<typeof testRunConfig>[0]): string[] {
  try {
    createCheck(testRunConfig(overrides));
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map((p) => `${p.field}: ${p.allowed}`);
  }
}

const PRESSURE_LOAD = { keyMax: 20_000, dataSizeMin: 1024, dataSizeMax: 1024 };
const PERSISTENCE_LOAD = { prefill: true, dataset: "firehose" as const, keyMax: 1000 };

describe("memory-pressure options", () => {
  it("accepts a valid section and starts the managed server with maxmemory and the policy", () => {
    const check = createCheck(
      testRunConfig({
        ...PRESSURE_LOAD,
        check: { kind: "memory-pressure", maxmemory: "8mb", policy: "noeviction" },
      }),
    );
    assert.deepEqual(check?.managedServerArgs(), [
      "--maxmemory",
      "8388608",
      "--maxmemory-policy",
      "noeviction",
    ]);
  });

  it("defaults to 32mb and allkeys-lru", () => {
    const check = createCheck(
      testRunConfig({
        keyMax: 100_000,
        dataSizeMin: 1024,
        dataSizeMax: 1024,
        check: { kind: "memory-pressure" },
      }),
    );
    assert.deepEqual(check?.managedServerArgs(), [
      "--maxmemory",
      "33554432",
      "--maxmemory-policy",
      "allkeys-lru",
    ]);
  });

  it("reports every problem at once, before anything starts", () => {
    const problems = problemsOf({
      url: "redis://127.0.0.1:6379",
      keyMax: 1000,
      dataSizeMin: 32,
      dataSizeMax: 32,
      commands: [{ name: "GET", weight: 1 }],
      keepKeys: true,
      check: {
        kind: "memory-pressure",
        maxmemory: "8mb",
        policy: "allkeys-lur",
        sampleEvery: "5ms",
        maxmem: 1,
      },
    });
    const fields = problems.map((p) => p.split(":")[0]).sort();
    assert.deepEqual(fields, [
      "check.maxmem",
      "check.maxmemory",
      "check.policy",
      "check.reconfigure",
      "check.sampleEvery",
      "keepKeys",
      "ratio",
    ]);
    assert.ok(problems.some((p) => p.includes("did you mean allkeys-lru?")));
    assert.ok(problems.some((p) => p.startsWith("check.maxmemory") && p.includes("keyMax 1000 × 32 bytes")));
    assert.ok(problems.some((p) => p.startsWith("check.reconfigure") && p.includes("CONFIG SET")));
  });

  it("takes a --url server when reconfigure: true", () => {
    assert.deepEqual(
      problemsOf({
        ...PRESSURE_LOAD,
        url: "redis://127.0.0.1:6379",
        check: { kind: "memory-pressure", maxmemory: "8mb", reconfigure: true },
      }),
      [],
    );
  });

  it("rejects sizes that are not memory sizes or below 2mb", () => {
    for (const maxmemory of ["lots", "1mb", -5, "8 tb"]) {
      const problems = problemsOf({ ...PRESSURE_LOAD, check: { kind: "memory-pressure", maxmemory } });
      assert.equal(problems.length, 1, `${maxmemory}: ${problems.join("; ")}`);
      assert.match(problems[0], /^check\.maxmemory: a memory size from 2mb/);
    }
  });
});

describe("persistence-recovery options", () => {
  it("asks the managed server for AOF with everysec by default, and for nothing with aof and rdb off", () => {
    const on = createCheck(testRunConfig({ ...PERSISTENCE_LOAD, check: { kind: "persistence-recovery" } }));
    assert.deepEqual(on?.managedServerArgs(), [
      "--appendonly",
      "yes",
      "--appendfsync",
      "everysec",
      "--save",
      "",
    ]);
    const off = createCheck(
      testRunConfig({ ...PERSISTENCE_LOAD, check: { kind: "persistence-recovery", aof: false, rdb: false } }),
    );
    assert.deepEqual(off?.managedServerArgs(), [
      "--appendonly",
      "no",
      "--appendfsync",
      "everysec",
      "--save",
      "",
    ]);
  });

  it("refuses a --url server, and lists every other problem with it", () => {
    const problems = problemsOf({
      url: "redis://user:secret@cache.example:6379",
      ttlS: 60,
      check: { kind: "persistence-recovery", aof: "yes", verifyKeys: 0, crash: true },
    });
    const fields = problems.map((p) => p.split(":")[0]).sort();
    assert.deepEqual(fields, ["check.aof", "check.verifyKeys", "dataset", "prefill", "ttl", "url"]);
    assert.ok(problems.some((p) => p.includes("persistence-recovery needs the server the tool starts")));
  });

  it("never quotes a password from the URL", () => {
    try {
      createCheck(
        testRunConfig({
          ...PERSISTENCE_LOAD,
          url: "redis://user:secret@cache.example:6379",
          check: { kind: "persistence-recovery" },
        }),
      );
      assert.fail("expected a ConfigError");
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.doesNotMatch(error.message, /secret/);
    }
  });
});

describe("keysToCheck", () => {
  const cases: [number, number | "all", number[]][] = [
    [5, "all", [0, 1, 2, 3, 4]],
    [5, 10, [0, 1, 2, 3, 4]],
    [101, 5, [0, 25, 50, 75, 100]],
    [1000, 1, [0]],
    [10, 2, [0, 9]],
  ];
  for (const [keyMax, limit, expected] of cases) {
    it(`${limit} of ${keyMax} keys`, () => assert.deepEqual(keysToCheck(keyMax, limit), expected));
  }
});

describe("the shipped scenario files", () => {
  for (const name of ["memory-pressure", "persistence-recovery"]) {
    it(`${name}: the check: section reaches the run and is valid`, async () => {
      const { config } = await resolveRunConfig([name]);
      const check = createCheck(config);
      assert.equal(check?.kind, name);
    });
  }
});

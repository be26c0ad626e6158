import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { keyNamespace } from "../src/measure/hit-groups.js";
import { runScenario } from "../src/run/run-scenario.js";
import { KeyPopularity } from "../src/workload/key-popularity.js";
import { info, type ManagedRedis, startRedis } from "./helpers/redis.js";
import { testRunConfig } from "./helpers/run-config.js";

/**
 * Hit ratio per key group, against a real redis-server. The server's own keyspace_hits is the
 * ground truth for the hits; --warm-top makes the expected groups exact: with only the top 1 % of
 * keys present, every read of that group hits and every other read misses.
 */

describe("key popularity order", () => {
  const table: { pattern: "zipf" | "gaussian" | "uniform"; n: number; top: number[] }[] = [
    { pattern: "zipf", n: 10, top: [0, 1, 2] },
    { pattern: "gaussian", n: 5, top: [2, 1, 3, 0, 4] },
    { pattern: "gaussian", n: 4, top: [1, 2, 0, 3] },
    { pattern: "uniform", n: 4, top: [0, 1, 2] },
  ];
  for (const { pattern, n, top } of table)
    it(`${pattern} over ${n} keys: ranks ${top.join(", ")} first; rankOf inverts keyAt`, () => {
      const p = new KeyPopularity(pattern, n);
      assert.deepEqual(
        top.map((_, r) => p.keyAt(r)),
        top,
      );
      for (let r = 0; r < n; r++) assert.equal(p.rankOf(p.keyAt(r)), r);
    });

  it("groups: top 1 %, next 9 %, rest of 1000 keys hold 10, 90 and 900", () => {
    const p = new KeyPopularity("zipf", 1000);
    assert.deepEqual(p.groupSizes(), [10, 90, 900]);
    assert.deepEqual([p.groupOf(9), p.groupOf(10), p.groupOf(99), p.groupOf(100)], [0, 1, 1, 2]);
  });

  it("namespaces are the key argument after the prefix", () => {
    assert.equal(keyNamespace({ name: "GET", weight: 1 }), "{key}");
    assert.equal(keyNamespace({ name: "HGET", weight: 1, template: "HGET {key}:h f" }), "{key}:h");
    assert.equal(
      keyNamespace({ name: "XLEN", weight: 1, template: "XLEN {prefix}events:{type}" }),
      "events:{type}",
    );
  });
});

describe("hit ratio per key group on a real server", () => {
  let redis: ManagedRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  const hitsOf = async () => Number((await info(redis.url, "stats")).keyspace_hits);

  for (const pattern of ["zipf", "gaussian"] as const)
    it(`${pattern}: with the top 1 % warmed, that group hits every read and the others none`, async () => {
      const hitsBefore = await hitsOf();
      const { result } = await runScenario(
        testRunConfig({
          url: redis.url,
          keyPattern: pattern,
          keyMax: 1000,
          commands: [{ name: "GET", weight: 1 }],
          durationMs: undefined,
          requests: 6000,
          pipeline: 8,
          warmTop: 10,
        }),
      );
      const serverHits = (await hitsOf()) - hitsBefore;
      assert.equal(result.countCheck.ok, true, result.countCheck.note);
      assert.equal(result.warm?.keys, 10);
      assert.equal(result.warm?.firstKey, pattern === "zipf" ? 0 : 495);
      const groups = result.hitGroups?.byPopularity;
      assert.ok(groups !== undefined, result.hitGroups?.popularityNote);
      assert.deepEqual(
        groups.map((g) => g.keys),
        [10, 90, 900],
      );
      assert.ok(groups[0].reads > 0 && groups[1].reads > 0 && groups[2].reads > 0);
      assert.equal(groups[0].hitRatio, 1);
      assert.equal(groups[1].hits, 0);
      assert.equal(groups[2].hits, 0);
      const reads = groups.reduce((sum, g) => sum + g.reads, 0);
      assert.equal(reads, result.perCommand.GET.ops);
      // The server counted exactly the hits the groups hold.
      assert.equal(groups[0].hits, serverHits);
      assert.equal(result.hitGroups?.byNamespace[0].hits, serverHits);
    });

  it("templates: per namespace and per popularity group, hits match the server's keyspace_hits", async () => {
    const hitsBefore = await hitsOf();
    const { result } = await runScenario(
      testRunConfig({
        url: redis.url,
        keyPattern: "zipf",
        keyMax: 500,
        commands: [
          { name: "HSET", weight: 1, template: "HSET {key}:h f {value}" },
          { name: "HGET", weight: 3, template: "HGET {key}:h f" },
          { name: "GET", weight: 1, template: "GET {key}:s" },
        ],
        durationMs: undefined,
        requests: 5000,
        pipeline: 4,
      }),
    );
    const serverHits = (await hitsOf()) - hitsBefore;
    assert.equal(result.countCheck.ok, true, result.countCheck.note);
    const groups = result.hitGroups;
    assert.ok(groups !== undefined);
    const byNs = Object.fromEntries(groups.byNamespace.map((g) => [g.namespace, g]));
    assert.deepEqual(Object.keys(byNs).sort(), ["{key}:h", "{key}:s"]);
    assert.equal(byNs["{key}:h"].reads, result.perCommand.HGET.ops);
    assert.equal(byNs["{key}:s"].reads, result.perCommand.GET.ops);
    // Nothing ever writes {key}:s; HSET fills {key}:h as the run goes.
    assert.equal(byNs["{key}:s"].hits, 0);
    assert.ok(byNs["{key}:h"].hits > 0);
    assert.equal(byNs["{key}:h"].hits, serverHits);
    const popular = groups.byPopularity;
    assert.ok(popular !== undefined);
    assert.equal(
      popular.reduce((sum, g) => sum + g.reads, 0),
      result.perCommand.HGET.ops + result.perCommand.GET.ops,
    );
    assert.equal(
      popular.reduce((sum, g) => sum + g.hits, 0),
      serverHits,
    );
    // Popular keys are written more often, so they hit more often.
    assert.ok((popular[0].hitRatio ?? 0) > (popular[2].hitRatio ?? 1));
  });

  it("uniform keys: no popularity groups, and the report says why", async () => {
    const { result, markdownPath, htmlPath } = await runScenario(
      testRunConfig({ url: redis.url, durationMs: undefined, requests: 2000 }),
    );
    assert.equal(result.hitGroups?.byPopularity, undefined);
    assert.match(result.hitGroups?.popularityNote ?? "", /uniform/);
    const { readFile } = await import("node:fs/promises");
    assert.match(await readFile(markdownPath, "utf8"), /### Hit ratio by key group/);
    assert.match(await readFile(htmlPath, "utf8"), /id="hit-groups"/);
  });
});

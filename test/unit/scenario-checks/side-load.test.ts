import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BackingStore, cachedVersion } from "../../../src/scenario-checks/cache-aside/backing-store.js";
import { parseCacheAsideOptions } from "../../../src/scenario-checks/cache-aside/cache-aside-options.js";
import { HitRatioTimeline } from "../../../src/scenario-checks/cache-aside/hit-ratio-timeline.js";
import { PUBSUB_DEFAULTS, parsePubsubOptions } from "../../../src/scenario-checks/pubsub/pubsub-options.js";
import { decodeMessage, encodeMessage } from "../../../src/scenario-checks/side-load/message-format.js";

describe("pub/sub message format", () => {
  const cases: {
    publisher: number;
    seq: number;
    sendEpochMs: number;
    tag: string;
    size: number;
    length: number;
  }[] = [
    { publisher: 0, seq: 0, sendEpochMs: 1_780_000_000_000.123, tag: "m", size: 128, length: 128 },
    { publisher: 7, seq: 123_456, sendEpochMs: 1_780_000_000_001.5, tag: "42", size: 64, length: 64 },
    // Smaller than the header: the header is sent whole, nothing cut.
    { publisher: 1, seq: 9, sendEpochMs: 1_780_000_000_000, tag: "999", size: 0, length: 26 },
  ];
  for (const c of cases) {
    it(`publisher ${c.publisher} seq ${c.seq} size ${c.size} → ${c.length} bytes, decoded back`, () => {
      const message = encodeMessage(c.publisher, c.seq, c.sendEpochMs, c.tag, c.size);
      assert.equal(message.length, c.length);
      assert.deepEqual(decodeMessage(message), {
        publisher: c.publisher,
        seq: c.seq,
        sendEpochMs: Math.round(c.sendEpochMs * 1000) / 1000,
        tag: c.tag,
      });
    });
  }
  for (const foreign of ["hello", "a:b:c:d:", "1:2:x:", ":1:2:3:", "1:2:3"]) {
    it(`${JSON.stringify(foreign)} is not ours`, () => assert.equal(decodeMessage(foreign), undefined));
  }
});

describe("hit ratio timeline", () => {
  it("per-second points, popularity groups and warm-up from 100 ms buckets", () => {
    const t = new HitRatioTimeline(1000, 100, 4);
    // Second 1: 10 reads per 100 ms, one hit in each; second 2: 9 hits of 10 from 1.3 s on.
    for (let b = 0; b < 20; b++) {
      const hits = b < 10 ? 1 : b < 13 ? 5 : 9;
      for (let i = 0; i < 10; i++) t.read(1000 + b * 100 + 50, i < hits ? 0 : 99, i < hits);
    }
    t.invalidated(1000 + 1500);
    const points = t.perSecond();
    assert.deepEqual(points, [
      { tS: 1, reads: 100, hits: 10, misses: 90, hitRatio: 0.1, invalidations: 0 },
      { tS: 2, reads: 100, hits: 78, misses: 22, hitRatio: 0.78, invalidations: 1 },
    ]);
    // Flag 0 (group 1) always hit, flag 99 (group 4) always missed.
    assert.deepEqual(t.groupHitRatios(), [1, null, null, 0]);
    assert.equal(t.hitRatio, 88 / 200);
    // The last 0.5 s reach 0.9 only once five 9-of-10 buckets fill it: buckets 13..17, ending at 1.8 s.
    assert.equal(t.warmUpMs(0.9), 1800);
    // Half the last 0.5 s hit first at buckets 9..13 (1 + 5 + 5 + 5 + 9 = 25 of 50), ending at 1.4 s.
    assert.equal(t.warmUpMs(0.5), 1400);
    assert.equal(t.warmUpMs(0.95), null);
    // From 1.8 s: two buckets of 9 of 10.
    assert.equal(t.hitRatioFrom(1800), 0.9);
  });

  it("a window with fewer than 20 reads never counts as warm", () => {
    const t = new HitRatioTimeline(0, 10, 1);
    for (let b = 0; b < 30; b++) t.read(b * 100, 0, true);
    assert.equal(t.warmUpMs(0.9), null);
  });
});

describe("backing store values", () => {
  it("carry the flag's version, which a writer's update bumps", () => {
    const store = new BackingStore(10, 0, 0, 7);
    assert.equal(cachedVersion(store.valueOf(3)), 0);
    assert.equal(store.update(3), 1);
    assert.match(
      store.valueOf(3),
      /^\{"version":1,"flag":"f3","enabled":(true|false),"rolloutPercent":\d+\}$/,
    );
    assert.equal(cachedVersion(store.valueOf(3)), 1);
    assert.equal(cachedVersion("something else"), -1);
  });
});

describe("check options", () => {
  it("pubsub: defaults when nothing is given", () => {
    assert.deepEqual(parsePubsubOptions({}), { ok: true, options: PUBSUB_DEFAULTS });
  });

  it("cache-aside: durations as people write them", () => {
    const parsed = parseCacheAsideOptions({
      backingLatency: "20ms",
      backingJitter: 0.005,
      ttl: "1m30s",
      invalidateEvery: "1s",
    });
    assert.ok(parsed.ok);
    assert.equal(parsed.options.backingLatencyMs, 20);
    assert.equal(parsed.options.backingJitterMs, 5);
    assert.equal(parsed.options.ttlMs, 90_000);
    assert.equal(parsed.options.invalidateEveryMs, 1000);
    assert.equal(parsed.options.readRatePerS, undefined);
  });

  const bad: { section: Record<string, unknown>; field: string; allowed: RegExp }[] = [
    { section: { readers: 2.5 }, field: "check.readers", allowed: /whole number from 1 to 1000/ },
    { section: { readRate: 0 }, field: "check.readRate", allowed: /above 0/ },
    { section: { ttl: "forever" }, field: "check.ttl", allowed: /a duration from 1ms/ },
    { section: { invalidateEvery: "1ms" }, field: "check.invalidateEvery", allowed: /from 10ms to 1h/ },
    { section: { minHitRatio: 2 }, field: "check.minHitRatio", allowed: /from 0 to 1/ },
    { section: { flag: 10 }, field: "check.flag", allowed: /did you mean flags\?/ },
  ];
  for (const b of bad) {
    it(`cache-aside ${JSON.stringify(b.section)} → ${b.field}`, () => {
      const parsed = parseCacheAsideOptions(b.section);
      assert.ok(!parsed.ok);
      assert.equal(parsed.problems.length, 1, JSON.stringify(parsed.problems));
      assert.equal(parsed.problems[0].field, b.field);
      assert.match(parsed.problems[0].allowed, b.allowed);
    });
  }
});

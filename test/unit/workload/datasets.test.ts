import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DatasetName } from "../../../src/config/types.js";
import {
  buildDatasetPool,
  DATASET_NAMES,
  generateRecords,
} from "../../../src/workload/datasets/dataset-pool.js";
import { type FirehoseEventType, firehoseEventType } from "../../../src/workload/datasets/firehose.js";
import { MARKET_SYMBOLS } from "../../../src/workload/datasets/market.js";
import { CURRENCIES, formatMinor, PAYMENT_EDGE_CASES } from "../../../src/workload/datasets/payments.js";
import { ValuePool } from "../../../src/workload/datasets/value-pool.js";

/** Records enough for shares to settle, few enough to build in well under a second. */
const N = 4000;

describe("every dataset", () => {
  for (const name of DATASET_NAMES) {
    test(`${name}: the same seed gives the same bytes, another seed different ones`, () => {
      const a = buildDatasetPool(name, 7, 300);
      const b = buildDatasetPool(name, 7, 300);
      const c = buildDatasetPool(name, 8, 300);
      assert.equal(a.count, 300);
      assert.ok(a.bytes.equals(b.bytes));
      assert.deepEqual(a.offsets, b.offsets);
      assert.ok(!a.bytes.equals(c.bytes));
    });

    test(`${name}: every pooled value is valid JSON of the record it came from`, () => {
      const pool = buildDatasetPool(name, 3, 500);
      const records = generateRecords(name, 3, 500);
      const distinct = new Set<string>();
      for (let i = 0; i < pool.count; i++) {
        const text = pool.value(i).toString("utf8");
        assert.deepEqual(JSON.parse(text), records[i]);
        assert.equal(pool.valueBytes(i), Buffer.byteLength(text));
        distinct.add(text);
      }
      assert.equal(distinct.size, pool.count, "records are distinct");
      assert.ok(pool.maxValueBytes >= pool.minValueBytes && pool.minValueBytes > 50);
    });
  }
});

test("ValuePool copies value i into a buffer and reports its length", () => {
  const pool = ValuePool.fromValues([Buffer.from("a"), Buffer.from("bcd"), Buffer.from("")]);
  assert.equal(pool.count, 3);
  assert.equal(pool.maxValueBytes, 3);
  assert.equal(pool.minValueBytes, 0);
  const out = Buffer.alloc(6, ".");
  assert.equal(pool.copyValue(1, out, 2), 3);
  assert.equal(out.toString(), "..bcd.");
  assert.equal(pool.value(0).toString(), "a");
  assert.equal(pool.totalBytes, 4);
  assert.throws(() => ValuePool.fromValues([]));
});

test("firehose: the type mix, text lengths and references look like a social feed", () => {
  const events = generateRecords("firehose", 11, N) as unknown as FirehoseRecord[];
  const counts = new Map<FirehoseEventType | undefined, number>();
  let replies = 0;
  let previousTimeUs = 0;
  const postUris = new Set<string>();
  let likesOfKnownPosts = 0;
  for (const e of events) {
    const type = firehoseEventType(e);
    counts.set(type, (counts.get(type) ?? 0) + 1);
    assert.match(e.did, /^did:plc:[a-z2-7]{24}$/);
    assert.equal(e.kind, "commit");
    assert.ok(e.time_us > previousTimeUs, "time_us increases");
    previousTimeUs = e.time_us;
    assert.match(e.commit.rkey, /^[2-7a-z]{13}$/);
    assert.match(e.commit.cid, /^bafyrei[a-z2-7]{52}$/);
    assert.ok(!Number.isNaN(Date.parse(e.commit.record.createdAt)));
    const record = e.commit.record;
    if (type === "post") {
      const text = record.text as string;
      assert.ok(text.length >= 1 && text.length <= 300, `text length ${text.length}`);
      if (record.reply !== undefined) replies++;
      postUris.add(`at://${e.did}/${e.commit.collection}/${e.commit.rkey}`);
    }
    if (type === "like" && postUris.has((record.subject as { uri: string }).uri)) likesOfKnownPosts++;
    if (type === "follow" || type === "block") assert.match(record.subject as string, /^did:plc:/);
  }
  const share = (t: FirehoseEventType) => (counts.get(t) ?? 0) / N;
  assert.equal(counts.get(undefined), undefined, "every event has a known collection");
  assert.ok(share("like") > 0.45 && share("like") < 0.65, `likes ${share("like")}`);
  assert.ok(share("post") > 0.1 && share("post") < 0.2, `posts ${share("post")}`);
  assert.ok(share("repost") > 0.07 && share("repost") < 0.17);
  assert.ok(share("follow") > 0.1 && share("follow") < 0.2);
  assert.ok(share("block") > 0.01 && share("block") < 0.06);
  const posts = counts.get("post") ?? 0;
  assert.ok(replies / posts > 0.2 && replies / posts < 0.5, `replies ${replies}/${posts}`);
  // Likes point at posts of the same feed, not at made-up ones.
  assert.ok(likesOfKnownPosts / (counts.get("like") ?? 1) > 0.9);
});

test("payments: positive amounts in the currency's digits, plausible rates, a small share of edge cases", () => {
  const payments = generateRecords("payments", 5, N) as unknown as PaymentRecord[];
  let edgeCases = 0;
  const currencies = new Set<string>();
  for (const p of payments) {
    const currency = CURRENCIES[p.currency];
    assert.ok(currency !== undefined, p.currency);
    currencies.add(p.currency);
    const decimals = p.currency === "JPY" ? 0 : 2;
    assert.match(p.amount, decimals === 0 ? /^[1-9]\d*$/ : /^\d+\.\d{2}$/);
    assert.ok(Number(p.amount) > 0);
    assert.equal(p.amount, formatMinor(p.amountMinor, decimals));
    assert.equal(p.fxRate, currency.perUsd);
    const expectedUsd = Number(p.amount) / currency.perUsd;
    assert.ok(
      Math.abs(p.amountUsd - expectedUsd) <= 0.01 + expectedUsd * 1e-9,
      `${p.amountUsd} vs ${expectedUsd}`,
    );
    assert.match(p.merchant.id, /^mer_[0-9a-f]{12}$/);
    assert.match(p.card.last4, /^\d{4}$/);
    if (p.edgeCase !== null) {
      edgeCases++;
      assert.ok((PAYMENT_EDGE_CASES as readonly string[]).includes(p.edgeCase));
    }
    if (p.edgeCase === "missing-device") assert.equal(p.device, null);
    else assert.equal(typeof p.device, "object");
    if (p.edgeCase === "min-amount") assert.equal(p.amountMinor, 1);
    if (p.edgeCase === "large-amount") assert.ok(p.amountUsd >= 49_000);
  }
  assert.ok(edgeCases / N >= 0.01 && edgeCases / N <= 0.035, `edge cases ${edgeCases}/${N}`);
  assert.ok(currencies.has("JPY") && currencies.has("USD") && currencies.size >= 8);
});

test("formatMinor writes minor units in the currency's digits", () => {
  for (const [minor, decimals, text] of [
    [1, 2, "0.01"],
    [1234, 2, "12.34"],
    [100, 2, "1.00"],
    [1234, 0, "1234"],
  ] as const) {
    assert.equal(formatMinor(minor, decimals), text);
  }
});

test("market: known symbols, bid < price < ask, prices near their level, volume only grows", () => {
  const snapshots = generateRecords("market", 9, N) as unknown as MarketRecord[];
  const levels = new Map(MARKET_SYMBOLS.map((s) => [s.symbol, s.price]));
  const lastVolume = new Map<string, number>();
  let previousTs = 0;
  for (const s of snapshots) {
    const level = levels.get(s.symbol);
    assert.ok(level !== undefined, s.symbol);
    assert.ok(s.price > level * 0.7 && s.price < level * 1.3, `${s.symbol} ${s.price}`);
    assert.ok(s.bid < s.price && s.price < s.ask);
    assert.ok(s.low <= s.price && s.price <= s.high);
    assert.ok(s.volume > (lastVolume.get(s.symbol) ?? 0));
    lastVolume.set(s.symbol, s.volume);
    assert.ok(s.ts >= previousTs);
    previousTs = s.ts;
  }
  assert.ok(lastVolume.size >= MARKET_SYMBOLS.length - 2, "most symbols tick");
});

test("dataset names are the ones the config accepts", () => {
  const names: DatasetName[] = ["firehose", "payments", "market"];
  assert.deepEqual([...DATASET_NAMES], names);
});

interface FirehoseRecord {
  did: string;
  time_us: number;
  kind: string;
  commit: {
    collection: string;
    rkey: string;
    cid: string;
    record: Record<string, unknown> & { createdAt: string };
  };
}

interface PaymentRecord {
  amount: string;
  amountMinor: number;
  amountUsd: number;
  currency: string;
  fxRate: number;
  merchant: { id: string };
  card: { last4: string };
  device: unknown;
  edgeCase: string | null;
}

interface MarketRecord {
  symbol: string;
  ts: number;
  price: number;
  bid: number;
  ask: number;
  low: number;
  high: number;
  volume: number;
}

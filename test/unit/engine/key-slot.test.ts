import assert from "node:assert/strict";
import { test } from "node:test";
import { KeySlotter, keySlot } from "../../../src/engine/key-slot.js";

test("keySlot matches the Redis Cluster specification's examples", () => {
  // Values from CLUSTER KEYSLOT on a real server and the spec's test vector (crc16("123456789") = 0x31C3).
  assert.equal(keySlot("123456789"), 0x31c3 % 16384);
  assert.equal(keySlot("foo"), 12182);
  assert.equal(keySlot("bar"), 5061);
  assert.equal(keySlot("{user1000}.following"), keySlot("user1000"));
  assert.equal(keySlot("{user1000}.followers"), keySlot("{user1000}.following"));
  // An empty tag is not a tag: the whole key is hashed.
  assert.equal(keySlot("foo{}{bar}"), keySlot(Buffer.from("foo{}{bar}")));
  assert.notEqual(keySlot("foo{}{bar}"), keySlot("bar"));
});

test("KeySlotter continues the prefix's CRC over the zero-padded digits", () => {
  const slotter = new KeySlotter("cs:run1:", 6);
  for (const key of [0, 7, 42, 99_999, 123_456, 999_999]) {
    assert.equal(slotter.slotOf(key), keySlot(`cs:run1:${String(key).padStart(6, "0")}`), `key ${key}`);
  }
  const pinned = new KeySlotter("cs:{tenant7}:", 4);
  assert.equal(pinned.pinnedSlot, keySlot("tenant7"));
  assert.equal(pinned.slotOf(1), pinned.slotOf(9999));
});

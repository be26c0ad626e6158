import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { redactConfig, redactText, redactUrl } from "../../../src/core/redact.js";
import { makeConfig } from "./fixture.js";

const URL_CASES: Array<[input: string, expected: string]> = [
  // No credentials: unchanged, character for character.
  ["redis://127.0.0.1:6379", "redis://127.0.0.1:6379"],
  ["redis://localhost:6379/2", "redis://localhost:6379/2"],
  [
    "rediss://my-cache.abc123.use1.cache.amazonaws.com:6379",
    "rediss://my-cache.abc123.use1.cache.amazonaws.com:6379",
  ],
  ["redis://[::1]:6379/0", "redis://[::1]:6379/0"],
  ["", ""],
  // User and password: the user stays, the password goes.
  ["redis://user:pass@host:6379/0", "redis://user:***@host:6379/0"],
  ["redis://default:hunter2@10.0.0.5:6379", "redis://default:***@10.0.0.5:6379"],
  [
    "rediss://app-user:Zm9v+YmFy/YmF6==@cache.redis.cache.windows.net:6380",
    "rediss://app-user:***@cache.redis.cache.windows.net:6380",
  ],
  // Password only.
  ["rediss://:pass@host", "rediss://:***@host"],
  ["redis://:p%40ss%3Aword@host:6379", "redis://:***@host:6379"],
  // A lone user part may be a token, so it is hidden too.
  ["redis://alice@host:6379", "redis://***@host:6379"],
  ["rediss://eyJhbGciOiJIUzI1NiJ9.token@host", "rediss://***@host"],
  // Nothing to hide.
  ["redis://user:@host", "redis://user:@host"],
  ["redis://:@host", "redis://:@host"],
  ["redis://@host", "redis://@host"],
  // Special characters that a strict URL parser would reject or misread.
  ["redis://user:p@ss@host:6379", "redis://user:***@host:6379"],
  ["redis://:pa/ss#word?x@host:6379/0", "redis://:***@host:6379/0"],
  ["redis://user:pa ss w0rd@host", "redis://user:***@host"],
  ["redis://us er:ünïcødé€@host", "redis://us er:***@host"],
  // Already redacted: idempotent.
  ["redis://user:***@host", "redis://user:***@host"],
  ["redis://***@host", "redis://***@host"],
  // Malformed: no scheme, scheme without slashes, garbage.
  ["user:pass@host:6379", "user:***@host:6379"],
  ["//:secret@host", "//:***@host"],
  ["not a url", "not a url"],
  ["redis://", "redis://"],
  ["::::@@@@", ":***@"],
  // Credentials in the query string.
  ["redis://host:6379/0?password=hunter2", "redis://host:6379/0?password=***"],
  ["redis://host/0?db=1&token=abc&x=1", "redis://host/0?db=1&token=***&x=1"],
  ["redis://host/0?Password=abc#frag", "redis://host/0?Password=***#frag"],
];

describe("redactUrl", () => {
  for (const [input, expected] of URL_CASES) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(redactUrl(input), expected);
      assert.equal(redactUrl(redactUrl(input)), expected, "applying it twice changes nothing");
    });
  }

  it("never throws, whatever the input", () => {
    for (const input of ["\u0000", "%%%", "redis://\uD800@host", "a".repeat(10_000), "@", "//@"]) {
      assert.doesNotThrow(() => redactUrl(input));
    }
  });
});

const TEXT_CASES: Array<[input: string, expected: string]> = [
  ["connect ECONNREFUSED redis://:pw@10.0.0.5:6379", "connect ECONNREFUSED redis://:***@10.0.0.5:6379"],
  ["lost redis://u:p@a and rediss://:q@b", "lost redis://u:***@a and rediss://:***@b"],
  ["no url here, mail me at a@b.c", "no url here, mail me at a@b.c"],
  ["redis://host:6379 went away", "redis://host:6379 went away"],
];

describe("redactText", () => {
  for (const [input, expected] of TEXT_CASES) {
    it(JSON.stringify(input), () => assert.equal(redactText(input), expected));
  }
});

describe("redactConfig", () => {
  it("redacts the URL and leaves every other field equal", () => {
    const config = makeConfig({ url: "redis://admin:topsecret@host:6379/1" });
    const redacted = redactConfig(config);
    assert.equal(redacted.url, "redis://admin:***@host:6379/1");
    assert.deepEqual({ ...redacted, url: undefined }, { ...config, url: undefined });
  });

  it("returns a copy and never mutates its input", () => {
    const config = makeConfig({ url: "redis://:topsecret@host" });
    const redacted = redactConfig(config);
    assert.equal(config.url, "redis://:topsecret@host");
    redacted.commands.push({ name: "GET", weight: 9 });
    assert.equal(config.commands.length, 2);
  });

  it("keeps an absent URL absent", () => {
    const redacted = redactConfig(makeConfig({ url: undefined }));
    assert.equal(redacted.url, undefined);
  });
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { AuthTokenError, fetchAuthToken, parseTokenOutput } from "../../../src/run/auth-token.js";
import {
  DEFAULT_TOKEN_REFRESH_MS,
  refreshDelayMs,
  TokenRefresher,
} from "../../../src/run/token-refresher.js";

test("parseTokenOutput: a bare token, or JSON in our shape or az CLI's", () => {
  const table: [string, ReturnType<typeof parseTokenOutput> | RegExp][] = [
    ["eyJ0eXAi.abc.def\n", { token: "eyJ0eXAi.abc.def" }],
    ['{"token": "t1", "expiresOnMs": 1700000000000}', { token: "t1", expiresOnMs: 1_700_000_000_000 }],
    ['{"token": "t2"}', { token: "t2" }],
    [
      '{"accessToken": "t3", "expires_on": 1700000000, "tokenType": "Bearer"}',
      { token: "t3", expiresOnMs: 1_700_000_000_000 },
    ],
    ['{"accessToken": "t4", "expires_on": "1700000000"}', { token: "t4", expiresOnMs: 1_700_000_000_000 }],
    ["", /printed nothing/],
    ["  \n", /printed nothing/],
    ["two words", /more than one word/],
    ["tok\nen", /more than one word/],
    ["{not json", /not/],
    ['{"expiresOnMs": 5}', /without a "token"/],
    ['{"token": ""}', /without a "token"/],
  ];
  for (const [stdout, expected] of table) {
    const parsed = parseTokenOutput(stdout);
    if (expected instanceof RegExp) {
      assert.equal(typeof parsed, "string", JSON.stringify(stdout));
      assert.match(parsed as string, expected);
      // An error never quotes what the command printed: it may be a secret in an unexpected shape.
      if (stdout.trim().length > 2) assert.ok(!(parsed as string).includes(stdout.trim()));
    } else assert.deepEqual(parsed, expected, JSON.stringify(stdout));
  }
});

test("refreshDelayMs: the asked-for interval, never past 80% of the lifetime, 45 min by default", () => {
  const now = 1_000_000;
  const table: [number | undefined, number | undefined, number][] = [
    // [expiresOnMs, refreshEveryMs, expected delay]
    [undefined, undefined, DEFAULT_TOKEN_REFRESH_MS],
    [undefined, 60_000, 60_000],
    [now + 3_600_000, undefined, 2_880_000],
    [now + 3_600_000, 45 * 60_000, 45 * 60_000],
    [now + 3_600_000, 55 * 60_000, 2_880_000],
    [now + 500, undefined, 1000], // about to expire: soon, but never a busy loop
    [now - 10_000, 60_000, 1000], // already expired
  ];
  for (const [expiresOnMs, refreshEveryMs, expected] of table) {
    const token = expiresOnMs === undefined ? { token: "t" } : { token: "t", expiresOnMs };
    assert.equal(refreshDelayMs(token, now, refreshEveryMs), expected, `${expiresOnMs} ${refreshEveryMs}`);
  }
});

test("fetchAuthToken runs a real shell command: its stdout is the token, failures are one line", async () => {
  assert.deepEqual(await fetchAuthToken("printf 'tok-%s\\n' 42"), { token: "tok-42" });
  assert.deepEqual(await fetchAuthToken(`echo '{"token":"j","expiresOnMs":123}'`), {
    token: "j",
    expiresOnMs: 123,
  });
  const failures: [string, RegExp][] = [
    [
      "echo secret-ish; echo 'az login first' >&2; exit 3",
      /^--auth-token-command exited with code 3: az login first$/,
    ],
    ["true", /^--auth-token-command printed nothing/],
    ["sleep 5", /^--auth-token-command gave no token within 300 ms$/],
    ["no-such-command-cachestress", /^--auth-token-command exited with code 127: .*not found/],
  ];
  for (const [command, message] of failures) {
    const started = Date.now();
    const error = await fetchAuthToken(command, 300).catch((e: unknown) => e);
    assert.ok(error instanceof AuthTokenError, `${command}: ${String(error)}`);
    assert.equal(error.code, "E_AUTH_TOKEN");
    assert.match(error.message, message);
    assert.doesNotMatch(error.message, /secret-ish/);
    assert.ok(Date.now() - started < 3000, `${command} took ${Date.now() - started} ms`);
  }
});

test("TokenRefresher hands a fresh token out when one is due, and keeps the old one when a fetch fails", async () => {
  const handedOut: string[] = [];
  const problems: string[] = [];
  const refresher = new TokenRefresher(
    "echo fresh-token",
    1000,
    (token) => {
      handedOut.push(token.token);
    },
    (message) => problems.push(message),
  );
  // Fetched 2 s ago with a 1 s interval: the refresh is due at once.
  refresher.start({ token: "first" }, Date.now() - 2000);
  for (let i = 0; i < 100 && handedOut.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  await refresher.stop();
  assert.deepEqual(handedOut, ["fresh-token"]);
  assert.deepEqual(refresher.counts, { refreshes: 1, refreshFailures: 0 });
  assert.equal(problems.length, 0, problems.join("; "));

  const failing = new TokenRefresher(
    "exit 4",
    1000,
    () => assert.fail("no token to hand out"),
    (m) => problems.push(m),
  );
  failing.start({ token: "first" }, Date.now() - 2000);
  for (let i = 0; i < 100 && problems.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  await failing.stop();
  assert.equal(failing.counts.refreshFailures, 1);
  assert.equal(failing.counts.refreshes, 0);
  assert.deepEqual(problems, [
    "token refresh failed, keeping the current token: --auth-token-command exited with code 4",
  ]);
});

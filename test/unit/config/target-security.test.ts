import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "../../../src/config/errors.js";
import { parseRunArgs } from "../../../src/config/flags.js";
import { securityProblems } from "../../../src/config/target-security.js";
import type { RunConfig } from "../../../src/config/types.js";
import { redactConfig } from "../../../src/core/redact.js";
import { resolveTarget } from "../../../src/core/target.js";
import { resolveRunConfig } from "../../../src/run/resolve-config.js";
import { makeTestCertificates } from "../../helpers/tls-certs.js";

async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "cachestress-security-"));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function problems(argv: string[]): Promise<string[]> {
  try {
    await resolveRunConfig(argv);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map((p) => `${p.source ? `${p.source}:` : ""}${p.field}: ${p.allowed}`);
  }
  assert.fail(`expected a ConfigError for ${argv.join(" ")}`);
}

test("the TLS and token flags parse into RunConfig fields, in canonical units", () => {
  const { flags, problems: found } = parseRunArgs([
    "--tls-ca",
    "ca.pem",
    "--tls-cert",
    "c.pem",
    "--tls-key",
    "k.pem",
    "--tls-servername",
    "my-cache.redis.cache.windows.net",
    "--tls-insecure",
    "--auth-token-command",
    "az account get-access-token --query accessToken -o tsv",
    "--auth-token-refresh",
    "30m",
  ]);
  assert.deepEqual(found, []);
  assert.equal(flags.tlsCaFile, "ca.pem");
  assert.equal(flags.tlsCertFile, "c.pem");
  assert.equal(flags.tlsKeyFile, "k.pem");
  assert.equal(flags.tlsServername, "my-cache.redis.cache.windows.net");
  assert.equal(flags.tlsInsecure, true);
  assert.equal(flags.authTokenCommand, "az account get-access-token --query accessToken -o tsv");
  assert.equal(flags.authTokenRefreshMs, 1_800_000);
});

test("bad values are judged by the shared rules", () => {
  const cases: [string[], string, RegExp][] = [
    [["--tls-servername", "10.0.0.5"], "--tls-servername", /not an IP address/],
    [["--tls-servername", "bad name"], "--tls-servername", /host name/],
    [["--auth-token-refresh", "500ms"], "--auth-token-refresh", /from 1s to 24h/],
    [["--auth-token-refresh", "2d"], "--auth-token-refresh", /from 1s to 24h/],
    [["--auth-token-command", "   "], "--auth-token-command", /shell command/],
    [["--tls-insecure=yes"], "--tls-insecure", /on\/off flag/],
  ];
  for (const [argv, field, allowed] of cases) {
    const found = parseRunArgs(argv).problems;
    assert.equal(found.length, 1, argv.join(" "));
    assert.equal(found[0].field, field);
    assert.match(found[0].allowed, allowed);
  }
});

test("checks between the fields and the URL, every one at once", () => {
  const table: [Parameters<typeof securityProblems>[0], string | undefined, string[]][] = [
    [{ tlsCaFile: "ca.pem" }, "rediss://h:6380", []],
    [{ tlsCaFile: "ca.pem", tlsInsecure: true }, "redis://h:6379", ["tlsCaFile", "tlsInsecure"]],
    [{ tlsServername: "x.example" }, undefined, ["tlsServername"]],
    [{ tlsCertFile: "c.pem" }, "rediss://h", ["tlsKeyFile"]],
    [{ tlsKeyFile: "k.pem" }, "rediss://h", ["tlsCertFile"]],
    [{ authTokenRefreshMs: 60_000 }, "rediss://h", ["authTokenRefreshMs"]],
    [{ authTokenCommand: "get-token" }, "rediss://user@h:6380", []],
    [{ authTokenCommand: "get-token" }, "rediss://user:pw@h:6380", ["authTokenCommand"]],
    [{ authTokenCommand: "get-token" }, undefined, ["authTokenCommand"]],
  ];
  for (const [security, url, keys] of table) {
    assert.deepEqual(
      securityProblems(security, url).map((p) => p.key),
      keys,
      `${JSON.stringify(security)} with ${url}`,
    );
  }
});

test("PEM files are read and checked at config time: missing, not PEM, not a key", async () => {
  const notPem = await tempFile("ca.pem", "hello\n");
  const found = await problems([
    "--url",
    "rediss://127.0.0.1:6380",
    "--tls-ca",
    notPem,
    "--tls-cert",
    "/nonexistent/client.pem",
    "--tls-key",
    notPem,
  ]);
  assert.equal(found.length, 3, found.join("\n"));
  assert.match(found[0], /^--tls-ca: PEM CA certificates \(no -----BEGIN CERTIFICATE----- block/);
  assert.match(found[1], /^--tls-cert: a readable PEM certificate file \(ENOENT\)/);
  assert.match(found[2], /^--tls-key: an unencrypted PEM private key/);
});

test("a private key that belongs to another certificate is caught before connecting", async () => {
  const certs = makeTestCertificates();
  try {
    const found = await problems([
      "--url",
      "rediss://127.0.0.1:6380",
      "--tls-ca",
      certs.ca,
      "--tls-cert",
      certs.clientCert,
      "--tls-key",
      certs.serverKey,
    ]);
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(found[0], /^--tls-key: the private key of .*client\.crt \(.*key values mismatch/);
    const good = await resolveRunConfig([
      "--url",
      "rediss://127.0.0.1:6380",
      "--tls-ca",
      certs.ca,
      "--tls-cert",
      certs.clientCert,
      "--tls-key",
      certs.clientKey,
    ]);
    assert.equal(good.config.tlsKeyFile, certs.clientKey);
  } finally {
    certs.remove();
  }
});

test("a scenario file takes the same fields; its paths are relative to the file", async () => {
  const path = await tempFile(
    "tls.yaml",
    "url: rediss://cache.example:6380\ntlsCa: missing-ca.pem\ntlsServername: cache.example\ntlsInsecure: true\nauthTokenRefresh: 10\n",
  );
  const found = await problems([path]);
  assert.equal(found.length, 2, found.join("\n"));
  assert.ok(
    found.some((p) => /tls\.yaml:authTokenRefresh: only with --auth-token-command$/.test(p)),
    found.join("\n"),
  );
  assert.ok(
    found.some((p) => /tls\.yaml:tlsCa: a readable PEM file .*\(ENOENT\)$/.test(p)),
    found.join("\n"),
  );
  const fixed = await resolveRunConfig([path, "--auth-token-command", "echo t"]).catch((e: ConfigError) => e);
  assert.ok(fixed instanceof ConfigError);
  assert.equal(fixed.problems.length, 1);
  assert.equal(fixed.problems[0].value, join(path, "..", "missing-ca.pem"));
});

test("a good set resolves into RunConfig, and the report copy hides the token command", async () => {
  const resolved = await resolveRunConfig([
    "--url",
    "rediss://reader@cache.example:6380",
    "--tls-servername",
    "cache.example",
    "--auth-token-command",
    "get-token --secret abc",
    "--auth-token-refresh",
    "45m",
  ]);
  const c: RunConfig = resolved.config;
  assert.equal(c.tlsServername, "cache.example");
  assert.equal(c.authTokenCommand, "get-token --secret abc");
  assert.equal(c.authTokenRefreshMs, 2_700_000);
  assert.equal(c.tlsInsecure, undefined);
  assert.equal(redactConfig(c).authTokenCommand, "***");
  assert.equal(c.authTokenCommand, "get-token --secret abc"); // the live config is untouched
});

test("resolveTarget: REDIS_USERNAME and REDIS_PASSWORD, the URL wins, a token replaces the password", () => {
  const table: [
    string,
    NodeJS.ProcessEnv,
    { password?: string },
    { username?: string; password?: string },
  ][] = [
    ["redis://h", {}, {}, {}],
    ["redis://h", { REDIS_PASSWORD: "p" }, {}, { password: "p" }],
    ["redis://h", { REDIS_USERNAME: "u", REDIS_PASSWORD: "p" }, {}, { username: "u", password: "p" }],
    [
      "redis://url-user:url-pw@h",
      { REDIS_USERNAME: "u", REDIS_PASSWORD: "p" },
      {},
      { username: "url-user", password: "url-pw" },
    ],
    ["redis://h", { REDIS_USERNAME: "u" }, {}, {}], // a user without a password is not an AUTH
    ["rediss://oid@h", { REDIS_PASSWORD: "p" }, { password: "tok" }, { username: "oid", password: "tok" }],
  ];
  for (const [url, env, options, expected] of table) {
    const { connection } = resolveTarget(url, env, options);
    assert.deepEqual(
      { username: connection.username, password: connection.password },
      { username: expected.username, password: expected.password },
      `${url} ${JSON.stringify(env)}`,
    );
  }
  const secure = resolveTarget(
    "rediss://h:6380",
    {},
    { ca: "CA", cert: "C", key: "K", servername: "n.example", insecure: true },
  );
  assert.equal(secure.connection.ca, "CA");
  assert.equal(secure.connection.cert, "C");
  assert.equal(secure.connection.key, "K");
  assert.equal(secure.connection.servername, "n.example");
  assert.equal(secure.connection.rejectUnauthorized, false);
  assert.equal(resolveTarget("rediss://h:6380").connection.rejectUnauthorized, true);
});

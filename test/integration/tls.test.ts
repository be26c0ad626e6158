import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { AuditReport } from "../../src/checks/config-audit.js";
import type { RunResult } from "../../src/result/result-types.js";
import { runCli } from "../helpers/cli.js";
import { commandStats, startTlsRedis, type TlsRedis } from "../helpers/redis.js";
import { makeTestCertificates, type TestCertificates } from "../helpers/tls-certs.js";

const outDir = () => mkdtempSync(join(tmpdir(), "cachestress-tls-"));

/** Server-side SET and GET calls between two commandstats reads. */
function serverCalls(before: Awaited<ReturnType<typeof commandStats>>, after: typeof before) {
  const diff = (name: string) => (after[name]?.calls ?? 0) - (before[name]?.calls ?? 0);
  return { SET: diff("set"), GET: diff("get") };
}

/** A short closed-loop run with an exact count, so the count check is exact too. */
function runArgs(url: string, ...more: string[]): string[] {
  return [
    "run",
    "--url",
    url,
    "--requests",
    "3000",
    "-c",
    "4",
    "--pipeline",
    "4",
    "--out",
    outDir(),
    "--json",
    ...more,
  ];
}

function assertExactCounts(result: RunResult, server: { SET: number; GET: number }): void {
  assert.equal(result.totals.ops, 3000);
  assert.equal(result.totals.errors, 0);
  assert.equal(result.countCheck.checked, true);
  assert.equal(result.countCheck.ok, true, result.countCheck.note);
  assert.equal(result.countCheck.byCommand.SET.server, server.SET);
  assert.equal(result.countCheck.byCommand.GET.server, server.GET);
  assert.equal(result.perCommand.SET.ops, server.SET);
  assert.equal(result.perCommand.GET.ops, server.GET);
}

describe("TLS targets (rediss://) against a real TLS redis-server", () => {
  let certs: TestCertificates;
  let server: TlsRedis;
  before(async () => {
    certs = makeTestCertificates();
    server = await startTlsRedis(certs);
  });
  after(async () => {
    await server?.stop();
    certs?.remove();
  });

  it("--tls-ca verifies the server: exact counts against INFO commandstats, probes sampled over TLS", async () => {
    const statsBefore = await commandStats(server.url);
    const run = await runCli(runArgs(server.tlsUrl, "--tls-ca", certs.ca));
    const statsAfter = await commandStats(server.url);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as RunResult;
    assert.equal(result.target.tls, true);
    assertExactCounts(result, serverCalls(statsBefore, statsAfter));
    // The probe connection got through TLS too: it sampled the server's memory.
    assert.ok(result.serverSeries?.some((s) => s.usedMemoryBytes !== undefined));
    assert.ok(!result.warnings.some((w) => /probe connection/.test(w)), result.warnings.join("; "));
    assert.doesNotMatch(run.stderr, /tls-insecure/);
  });

  it("without --tls-ca our own CA is not trusted: exit 3 within 5 s, one line with the cause and the fix", async () => {
    const run = await runCli(runArgs(server.tlsUrl));
    assert.equal(run.code, 3, run.stderr);
    assert.ok(run.durationMs < 5000, `took ${run.durationMs} ms`);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
    assert.match(run.stderr, /certificate/i);
    assert.match(run.stderr, /--tls-ca/);
  });

  it("--tls-insecure skips verification, and says so exactly once", async () => {
    const run = await runCli(runArgs(server.tlsUrl, "--tls-insecure"));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr.match(/--tls-insecure/g)?.length, 1, run.stderr);
    assert.equal((JSON.parse(run.stdout) as RunResult).totals.ops, 3000);
  });

  it("--tls-servername is the name the certificate is checked against", async () => {
    const good = await runCli(runArgs(server.tlsUrl, "--tls-ca", certs.ca, "--tls-servername", "localhost"));
    assert.equal(good.code, 0, good.stderr);
    const wrong = await runCli(
      runArgs(server.tlsUrl, "--tls-ca", certs.ca, "--tls-servername", "cache.example.com"),
    );
    assert.equal(wrong.code, 3, wrong.stderr);
    assert.equal(wrong.stderr.trim().split("\n").length, 1, wrong.stderr);
    assert.match(wrong.stderr, /cache\.example\.com|altnames/);
  });

  it("TLS flags are checked before anything connects: every problem at once, exit 2", async () => {
    const run = await runCli([
      "run",
      "--url",
      server.tlsUrl,
      "--tls-ca",
      join(certs.dir, "no-such-ca.pem"),
      "--tls-cert",
      certs.clientCert,
      "--tls-servername",
      "127.0.0.1",
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--tls-ca: got ".*no-such-ca\.pem"; allowed: a readable PEM file .*ENOENT/);
    assert.match(run.stderr, /--tls-key: got nothing; allowed: the PEM private key/);
    assert.match(run.stderr, /--tls-servername: got "127\.0\.0\.1"/);
    const plain = await runCli(["run", "--url", server.url, "--tls-ca", certs.ca, "--tls-insecure"]);
    assert.equal(plain.code, 2, plain.stderr);
    assert.match(plain.stderr, /--tls-ca: .*only with a rediss:\/\/ URL/);
    assert.match(plain.stderr, /--tls-insecure: .*only with a rediss:\/\/ URL/);
    const notPem = await runCli(["run", "--url", server.tlsUrl, "--tls-ca", certs.serverKey]);
    assert.equal(notPem.code, 2, notPem.stderr);
    assert.match(notPem.stderr, /--tls-ca: .*BEGIN CERTIFICATE/);
  });
});

describe("mutual TLS (tls-auth-clients yes)", () => {
  let certs: TestCertificates;
  let server: TlsRedis;
  before(async () => {
    certs = makeTestCertificates();
    server = await startTlsRedis(certs, { clientCertificates: true });
  });
  after(async () => {
    await server?.stop();
    certs?.remove();
  });

  it("without a client certificate: exit 3 within 5 s, one line", async () => {
    const run = await runCli(runArgs(server.tlsUrl, "--tls-ca", certs.ca));
    assert.equal(run.code, 3, run.stderr);
    assert.ok(run.durationMs < 5000, `took ${run.durationMs} ms`);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
    assert.match(run.stderr, /--tls-cert/);
  });

  it("with --tls-cert and --tls-key: exact counts against INFO commandstats", async () => {
    const statsBefore = await commandStats(server.url);
    const run = await runCli(
      runArgs(
        server.tlsUrl,
        "--tls-ca",
        certs.ca,
        "--tls-cert",
        certs.clientCert,
        "--tls-key",
        certs.clientKey,
      ),
    );
    const statsAfter = await commandStats(server.url);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as RunResult;
    assertExactCounts(result, serverCalls(statsBefore, statsAfter));
    assert.ok(result.serverSeries?.some((s) => s.usedMemoryBytes !== undefined));
  });

  it("cachestress audit takes the same TLS flags", async () => {
    const flags = ["--tls-ca", certs.ca, "--tls-cert", certs.clientCert, "--tls-key", certs.clientKey];
    const run = await runCli(["audit", "--url", server.tlsUrl, ...flags, "--json"]);
    assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}: ${run.stderr}`);
    const report = JSON.parse(run.stdout) as AuditReport;
    assert.equal(report.target, server.tlsUrl);
    assert.ok(report.findings.length > 0);
    const refused = await runCli(["audit", "--url", server.tlsUrl, "--tls-ca", certs.ca]);
    assert.equal(refused.code, 3, refused.stderr);
    assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
  });
});

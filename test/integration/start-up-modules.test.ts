import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { CLI_PATH } from "../helpers/cli.js";

/**
 * Start-up is module loading (docs/engine.md, "Start-up"): a run reaches its first command in
 * under 0.4 s only while it loads none of the heavy packages other commands need. A later import
 * of one of them from a module on the run's path (as budget-watch.ts once imported the scenario-file
 * reader, pulling in yaml and zod) brings back ~0.1 s each; this test names the import instead.
 */

const TRACE = fileURLToPath(new URL("../helpers/trace-imports.js", import.meta.url));

/** Packages a run without a scenario file must not load, and why they are heavy. */
const NOT_ON_A_RUN = [
  "yaml", // scenario files only
  "zod", // scenario-file schema
  "fastify", // dashboard
  "@fastify",
  "@opentelemetry", // --publish otlp
  "prom-client", // --publish prometheus
  "@aws-sdk", // --publish cloudwatch, ElastiCache API
  "@azure", // --publish azure
  "hyparquet", // stream-writer verify
  "hyparquet-writer", // stream-writer
  "cron-parser", // stream-writer --cron
  "nodemailer", // email alerts, loaded when a rule fires
  "@redis/search", // the `redis` umbrella package's modules: the tool uses @redis/client alone
  "@redis/json",
  "@redis/bloom",
  "@redis/time-series",
];

function packagesLoaded(args: string[]): { code: number | null; packages: Set<string> } {
  const r = spawnSync(process.execPath, ["--import", TRACE, CLI_PATH, ...args], {
    encoding: "utf8",
    timeout: 30_000,
  });
  const packages = new Set<string>();
  for (const line of r.stderr.split("\n")) {
    const m = /^imported .*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line);
    if (m !== null) packages.add(m[1]);
  }
  return { code: r.status, packages };
}

function heavyIn(packages: Set<string>): string[] {
  return [...packages].filter((p) => NOT_ON_A_RUN.some((h) => p === h || p.startsWith(`${h}/`)));
}

describe("start-up: what a run loads", () => {
  it("--version loads the run's code but none of the heavy packages", () => {
    const { code, packages } = packagesLoaded(["--version"]);
    assert.equal(code, 0);
    // The trace works: the run's own client is among what it saw.
    assert.ok(packages.has("@redis/client"), `traced packages: ${[...packages].join(", ")}`);
    assert.deepEqual(heavyIn(packages), []);
  });

  it("a run without a scenario file (to an unreachable target) loads none of them either", () => {
    // Port 1 on loopback refuses at once: the run goes through resolving its config, the target's
    // connection and the failure report.
    const { code, packages } = packagesLoaded(["run", "--url", "redis://127.0.0.1:1", "--requests", "10"]);
    assert.equal(code, 3);
    assert.ok(packages.has("@redis/client"));
    assert.deepEqual(heavyIn(packages), []);
  });
});

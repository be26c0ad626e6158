import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunConfig } from "../../src/config/types.js";

/** A small, valid RunConfig for library-level tests; override what the test is about. */
export function testRunConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  return {
    scenario: "test",
    env: "test",
    outDir: mkdtempSync(join(tmpdir(), "cachestress-test-")),
    durationMs: 1000,
    warmupMs: 0,
    prefill: false,
    connections: 4,
    pipeline: 1,
    threads: 1,
    commands: [
      { name: "SET", weight: 1 },
      { name: "GET", weight: 10 },
    ],
    keyPattern: "uniform",
    keyMax: 1000,
    dataSizeMin: 32,
    dataSizeMax: 32,
    prefix: `cstest:${Math.random().toString(16).slice(2, 10)}:`,
    keepKeys: false,
    timeoutMs: 1000,
    thresholds: [],
    seed: 42,
    probeIntervalMs: 1000,
    audit: false,
    alertsDryRun: false,
    readFrom: "primary",
    ...overrides,
  };
}

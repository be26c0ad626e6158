import { ConfigError, type ConfigProblem } from "../config/errors.js";
import type { RunConfig } from "../config/types.js";
import { parseBufferCapacity } from "./buffer-capacity.js";
import { createCacheAsideCheck } from "./cache-aside/cache-aside-check.js";
import type { CheckFactory, ScenarioCheck } from "./check.js";
import { diskExhaustion } from "./disk-exhaustion.js";
import { parseDrift } from "./drift.js";
import { parseIntegrity } from "./integrity.js";
import { memoryPressure } from "./memory-pressure.js";
import { persistenceRecovery } from "./persistence-recovery.js";
import { createPubsubCheck } from "./pubsub/pubsub-check.js";

export type { CheckContext, CheckReport, ScenarioCheck } from "./check.js";

/**
 * Every check kind a scenario file can name in `check: { kind: ... }`. Each kind lives in its own
 * file of this folder; its options parser is listed here, one line a kind.
 */
const KINDS: Record<string, CheckFactory> = {
  "buffer-capacity": parseBufferCapacity,
  "cache-aside": createCacheAsideCheck,
  "disk-exhaustion": diskExhaustion,
  drift: parseDrift,
  integrity: parseIntegrity,
  "memory-pressure": memoryPressure,
  "persistence-recovery": persistenceRecovery,
  pubsub: createPubsubCheck,
};

/**
 * The run's check, from the scenario file's `check:` section; undefined without one. Every
 * problem in the section is reported at once as a ConfigError, before anything starts.
 */
export function createCheck(config: RunConfig): ScenarioCheck | undefined {
  const section = config.check;
  if (section === undefined) return undefined;
  const problems: ConfigProblem[] = [];
  if (section === null || typeof section !== "object" || Array.isArray(section)) {
    throw new ConfigError([
      { field: "check", value: section, allowed: `a mapping with kind: ${kindList()}` },
    ]);
  }
  const { kind, ...options } = section as Record<string, unknown>;
  const factory = typeof kind === "string" ? KINDS[kind] : undefined;
  if (factory === undefined) {
    problems.push({ field: "check.kind", value: kind, allowed: kindList() });
    throw new ConfigError(problems);
  }
  const parsed = factory(options, config);
  if (!parsed.ok) throw new ConfigError(parsed.problems);
  return parsed.check;
}

function kindList(): string {
  return Object.keys(KINDS).sort().join(", ");
}

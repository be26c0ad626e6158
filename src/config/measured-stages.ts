import type { RunConfig, Stage } from "./types.js";

/**
 * `--rate` becomes stages here and nowhere else. The measured phase of an open-loop run offers a
 * load profile: the scenario's `stages`, or one constant stage at `rate` for as long as the run
 * lasts. resolveRunConfig stores it in `RunConfig.measuredStages`; shardRunConfig (src/shard)
 * divides it; the engine runs it.
 */

/** A constant stage's length when a request count, not time, ends the run: longer than any run. */
export const UNTIL_REQUESTS_MS = Number.MAX_SAFE_INTEGER / 4;

/** The measured phase's stages from the settings that describe them; undefined = closed loop. */
export function stagesOf(config: Pick<RunConfig, "rate" | "stages" | "durationMs">): Stage[] | undefined {
  if (config.stages !== undefined && config.stages.length > 0) return config.stages;
  if (config.rate === undefined) return undefined;
  // With --requests the count ends the run first.
  return [{ kind: "constant", durationMs: config.durationMs ?? UNTIL_REQUESTS_MS, rate: config.rate }];
}

/**
 * The open-loop profile of the measured phase, or undefined for closed loop: the config's
 * `measuredStages` as resolved (or as a shard's share), else computed for a config built by hand
 * (library callers and tests that set only `rate`).
 */
export function measuredStages(config: RunConfig): Stage[] | undefined {
  return config.measuredStages ?? stagesOf(config);
}

/**
 * How long the measured phase is planned to last, ms: its stages' total when a profile sets it,
 * else `durationMs`; undefined when a request count ends the run.
 */
export function measuredLengthMs(config: RunConfig): number | undefined {
  if (config.stages !== undefined && config.stages.length > 0)
    return config.stages.reduce((sum, s) => sum + s.durationMs, 0);
  return config.requests !== undefined ? undefined : config.durationMs;
}

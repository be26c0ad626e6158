import { defaultRules, parseAlertsSection } from "../alerts/index.js";
import { ConfigError, type ConfigProblem } from "../config/errors.js";
import { type ResolvedRun, resolveSettings, type SectionCheck } from "../config/resolve.js";
import type { RunConfig } from "../config/types.js";
import { runFaultSchedule } from "../faults/run-schedule.js";
import { createCheck } from "../scenario-checks/index.js";

/** The `faults:` schedule and what it needs of the run (src/faults/run-schedule.ts). */
const faultsSection: SectionCheck = (config) => {
  const schedule = runFaultSchedule(config);
  return schedule.ok ? [] : schedule.problems;
};

/** The scenario check's options (src/scenario-checks/index.ts). */
const checkSection: SectionCheck = (config) => {
  try {
    createCheck(config);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
};

/** The `alerts:` rules and notifiers (src/alerts/), before any server is started. */
const alertsSection: SectionCheck = (config) => {
  const parsed = parseAlertsSection(config.alerts, { defaults: defaultRules(config.useCase) });
  return parsed.ok ? [] : parsed.problems;
};

/** Every section judged while the config is resolved, so all problems are listed at once. */
export const RUN_SECTIONS: readonly SectionCheck[] = [faultsSection, checkSection, alertsSection];

/**
 * The run's config from `cachestress run` arguments (and a scenario file): flags, file, defaults,
 * and every section, each problem listed at once (ConfigError). `argv` is what follows `run`.
 */
export function resolveRunConfig(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  options: { checkFiles?: boolean } = {},
): Promise<ResolvedRun> {
  return resolveSettings(argv, env, options, RUN_SECTIONS);
}

export type { ConfigProblem, ResolvedRun, RunConfig };

import type { ConfigProblem } from "../config/errors.js";
import type { RunConfig } from "../config/types.js";
import { faultRequirementProblems } from "./fault-requirements.js";
import { parseFaultSchedule, type ScheduledFault } from "./fault-schedule.js";

/**
 * The run's `faults:` schedule, validated against the run around it (its length, --via-proxy, a
 * managed server, --allow-server-faults). Config resolution calls it to list these problems with
 * every other one; the run calls it again for configs built in code.
 */
export function runFaultSchedule(
  config: RunConfig,
): { ok: true; faults: ScheduledFault[] } | { ok: false; problems: ConfigProblem[] } {
  const parsed = parseFaultSchedule(config.faults, {
    runDurationMs: plannedDurationMs(config),
    timeScale: config.timeScale,
  });
  if (!parsed.ok) return parsed;
  const problems = faultRequirementProblems(parsed.faults, {
    viaProxy: config.viaProxy === true,
    managed: config.url === undefined,
    username: urlUsername(config.url),
    allowServerFaults: config.allowServerFaults === true,
    restartCommand: config.restartCommand !== undefined,
  });
  return problems.length > 0 ? { ok: false, problems } : parsed;
}

/** The measured part's planned length, when the run has one. */
function plannedDurationMs(config: RunConfig): number | undefined {
  if (config.stages !== undefined && config.stages.length > 0)
    return config.stages.reduce((sum, s) => sum + s.durationMs, 0);
  return config.requests === undefined ? config.durationMs : undefined;
}

/** The user named in the URL, which CLIENT KILL USER needs. */
export function urlUsername(url: string | undefined): string | undefined {
  if (url === undefined || !URL.canParse(url)) return undefined;
  const name = new URL(url).username;
  return name !== "" ? decodeURIComponent(name) : undefined;
}

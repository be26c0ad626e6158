import type { RunConfig } from "../config/types.js";
import type { ProgressSnapshot } from "../reports/progress-line.js";
import { redactConfig, redactUrl } from "../reports/redact.js";
import type { RunResult } from "../reports/result-types.js";
import { type ManagedRedis, startManagedRedis } from "../run/managed-redis.js";
import { measureScenario } from "../run/run-scenario.js";
import { TOOL_VERSION } from "../run/version.js";
import { CAPACITY_SCHEMA_VERSION, type CapacityResult, type CapacityStep } from "./capacity-result.js";
import { judgeStep } from "./judge-step.js";
import { findKnee } from "./knee.js";
import type { CapacitySearchOptions } from "./search-options.js";
import { nextStep } from "./search-plan.js";
import { stepThresholds } from "./slo.js";
import { summarizeCapacity } from "./summarize.js";

export interface CapacityHooks {
  /** Plain-language notes (`started redis-server ...`); each distinct message once. */
  onNotice?(message: string): void;
  /** About to run a step. */
  onStepStart?(index: number, askedRate: number, phase: string): void;
  /** Once per second during a step. */
  onProgress?(snapshot: ProgressSnapshot): void;
  /** A step finished and was judged. */
  onStep?(step: CapacityStep): void;
  /** Aborting stops the current step and the search; what was measured is still returned. */
  signal?: AbortSignal;
}

/**
 * The capacity search: real open-loop runs at a constant rate, one after another against the same
 * target, each judged against the SLO, the rates chosen by search-plan.ts. Without `config.url` one
 * redis-server is started for the whole search (not one per step, which would measure a cold
 * server each time) and stopped at the end, also on error or Ctrl-C.
 *
 * Each step is a complete run (src/run/run-scenario.ts) with its own count check against INFO
 * commandstats and its own key cleanup; only its report files are not written. A step that throws
 * after others were measured ends the search as `failed`, keeping what was measured; a first step
 * that throws (target unreachable) rethrows, so the CLI reports it as a run that could not start.
 */
export async function runCapacity(
  base: RunConfig,
  search: CapacitySearchOptions,
  hooks: CapacityHooks = {},
): Promise<CapacityResult> {
  const startedAt = new Date();
  const seen = new Set<string>();
  const notice = (message: string) => {
    if (seen.has(message)) return;
    seen.add(message);
    hooks.onNotice?.(message);
  };
  const steps: CapacityStep[] = [];
  const warnings: string[] = [];
  let firstResult: RunResult | undefined;
  let status: CapacityResult["status"] = "completed";
  let end: CapacityResult["capacity"]["end"] | undefined;
  let managed: ManagedRedis | undefined;
  try {
    let url = base.url;
    if (url === undefined) {
      managed = await startManagedRedis();
      url = managed.url;
      notice(
        `no --url given: started a throwaway redis-server on ${managed.host}:${managed.port} (pid ${managed.pid}) for the whole search`,
      );
    }
    const thresholds = stepThresholds(search.slo, base.thresholds);
    for (;;) {
      if (hooks.signal?.aborted === true) {
        status = "stopped";
        end = "stopped";
        break;
      }
      const next = nextStep(
        steps.map((s) => ({ askedRate: s.askedRate, passed: s.verdict === "pass" })),
        search,
      );
      if ("end" in next) {
        end = next.end;
        break;
      }
      const index = steps.length + 1;
      hooks.onStepStart?.(index, next.rate, next.phase);
      let result: RunResult;
      try {
        result = await measureScenario(stepConfig(base, url, next.rate, search.stepDurationMs, thresholds), {
          signal: hooks.signal,
          onNotice: notice,
          onProgress: hooks.onProgress,
        });
      } catch (error) {
        if (steps.length === 0) throw error;
        status = "failed";
        end = "target-lost";
        warnings.push(`step ${index} at ${next.rate} ops/s could not run: ${(error as Error).message}`);
        break;
      }
      firstResult ??= result;
      const step = judgeStep(result, index, next.phase, next.rate);
      steps.push(step);
      hooks.onStep?.(step);
      if (step.verdict === "stopped") {
        status = "stopped";
        end = "stopped";
        break;
      }
      if (step.verdict === "target-lost") {
        status = "failed";
        end = "target-lost";
        break;
      }
    }
  } finally {
    await managed?.stop();
  }

  const measured = steps.filter((s) => s.verdict === "pass" || s.verdict === "fail");
  const knee = findKnee(
    measured
      .filter((s) => s.ops > 0)
      .map((s) => ({ askedRate: s.askedRate, achievedRate: s.achievedRate, p99Ms: s.latencyMs.p99 })),
  );
  const checked = steps.filter((s) => s.countCheck.checked);
  for (const s of steps) {
    if (s.countCheck.checked && !s.countCheck.ok) warnings.push(`step ${s.index}: ${s.countCheck.note}`);
  }
  const target = firstResult?.target;
  return {
    schemaVersion: CAPACITY_SCHEMA_VERSION,
    kind: "capacity",
    tool: { name: "cachestress", version: TOOL_VERSION },
    scenario: base.scenario,
    env: base.env,
    status,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    target: {
      // A managed server's URL is the one the steps used; it no longer runs after the search.
      url: redactUrl(target?.url ?? base.url ?? "none: no step ran"),
      managed: base.url === undefined,
      ...(target?.serverVersion !== undefined && { serverVersion: target.serverVersion }),
    },
    config: redactConfig(base),
    search,
    steps,
    curve: [...steps]
      .filter((s) => s.verdict !== "target-lost" && s.ops > 0)
      .sort((a, b) => a.askedRate - b.askedRate || a.index - b.index)
      .map((s) => ({
        askedRate: s.askedRate,
        achievedRate: s.achievedRate,
        p50Ms: s.latencyMs.p50,
        p99Ms: s.latencyMs.p99,
        p999Ms: s.latencyMs.p999,
        verdict: s.verdict,
      })),
    capacity: summarizeCapacity(steps, end ?? "stopped", search),
    knee: knee ?? null,
    countCheck: {
      checked: steps.length > 0 && checked.length === steps.length,
      ok: checked.every((s) => s.countCheck.ok),
      sent: checked.reduce((sum, s) => sum + s.countCheck.sent, 0),
      completed: checked.reduce((sum, s) => sum + s.countCheck.completed, 0),
      server: checked.reduce((sum, s) => sum + s.countCheck.server, 0),
    },
    warnings,
  };
}

/** The run config of one step: the shared settings at one constant rate for the step's duration. */
export function stepConfig(
  base: RunConfig,
  url: string,
  rate: number,
  durationMs: number,
  thresholds: string[],
): RunConfig {
  const { stages: _stages, requests: _requests, ...shared } = base;
  return { ...shared, url, rate, durationMs, thresholds };
}

import type { RunConfig } from "../config/types.js";
import { type ManagedRedis, startManagedRedis } from "../core/managed-redis.js";
import type { ProgressSnapshot } from "../reports/progress-line.js";
import type { RunResult } from "../result/result-types.js";
import { measureScenario } from "../run/run-scenario.js";
import type { CapacityResult, CapacityStep } from "./capacity-result.js";
import { judgeStep } from "./judge-step.js";
import type { CapacitySearchOptions } from "./search-options.js";
import { nextStep } from "./search-plan.js";
import { stepThresholds } from "./slo.js";
import { buildCapacityResult } from "./summarize.js";

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

  const target = firstResult?.target;
  return buildCapacityResult({
    config: base,
    search,
    steps,
    status,
    end: end ?? "stopped",
    startedAt,
    endedAt: new Date(),
    // A managed server's URL is the one the steps used; it no longer runs after the search.
    target: {
      url: target?.url ?? base.url ?? "none: no step ran",
      managed: base.url === undefined,
      serverVersion: target?.serverVersion,
    },
    warnings,
  });
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

import type { RunConfig } from "../config/types.js";
import { redactConfig, redactUrl } from "../core/redact.js";
import { formatPercent, formatRate } from "../reports/format.js";
import { TOOL_VERSION } from "../run/version.js";
import { CAPACITY_SCHEMA_VERSION, type CapacityResult, type CapacityStep } from "./capacity-result.js";
import { findKnee } from "./knee.js";
import type { CapacitySearchOptions } from "./search-options.js";
import { bracketOf } from "./search-plan.js";

/**
 * The search's answer: last good and first bad rate, what broke at the first bad one (the SLO at a
 * rate the client delivered, or the client itself), and a message a person reads first. Stopped
 * and target-lost steps are not judged, so they never count as good or bad.
 */
export function summarizeCapacity(
  steps: readonly CapacityStep[],
  end: CapacityResult["capacity"]["end"],
  search: CapacitySearchOptions,
): CapacityResult["capacity"] {
  const judged = steps.filter((s) => s.verdict === "pass" || s.verdict === "fail");
  const { lastGood, firstBad } = bracketOf(
    judged.map((s) => ({ askedRate: s.askedRate, passed: s.verdict === "pass" })),
  );
  const good = judged.find((s) => s.verdict === "pass" && s.askedRate === lastGood);
  const bad = judged.find((s) => s.verdict === "fail" && s.askedRate === firstBad);
  const limitedBy = bad === undefined ? null : bad.clientKeptUp ? "server" : "client";
  const slo = search.slo.join(", ");
  const parts: string[] = [];

  if (good === undefined) {
    if (bad !== undefined) {
      parts.push(
        `No capacity found: the start rate ${formatRate(bad.askedRate)} ops/s already failed (${bad.reasons.join("; ")}).`,
      );
      parts.push(
        limitedBy === "client"
          ? "The client could not hold even that rate: lower --start-rate; the step's reason says what else helps on this machine."
          : `Lower --start-rate or loosen the SLO (${slo}).`,
      );
    } else if (end === "target-lost")
      parts.push("No capacity found: the target went away before any step passed.");
    else parts.push("No capacity found: the search was stopped before any step passed.");
  } else {
    parts.push(
      `Capacity: ${formatRate(good.askedRate)} ops/s (achieved ${formatRate(good.achievedRate)} ops/s) met the SLO (${slo}).`,
    );
    if (bad !== undefined)
      parts.push(`${formatRate(bad.askedRate)} ops/s did not: ${bad.reasons.join("; ")}.`);
    if (end === "bracketed" && bad !== undefined) {
      const gap = ((bad.askedRate - good.askedRate) / good.askedRate) * 100;
      parts.push(`The limit lies between the two (${formatPercent(gap)} apart).`);
    } else if (end === "max-rate") {
      parts.push(
        `Every step up to --max-rate passed: the capacity is at least ${formatRate(good.askedRate)} ops/s.`,
      );
    } else if (end === "max-steps") {
      parts.push(
        bad !== undefined
          ? `The step budget (${search.maxSteps} steps) ran out before the bracket was within ${formatPercent(search.precisionPercent)}.`
          : `The step budget (${search.maxSteps} steps) ran out before the SLO broke: the capacity is at least ${formatRate(good.askedRate)} ops/s.`,
      );
    } else if (end === "stopped") parts.push("The search was stopped before it finished.");
    else if (end === "target-lost") parts.push("The target went away during the search.");
    if (limitedBy === "client") {
      parts.push(
        "The failure above was the load generator's, not the server's: the server's capacity may be higher " +
          "(the failed step's reason says what would help the client on this machine).",
      );
    }
  }
  return {
    lastGoodRate: good?.askedRate ?? null,
    lastGoodAchievedRate: good?.achievedRate ?? null,
    firstBadRate: bad?.askedRate ?? null,
    end,
    limitedBy,
    message: parts.join(" "),
  };
}

/** Everything the result file holds, from the steps and how the search ended. */
export function buildCapacityResult(input: {
  config: RunConfig;
  search: CapacitySearchOptions;
  steps: CapacityStep[];
  status: CapacityResult["status"];
  end: CapacityResult["capacity"]["end"];
  startedAt: Date;
  endedAt: Date;
  target: { url: string; managed: boolean; serverVersion?: string };
  warnings: string[];
}): CapacityResult {
  const { steps, search } = input;
  const measured = steps.filter((s) => (s.verdict === "pass" || s.verdict === "fail") && s.ops > 0);
  const knee = findKnee(
    measured.map((s) => ({ askedRate: s.askedRate, achievedRate: s.achievedRate, p99Ms: s.latencyMs.p99 })),
  );
  const checked = steps.filter((s) => s.countCheck.checked);
  const warnings = [...input.warnings];
  for (const s of checked) if (!s.countCheck.ok) warnings.push(`step ${s.index}: ${s.countCheck.note}`);
  // Each step's rate and duration are the search's; the shared config carries neither.
  const { rate: _rate, durationMs: _durationMs, ...shared } = redactConfig(input.config);
  return {
    schemaVersion: CAPACITY_SCHEMA_VERSION,
    kind: "capacity",
    tool: { name: "cachestress", version: TOOL_VERSION },
    scenario: input.config.scenario,
    env: input.config.env,
    status: input.status,
    startedAt: input.startedAt.toISOString(),
    endedAt: input.endedAt.toISOString(),
    target: {
      url: redactUrl(input.target.url),
      managed: input.target.managed,
      ...(input.target.serverVersion !== undefined && { serverVersion: input.target.serverVersion }),
    },
    config: shared,
    search,
    steps,
    curve: steps
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
    capacity: summarizeCapacity(steps, input.end, search),
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

import { formatPercent, formatRate } from "../reports/format.js";
import type { CapacityResult, CapacityStep } from "./capacity-result.js";
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
  const limitedBy = bad === undefined ? null : bad.sloOk || !bad.clientKeptUp ? "client" : "slo";
  const slo = search.slo.join(", ");
  const parts: string[] = [];

  if (good === undefined) {
    if (bad !== undefined) {
      parts.push(
        `No capacity found: the start rate ${formatRate(bad.askedRate)} ops/s already failed (${bad.reasons.join("; ")}).`,
      );
      parts.push(
        limitedBy === "client"
          ? "The client could not hold even that rate: lower --start-rate, or add --threads / --connections."
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
          "(try more --threads or --connections, or several machines with --shard).",
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

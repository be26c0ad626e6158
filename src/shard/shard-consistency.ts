import type { ConfigProblem } from "../config/errors.js";
import { decodeHistogram } from "../measure/histogram.js";
import type { RunResult } from "../result/result-types.js";

/**
 * Whether one shard's result agrees with itself before it is merged: every count a non-negative
 * whole number, every histogram decodable, and each latency histogram holding exactly as many
 * values as the operations it claims (the engine records one latency per reply). A file edited by
 * hand or cut short shows here, naming the file and the field, instead of merging into numbers
 * that look right.
 */
export function shardConsistencyProblems(file: string, result: RunResult): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const bad = (field: string, value: unknown, allowed: string) =>
    problems.push({ field: file, value: `${field} ${formatted(value)}`, allowed });
  const count = (field: string, value: unknown) => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      bad(field, value, "a count: a whole number of 0 or more");
      return false;
    }
    return true;
  };

  const totals = result.totals ?? ({} as Partial<RunResult["totals"]>);
  const totalsOk = ["ops", "errors", "timeouts", "reconnects", "sent"]
    .map((name) => count(`totals.${name}`, totals[name as keyof typeof totals]))
    .every(Boolean);
  if (typeof result.durationMs !== "number" || !(result.durationMs >= 0))
    bad("durationMs", result.durationMs, "a duration in ms, 0 or more");
  let perCommandOps = 0;
  let perCommandOk = true;
  for (const [name, c] of Object.entries(result.perCommand ?? {})) {
    const okOps = count(`perCommand.${name}.ops`, c?.ops);
    const okErrors = count(`perCommand.${name}.errors`, c?.errors);
    perCommandOk &&= okOps;
    if (okOps) perCommandOps += c.ops;
    if (okOps && okErrors && c.errors > c.ops)
      bad(
        `perCommand.${name}.errors`,
        c.errors,
        `at most perCommand.${name}.ops (${c.ops}): error replies are among the replies`,
      );
  }
  if (totalsOk && perCommandOk && perCommandOps !== totals.ops)
    bad("totals.ops", totals.ops, `the sum of perCommand ops (${perCommandOps})`);
  if (totalsOk && totals.timeouts! > totals.errors!)
    bad("totals.timeouts", totals.timeouts, `at most totals.errors (${totals.errors}): timeouts are errors`);

  const histogramSets: [string, Record<string, string> | undefined][] = [
    ["histograms.latencyUs", result.histograms?.latencyUs],
    ["histograms.serviceTimeUs", result.histograms?.serviceTimeUs],
  ];
  for (const [setName, set] of histogramSets) {
    for (const [name, text] of Object.entries(set ?? {})) {
      const field = `${setName}.${name}`;
      let values: number;
      try {
        if (typeof text !== "string") throw new Error("not a string");
        values = text === "" ? 0 : decodeHistogram(text).totalCount;
      } catch (error) {
        bad(field, shortText(text), `an HDR histogram as cachestress writes it (${errorText(error)})`);
        continue;
      }
      if (setName !== "histograms.latencyUs") continue;
      const claimed = name === "all" ? totals.ops : result.perCommand?.[name]?.ops;
      if (typeof claimed === "number" && values !== claimed) {
        const of = name === "all" ? "totals.ops" : `perCommand.${name}.ops`;
        bad(field, `holding ${values} values`, `one value per operation: ${of} is ${claimed}`);
      }
    }
  }
  return problems;
}

function formatted(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value) ?? "undefined");
}

function shortText(text: unknown): string {
  const s = typeof text === "string" ? text : (JSON.stringify(text) ?? "undefined");
  return s.length > 24 ? `"${s.slice(0, 24)}…"` : `"${s}"`;
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0].slice(0, 120);
}

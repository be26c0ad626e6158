import { basename } from "node:path";
import { type ConfigProblem, formatProblem } from "../config/errors.js";
import { renderCompareHtml } from "../reports/compare/compare-html.js";
import {
  type CompareGroup,
  compareRuns,
  DEFAULT_ALPHA,
  knownMetricKeys,
  MAX_GROUPS,
} from "../reports/compare/compare-runs.js";
import { parseRegressionLimit, type RegressionLimit } from "../reports/compare/metrics.js";
import { renderCompareMarkdown, renderCompareText } from "../reports/compare/render-compare.js";
import { expandPaths } from "../reports/expand-paths.js";
import { reportTimestamp, writeReportFiles } from "../reports/write-report.js";
import { EXIT } from "./exit-codes.js";
import { ResultFileError, readRunResults } from "./read-result.js";
import { parseResultCommandArgs, resultCommandFailure } from "./result-command.js";

/**
 * `cachestress compare BASE CURRENT...` or `--base GLOB --current GLOB`: runs side by side with
 * deltas, better/worse by each metric's direction, "~" when repeated runs do not differ beyond
 * noise, and `--max-regression` as a CI gate (exit 1).
 */

export const COMPARE_HELP = `Usage: cachestress compare BASE.json CURRENT.json... [flags]
       cachestress compare --base 'a_*.json' --current 'b_*.json' [flags]

Puts up to ${MAX_GROUPS} runs side by side, the first as the base: throughput, latency percentiles,
errors, server CPU, memory and hit ratio, per-command p99, each with its change from the base and
whether that is better or worse. With repeated runs per side (--base/--current, each a file or a
quoted glob), each side's figure is its median and a change counts only when a Mann-Whitney U test
puts it beyond noise; otherwise it shows "~" (2 runs per side can never be: use 5 or more).

  --base GLOB               the base runs (instead of the first FILE)
  --current GLOB            runs compared with the base; repeatable, one column each
  --max-regression 'M=P%'   fail (exit 1) when metric M is worse than the base by more than P %;
                            repeatable. M: throughput, p(50), p(90), p(95), p(99), p(99.9), max,
                            mean, service-p(99), errors, cpu, memory, hit-ratio, p(99){GET}
  --alpha P                 significance level of the noise test (default ${DEFAULT_ALPHA})
  --out DIR                 also write compare_{time}.md and .html (overlaid charts) here
  --json                    print the comparison as JSON on stdout
  --help, -h                show this help

Exit codes: 0 no regression beyond a limit, 1 a regression, 2 bad flags or result files.`;

const OPTIONS = {
  base: { type: "string", multiple: true },
  current: { type: "string", multiple: true },
  "max-regression": { type: "string", multiple: true },
  alpha: { type: "string" },
  out: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const label = (path: string) => basename(path).replace(/\.json$/i, "");

async function groupsFrom(
  values: { base?: string[]; current?: string[] },
  positionals: string[],
): Promise<{ label: string; paths: string[] }[]> {
  const specs: { label: string; patterns: string[] }[] = [];
  if (values.base !== undefined) specs.push({ label: "base", patterns: values.base });
  for (const [i, current] of (values.current ?? []).entries())
    specs.push({
      label: (values.current ?? []).length > 1 ? `current ${i + 1}` : "current",
      patterns: [current],
    });
  for (const file of positionals) specs.push({ label: label(file), patterns: [file] });
  const groups: { label: string; paths: string[] }[] = [];
  for (const spec of specs) {
    const paths = await expandPaths(spec.patterns);
    groups.push({
      label: spec.patterns.length === 1 && paths.length === 1 ? label(paths[0]) : spec.label,
      paths,
    });
  }
  return groups;
}

export async function compareCommand(argv: string[]): Promise<number> {
  const parsed = parseResultCommandArgs("compare", argv, OPTIONS, COMPARE_HELP);
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const problems: ConfigProblem[] = [];
  const limits: RegressionLimit[] = [];
  for (const text of values["max-regression"] ?? []) {
    const limit = parseRegressionLimit(text);
    if (limit === undefined)
      problems.push({
        field: "--max-regression",
        value: text,
        allowed: "METRIC=PERCENT%, e.g. 'p(99)=10%' or 'throughput=5%'",
      });
    else limits.push(limit);
  }
  const alpha = values.alpha === undefined ? DEFAULT_ALPHA : Number(values.alpha);
  if (!(alpha > 0 && alpha < 1))
    problems.push({ field: "--alpha", value: values.alpha, allowed: "a number between 0 and 1, e.g. 0.05" });
  const specs = await groupsFrom(values, positionals);
  if (specs.length < 2 || specs.length > MAX_GROUPS)
    problems.push({
      field: "FILE",
      value: specs.length,
      allowed: `2 to ${MAX_GROUPS} runs or sets: BASE CURRENT..., or --base GLOB --current GLOB`,
    });
  if (problems.length > 0) {
    process.stderr.write(
      `cachestress compare: ${problems.length} problem(s):\n${problems.map(formatProblem).join("\n")}\n`,
    );
    return EXIT.usage;
  }
  try {
    const groups: CompareGroup[] = [];
    const fileProblems: string[] = [];
    for (const spec of specs) {
      try {
        const read = await readRunResults(spec.paths);
        groups.push({ label: spec.label, paths: spec.paths, results: read.map((r) => r.result) });
      } catch (error) {
        if (!(error instanceof ResultFileError)) throw error;
        fileProblems.push(...error.lines);
      }
    }
    if (fileProblems.length > 0) throw new ResultFileError(fileProblems);
    const known = knownMetricKeys(groups);
    const unknown = limits.filter((l) => !known.includes(l.key));
    if (unknown.length > 0) {
      const lines = unknown.map((l) =>
        formatProblem({ field: "--max-regression", value: l.key, allowed: known.join(", ") }),
      );
      process.stderr.write(`cachestress compare: unknown metric:\n${lines.join("\n")}\n`);
      return EXIT.usage;
    }
    const comparison = compareRuns(groups, limits, alpha);
    process.stderr.write(`${renderCompareText(comparison)}\n`);
    if (values.out !== undefined) {
      const base = `compare_${reportTimestamp(new Date().toISOString())}`;
      const written = await writeReportFiles(values.out, base, [
        { suffix: ".md", text: renderCompareMarkdown(comparison) },
        { suffix: ".html", text: renderCompareHtml(comparison, groups) },
      ]);
      process.stderr.write(`comparison: ${written.join("\n            ")}\n`);
    }
    if (values.json) process.stdout.write(`${JSON.stringify(comparison)}\n`);
    return comparison.regressions.length > 0 ? EXIT.thresholdsFailed : EXIT.pass;
  } catch (error) {
    return resultCommandFailure("compare", error);
  }
}

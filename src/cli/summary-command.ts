import { expandPaths } from "../reports/expand-paths.js";
import { renderSummaryHtml, renderSummaryMarkdown } from "../reports/summary/render-summary.js";
import { summarizeRuns } from "../reports/summary/summarize-runs.js";
import { reportTimestamp, writeReportFiles } from "../reports/write-report.js";
import { EXIT } from "./exit-codes.js";
import { readRunResults } from "./read-result.js";
import { parseResultCommandArgs, resultCommandFailure } from "./result-command.js";

/**
 * `cachestress summary Reports/*.json [--out DIR]`: one consolidated Markdown and HTML document
 * across runs and environments (docs/reports.md).
 */

export const SUMMARY_HELP = `Usage: cachestress summary FILE... [--out DIR] [--stdout]

Folds run results of several environments (the result's env: aws, azure, local...) and scenarios
into one document: a row per environment and scenario (medians over repeated runs), the findings
(failed thresholds, zones at risk, count mismatches, alerts), latency patterns across environments,
and the recommendations merged with the evidence of every run that raised them. Writes
summary_{time}.md and .html to --out (default Reports).

  --out DIR     directory for the summary (default: Reports)
  --stdout      print the Markdown on stdout as well
  --help, -h    show this help

Exit codes: 0 written, 2 bad flags or a file that is not a complete cachestress run result.`;

const OPTIONS = {
  out: { type: "string" },
  stdout: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export async function summaryCommand(argv: string[]): Promise<number> {
  const parsed = parseResultCommandArgs("summary", argv, OPTIONS, SUMMARY_HELP);
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    process.stderr.write(
      "cachestress summary: FILE: got nothing; allowed: one or more run results, e.g. Reports/*.json\n",
    );
    return EXIT.usage;
  }
  try {
    const inputs = await readRunResults(await expandPaths(positionals));
    const summary = summarizeRuns(inputs);
    const now = new Date().toISOString();
    const markdown = renderSummaryMarkdown(summary, now);
    const written = await writeReportFiles(values.out ?? "Reports", `summary_${reportTimestamp(now)}`, [
      { suffix: ".md", text: markdown },
      { suffix: ".html", text: renderSummaryHtml(summary, now) },
    ]);
    if (values.stdout) process.stdout.write(markdown);
    process.stderr.write(`summary of ${inputs.length} runs: ${written.join("\n")}\n`);
    return EXIT.pass;
  } catch (error) {
    return resultCommandFailure("summary", error);
  }
}

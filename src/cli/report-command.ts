import { basename, dirname } from "node:path";
import { renderCapacityReport } from "../capacity/capacity-formats.js";
import { type ConfigProblem, formatProblem } from "../config/errors.js";
import { expandPaths } from "../reports/expand-paths.js";
import {
  isReportFormat,
  REPORT_FORMATS,
  type ReportFile,
  type ReportFormat,
} from "../reports/render/report-file.js";
import { renderRunReport } from "../reports/render/run-formats.js";
import { readTemplate } from "../reports/template/read-template.js";
import { writeReportFiles } from "../reports/write-report.js";
import { EXIT } from "./exit-codes.js";
import { readResultFiles } from "./read-result.js";
import { parseResultCommandArgs, resultCommandFailure } from "./result-command.js";

/**
 * `cachestress report FILE... --format html|md|csv|json [--out DIR] [--template FILE]`: renders
 * result files again, in any format, e.g. the HTML of a result written before HTML existed, or a
 * Markdown report from a team's own template. Every file is read and checked before anything is
 * written: one bad file means exit 2 and no output at all.
 */

export const REPORT_HELP = `Usage: cachestress report FILE... --format html|md|csv|json [--out DIR] [--template FILE]

Renders run or capacity result files (Reports/*.json) again in the formats asked for, beside each
file (or in --out DIR), named like the result: result_local_20261125T091500Z.html. csv writes two
files per run: _series.csv (per-second client and server columns) and _commands.csv.

  --format F       html, md, csv or json; repeatable or comma-separated (default: html)
  --out DIR        write here instead of beside each result file
  --template FILE  Markdown template for --format md (placeholders in docs/reports.md)
  --help, -h       show this help

An existing file of the same name is not replaced: the new one gets a -2, -3 suffix.
Exit codes: 0 written, 2 bad flags or a file that is not a complete cachestress result.`;

const OPTIONS = {
  format: { type: "string", multiple: true },
  out: { type: "string" },
  template: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export async function reportCommand(argv: string[]): Promise<number> {
  const problems: ConfigProblem[] = [];
  const parsed = parseResultCommandArgs("report", argv, OPTIONS, REPORT_HELP);
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const formats: ReportFormat[] = [];
  for (const f of (values.format ?? ["html"]).flatMap((v) => v.split(","))) {
    if (isReportFormat(f.trim())) formats.push(f.trim() as ReportFormat);
    else problems.push({ field: "--format", value: f, allowed: REPORT_FORMATS.join(", ") });
  }
  if (positionals.length === 0)
    problems.push({
      field: "FILE",
      value: undefined,
      allowed: "one or more result files, e.g. Reports/result_*.json",
    });
  if (problems.length > 0) {
    process.stderr.write(
      `cachestress report: ${problems.length} problem(s):\n${problems.map(formatProblem).join("\n")}\n`,
    );
    return EXIT.usage;
  }
  try {
    const template = values.template === undefined ? undefined : await readTemplate(values.template);
    const loaded = await readResultFiles(await expandPaths(positionals));
    for (const item of loaded) {
      const files: ReportFile[] = formats.flatMap((format) =>
        item.kind === "run"
          ? renderRunReport(item.result, format, { template })
          : renderCapacityReport(item.result, format),
      );
      const base = basename(item.path).replace(/\.json$/i, "");
      const written = await writeReportFiles(values.out ?? dirname(item.path), base, files);
      process.stderr.write(`${written.join("\n")}\n`);
    }
    return EXIT.pass;
  } catch (error) {
    return resultCommandFailure("report", error);
  }
}

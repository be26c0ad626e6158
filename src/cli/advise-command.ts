import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { groupRuns, memoryTrend, renderMemoryTrends } from "../reports/memory-trend.js";
import type { RunResult } from "../result/result-types.js";
import { EXIT } from "./exit-codes.js";
import { resultProblem } from "./read-result.js";
import { parseResultCommandArgs, resultCommandFailure } from "./result-command.js";

/** `cachestress advise --results DIR`: right-sizing from the memory trend of many runs (docs/advice.md). */

export const ADVISE_HELP = `Usage: cachestress advise --results DIR [--horizon DAYS] [--json]

Reads every run result (*.json) in DIR and, per environment and target, lists the used_memory peak
of each run over time, the growth per day (least squares over the runs), when that pace reaches
maxmemory, and the memory that holds the peak DAYS after the last run at most 75 % full.
Files that are not run results (capacity searches, other JSON) are skipped and named.

  --results DIR   the folder of result files (e.g. Reports)
  --horizon DAYS  how far ahead to size, days (default 90)
  --json          print the trends as JSON on stdout instead of Markdown
  --help, -h      show this help

Exit codes: 0 printed, 2 bad flags or an unreadable folder.`;

const OPTIONS = {
  results: { type: "string" },
  horizon: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export async function adviseCommand(argv: string[]): Promise<number> {
  const parsed = parseResultCommandArgs("advise", argv, OPTIONS, ADVISE_HELP);
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  const problems: string[] = [];
  if (values.results === undefined) problems.push("--results: got nothing; allowed: a folder of run results");
  const horizon = values.horizon === undefined ? 90 : Number(values.horizon);
  if (!Number.isFinite(horizon) || horizon < 0 || horizon > 3650)
    problems.push(`--horizon: got "${values.horizon}"; allowed: days from 0 to 3650`);
  if (problems.length > 0) {
    process.stderr.write(problems.map((p) => `cachestress advise: ${p}\n`).join(""));
    return EXIT.usage;
  }
  try {
    const dir = values.results!;
    const names = (await readdir(dir)).filter((n) => n.endsWith(".json")).sort();
    const results: RunResult[] = [];
    for (const name of names) {
      const text = await readFile(join(dir, name), "utf8");
      const verdict = resultProblem(text);
      if (verdict === "run") results.push(JSON.parse(text) as RunResult);
      else
        process.stderr.write(
          `cachestress advise: skipped ${name}: ${verdict === "capacity" ? "a capacity search result" : verdict}\n`,
        );
    }
    const trends = [...groupRuns(results)].map(([key, runs]) => memoryTrend(key, runs, horizon));
    process.stdout.write(values.json ? `${JSON.stringify(trends, null, 2)}\n` : renderMemoryTrends(trends));
    process.stderr.write(`advise: ${results.length} run results in ${dir}, ${trends.length} target(s)\n`);
    return EXIT.pass;
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === "ENOENT" ||
      (error as NodeJS.ErrnoException).code === "ENOTDIR"
    ) {
      process.stderr.write(
        `cachestress advise: --results: got "${values.results}"; allowed: an existing folder\n`,
      );
      return EXIT.usage;
    }
    return resultCommandFailure("advise", error);
  }
}

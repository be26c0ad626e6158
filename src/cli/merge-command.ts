import { parseArgs } from "node:util";
import { type ConfigProblem, formatProblem } from "../config/errors.js";
import { rules, urlRule } from "../config/field-rules.js";
import { AdminClient } from "../core/admin-client.js";
import { redactUrl } from "../core/redact.js";
import { resolveTarget } from "../core/target.js";
import { renderSummary } from "../reports/summary-table.js";
import { writeReports } from "../reports/write-report.js";
import type { RunResult } from "../result/result-types.js";
import { analyzeRun } from "../run/analyze.js";
import { TOOL_VERSION } from "../run/version.js";
import { checkShardSet } from "../shard/check-shards.js";
import { MergeInputError } from "../shard/merge-error.js";
import { mergeShardResults } from "../shard/merge-results.js";
import { readShardResults } from "../shard/read-results.js";
import { describeFailure, EXIT, exitCodeFor } from "./exit-codes.js";
import { leftoverHint, stopOnSignal } from "./stop-on-signal.js";
import { unknownFlagProblem } from "./unknown-flag.js";

/**
 * `cachestress merge FILE... [--out DIR] [--json] [--cleanup-url URL]`: one result from the results
 * of every shard of a `--shard i/N` run, with thresholds judged on the merged numbers. Exit codes as
 * for `run`: 0 pass, 1 a threshold failed, 2 bad flags or files, 3 a shard could not finish its run.
 */

export const MERGE_HELP = `Usage: cachestress merge FILE... [--out DIR] [--json] [--cleanup-url URL]

Merges the results of every shard of one 'cachestress run --shard i/N' run: HDR histograms and
counts add exactly, rates add, the per-second series is aligned by wall-clock second, thresholds
are evaluated on the merged result, and the count check compares all shards together with the
server's INFO commandstats. Writes Reports/merged_{env}_{time}.json, .md and .html.

A FILE is a result JSON file, or a log holding a --json result line (what 'kubectl logs' returns).

  --out DIR          directory for the merged report (default: Reports)
  --cleanup-url URL  afterwards, delete every key under the shards' prefix on this server: the
                     shards' target, reached from here (the password may come from REDIS_PASSWORD)
  --json             print the merged result as JSON on stdout
  --debug            show stack traces
  --help, -h         show this help

Exit codes: 0 all thresholds hold, 1 a threshold failed, 2 bad flags or shard files that are not
one complete run, 3 a shard lost its target, 4 a signal arrived (the merge and its cleanup still
finish and are written), 5 a second signal quit at once (the cleanup command is printed).`;

const OPTIONS = {
  out: { type: "string" },
  "cleanup-url": { type: "string" },
  json: { type: "boolean" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;
const FLAG_NAMES = Object.keys(OPTIONS).map((name) => `--${name}`);

interface MergeFlags {
  files: string[];
  outDir: string;
  cleanupUrl?: string;
  json: boolean;
  debug: boolean;
  help: boolean;
}

export function parseMergeArgs(argv: string[]): { flags: MergeFlags; problems: ConfigProblem[] } {
  const flags: MergeFlags = { files: [], outDir: "Reports", json: false, debug: false, help: false };
  const problems: ConfigProblem[] = [];
  const { tokens } = parseArgs({
    args: argv,
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind === "positional") flags.files.push(token.value);
    if (token.kind !== "option") continue;
    const field = `--${token.name}`;
    const spec = OPTIONS[token.name as keyof typeof OPTIONS];
    if (spec === undefined) {
      problems.push(unknownFlagProblem(token.rawName, FLAG_NAMES, "merge"));
      continue;
    }
    if (spec.type === "boolean") {
      if (token.value !== undefined)
        problems.push({ field, value: token.value, allowed: "no value: an on/off flag" });
      else flags[token.name as "json" | "debug" | "help"] = true;
      continue;
    }
    const value = token.value;
    if (token.name === "out") {
      if (value === undefined || rules.outDir.parse(value) === undefined) {
        problems.push({ field, value, allowed: rules.outDir.allowed });
      } else flags.outDir = value;
    } else if (value === undefined || urlRule.parse(value) === undefined) {
      problems.push({ field, value: redactUrl(value ?? "") || undefined, allowed: urlRule.allowed });
    } else flags.cleanupUrl = value;
  }
  if (flags.files.length === 0 && !flags.help) {
    problems.push({
      field: "FILE",
      value: undefined,
      allowed: "the result of every shard, e.g. Reports/result_*.json",
    });
  }
  return { flags, problems };
}

export async function mergeCommand(argv: string[]): Promise<number> {
  const { flags, problems } = parseMergeArgs(argv);
  if (flags.help) {
    process.stdout.write(`${MERGE_HELP}\n`);
    return EXIT.pass;
  }
  if (problems.length > 0) {
    const heading = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    process.stderr.write(`cachestress merge: ${heading}:\n${problems.map(formatProblem).join("\n")}\n`);
    return EXIT.usage;
  }
  // The merge is short: a first signal lets it finish (cleanup included) and the exit says so.
  let prefix: string | undefined;
  const stopSignal = stopOnSignal({
    what: "the merge",
    leftovers: () =>
      flags.cleanupUrl !== undefined && prefix !== undefined
        ? leftoverHint(flags.cleanupUrl, prefix)
        : undefined,
  });
  try {
    const read = await readShardResults(flags.files);
    const setProblems = [...read.problems, ...checkShardSet(read.inputs)];
    if (read.problems.length > 0) throw new MergeInputError(setProblems);
    const merged = mergeShardResults(read.inputs, TOOL_VERSION);
    prefix = merged.config.prefix;
    await addAnalysis(merged);
    if (flags.cleanupUrl !== undefined) await cleanUp(flags.cleanupUrl, merged);
    const { jsonPath, markdownPath, htmlPath } = await writeReports(merged, flags.outDir);
    process.stderr.write(`${renderSummary(merged, { color: process.stderr.isTTY === true })}\n`);
    process.stderr.write(
      `merged report: ${jsonPath}\n               ${markdownPath}\n               ${htmlPath}\n`,
    );
    if (flags.json) process.stdout.write(`${JSON.stringify(merged)}\n`);
    if (stopSignal.aborted) return EXIT.stopped;
    return merged.status === "failed"
      ? EXIT.couldNotRun
      : merged.verdict === "pass"
        ? EXIT.pass
        : EXIT.thresholdsFailed;
  } catch (error) {
    if (error instanceof MergeInputError) {
      process.stderr.write(`cachestress merge: ${error.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`cachestress merge: ${describeFailure(error)}\n`);
    if (flags.debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return exitCodeFor(error);
  }
}

/** Zones, recommendations and cost from the merged numbers and the server samples of shard 0. */
async function addAnalysis(merged: RunResult): Promise<void> {
  if (merged.serverSeries === undefined || merged.serverSeries.length === 0) return;
  try {
    Object.assign(merged, await analyzeRun(merged, merged.serverSeries, merged.config));
  } catch (error) {
    // A price file that existed on the shard's machine may not exist here; the merge still stands.
    merged.warnings.push(`analysis skipped: ${describeFailure(error)}`);
  }
}

async function cleanUp(url: string, merged: RunResult): Promise<void> {
  const prefix = merged.config.prefix;
  const target = resolveTarget(url);
  const where = `${target.connection.host}:${target.connection.port}`;
  let admin: AdminClient | undefined;
  process.stderr.write(`cachestress merge: deleting the keys under ${prefix} on ${where}\n`);
  try {
    admin = await AdminClient.connect(target.connection, where);
    const keysDeleted = await admin.deleteKeys(prefix);
    merged.cleanup = { prefix, keysDeleted, kept: false };
  } catch (error) {
    merged.cleanup = { prefix, keysDeleted: 0, kept: false, error: describeFailure(error) };
  } finally {
    await admin?.close();
  }
}

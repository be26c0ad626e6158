import { readFile } from "node:fs/promises";
import type { ConfigProblem } from "../config/errors.js";
import { RESULT_SCHEMA_VERSION, type RunResult } from "../result/result-types.js";

/** One shard's result and the file it came from. */
export interface ShardInput {
  file: string;
  result: RunResult;
}

/**
 * Reads the files given to `cachestress merge`. A file is either a result JSON file as `run` writes
 * it, or a log holding one such result on a line of its own: what `kubectl logs` returns for a pod
 * that ran `cachestress run --json`, where the human summary (stderr) and the JSON (stdout) are
 * interleaved. Problems are collected, not thrown, so every bad file is named at once.
 */
export async function readShardResults(
  files: readonly string[],
): Promise<{ inputs: ShardInput[]; problems: ConfigProblem[] }> {
  const inputs: ShardInput[] = [];
  const problems: ConfigProblem[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      problems.push({ field: file, value: undefined, allowed: `a readable result file (${reason})` });
      continue;
    }
    const found = parseResultText(text);
    if (typeof found === "string") {
      problems.push({ field: file, value: found, allowed: ALLOWED_FILE });
      continue;
    }
    inputs.push({ file, result: found });
  }
  return { inputs, problems };
}

const ALLOWED_FILE = `a cachestress result (schema ${RESULT_SCHEMA_VERSION}): the JSON file 'run --shard' writes, or a log with its --json line`;

/** The result in `text`, or a few words on what was found instead. */
export function parseResultText(text: string): RunResult | string {
  const whole = tryJson(text);
  if (whole !== undefined) return asResult(whole);
  const results: RunResult[] = [];
  let nonResults = 0;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (!trimmed.startsWith("{")) continue;
    const value = tryJson(trimmed);
    const result = value === undefined ? undefined : asResult(value);
    if (typeof result === "object") results.push(result);
    else nonResults++;
  }
  if (results.length === 1) return results[0];
  if (results.length > 1) return `${results.length} results in one log (one pod's log holds one)`;
  return nonResults > 0 ? "JSON lines, none of them a cachestress result" : "no JSON result in it";
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function asResult(value: unknown): RunResult | string {
  if (typeof value !== "object" || value === null) return "JSON that is not an object";
  const r = value as Partial<RunResult>;
  if (r.tool?.name !== "cachestress") return "JSON that is not a cachestress result";
  if (r.schemaVersion !== RESULT_SCHEMA_VERSION) return `result schema ${String(r.schemaVersion)}`;
  return value as RunResult;
}

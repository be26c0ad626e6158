import { readFile } from "node:fs/promises";
import { CAPACITY_SCHEMA_VERSION, type CapacityResult } from "../capacity/capacity-result.js";
import { RESULT_SCHEMA_VERSION, type RunResult } from "../result/result-types.js";

/**
 * Reads result files for `cachestress report`, `compare` and `summary`, refusing anything that
 * is not a complete result this version understands: an empty file, truncated JSON, some other
 * JSON, a newer schema. Each refusal is one line naming the file; the commands exit 2 and write
 * nothing when there is any.
 */

export type LoadedResult =
  | { kind: "run"; path: string; result: RunResult }
  | { kind: "capacity"; path: string; result: CapacityResult };

export class ResultFileError extends Error {
  readonly code = "E_CONFIG";
  constructor(readonly lines: string[]) {
    super(lines.join("\n"));
    this.name = "ResultFileError";
  }
}

/** Why the text is not a readable result, or undefined when it is one. */
export function resultProblem(text: string): string | LoadedResult["kind"] {
  if (text.trim() === "") return "empty file";
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return `not complete JSON (${(error as Error).message.split("\n")[0]}): truncated or not a result`;
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    return "not a cachestress result (not a JSON object)";
  const d = data as Record<string, unknown>;
  const tool = d.tool as { name?: unknown } | undefined;
  if (tool?.name !== "cachestress" || typeof d.schemaVersion !== "number")
    return 'not a cachestress result (no tool.name "cachestress" and schemaVersion)';
  const capacity = d.kind === "capacity";
  const newest = capacity ? CAPACITY_SCHEMA_VERSION : RESULT_SCHEMA_VERSION;
  if (d.schemaVersion > newest)
    return `schemaVersion ${d.schemaVersion} is newer than this cachestress reads (${newest}); upgrade cachestress`;
  const required = capacity
    ? ["steps", "curve", "capacity"]
    : ["totals", "latency", "series", "perCommand", "histograms"];
  const missing = required.filter((k) => d[k] === undefined || d[k] === null);
  if (missing.length > 0)
    return `not a complete cachestress ${capacity ? "capacity " : ""}result (missing ${missing.join(", ")})`;
  return capacity ? "capacity" : "run";
}

export async function readResultFiles(paths: readonly string[]): Promise<LoadedResult[]> {
  const problems: string[] = [];
  const loaded: LoadedResult[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      problems.push(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
      continue;
    }
    const verdict = resultProblem(text);
    if (verdict === "run") loaded.push({ kind: "run", path, result: JSON.parse(text) as RunResult });
    else if (verdict === "capacity")
      loaded.push({ kind: "capacity", path, result: JSON.parse(text) as CapacityResult });
    else problems.push(`${path}: ${verdict}`);
  }
  if (problems.length > 0) throw new ResultFileError(problems);
  return loaded;
}

/** Only run results (compare, summary): a capacity result is named as the wrong kind. */
export async function readRunResults(
  paths: readonly string[],
): Promise<{ path: string; result: RunResult }[]> {
  const loaded = await readResultFiles(paths);
  const capacity = loaded.filter((l) => l.kind === "capacity");
  if (capacity.length > 0)
    throw new ResultFileError(
      capacity.map((l) => `${l.path}: a capacity search result; this command compares run results`),
    );
  return loaded.map((l) => ({ path: l.path, result: l.result as RunResult }));
}

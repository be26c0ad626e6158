import { randomBytes } from "node:crypto";
import { access, link, mkdir, open, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { redactConfig, redactUrl } from "../core/redact.js";
import type { RunResult } from "../result/result-types.js";
import { tickChecklist } from "./checklist-ticks.js";
import type { ReportFile } from "./render/report-file.js";
import { DEFAULT_FORMATS, renderRunReport } from "./render/run-formats.js";

/**
 * Writes `result_{env}_{timestamp}.json`, the Markdown summary and the HTML report with one base name.
 *
 * Each file is written to a private temporary name, flushed to disk, then given its final name in
 * one step, so a crash or a full disk leaves either a complete report or none, never half a JSON
 * file that a CI script would choke on. The final name is claimed with `link()`, which fails when
 * the name exists: two runs finishing in the same second (shards on a shared volume) each get their
 * own `-2`, `-3` suffix instead of one silently replacing the other.
 */

/** Upper bound on `-N` suffixes, so a directory full of collisions ends in an error, not a hang. */
const MAX_SUFFIX = 1000;

/** `2026-11-25T09:15:00.123Z` → `20261125T091500Z` (UTC, second precision, safe in every file system). */
export function reportTimestamp(isoTime: string): string {
  const date = new Date(isoTime);
  if (Number.isNaN(date.getTime())) {
    // A result must still be written when startedAt is unusable; keep whatever digits it has.
    const digits = isoTime.replace(/[^0-9]/g, "").slice(0, 14);
    return digits.length > 0 ? digits : "unknown-time";
  }
  return date
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/[-:]/g, "");
}

/** Keeps `[A-Za-z0-9_-]` so an env label such as `eu/prod 1` cannot escape the directory or break shells. */
export function sanitizeEnv(env: string): string {
  const clean = env.replace(/[^A-Za-z0-9_-]/g, "_");
  return clean.length > 0 ? clean : "unknown";
}

/**
 * The file name without extension and without a collision suffix: `result_local_20261125T091500Z`,
 * or `merged_...` for a result made by `cachestress merge`, so it never looks like one more shard.
 */
export function reportBaseName(result: RunResult): string {
  const kind = result.shards !== undefined ? "merged" : "result";
  return `${kind}_${sanitizeEnv(result.env)}_${reportTimestamp(result.startedAt)}`;
}

/**
 * The result as it goes to disk. Redaction runs again here, although the runner should already
 * have done it, because the JSON is the artefact that gets attached to tickets and CI logs.
 */
function safeForDisk(result: RunResult): RunResult {
  return {
    ...result,
    target: { ...result.target, url: redactUrl(result.target.url) },
    config: redactConfig(result.config),
  };
}

/** The paths of one written report set: JSON, Markdown and HTML always, plus any extra formats. */
export interface WrittenReports {
  jsonPath: string;
  markdownPath: string;
  htmlPath: string;
  /** Every file written, in the order of the formats. */
  paths: string[];
}

/**
 * Writes the result's default report set (JSON, Markdown, HTML; see src/reports/render/) with one
 * base name. `template` (a template's text) swaps the Markdown template (docs/reports.md).
 */
export function safeForDiskResult(result: RunResult): RunResult {
  return safeForDisk(result);
}

export async function writeReports(
  result: RunResult,
  outDir: string,
  options: { template?: string } = {},
): Promise<WrittenReports> {
  // Ticked here, where the report's name is known (docs/checklist.md); the caller's result gets it too.
  result.checklist = tickChecklist(result, { reportFile: `${join(outDir, reportBaseName(result))}.json` });
  const safe = safeForDisk(result);
  const files = DEFAULT_FORMATS.flatMap((format) => renderRunReport(safe, format, options));
  return namedPaths(await writeReportFiles(outDir, reportBaseName(safe), files));
}

/** Picks the JSON, Markdown and HTML paths out of a written set. */
export function namedPaths(paths: string[]): WrittenReports {
  const find = (ext: string) => paths.find((p) => p.endsWith(ext)) ?? "";
  return { jsonPath: find(".json"), markdownPath: find(".md"), htmlPath: find(".html"), paths };
}

/**
 * Writes `{base}.json` and `{base}.md` (or `{base}-N.*`) in `outDir`, each complete or not at all:
 * kept for callers that write exactly these two files.
 */
export async function writeReportPair(
  outDir: string,
  base: string,
  json: string,
  markdown: string,
): Promise<{ jsonPath: string; markdownPath: string }> {
  const [jsonPath, markdownPath] = await writeReportFiles(outDir, base, [
    { suffix: ".json", text: json },
    { suffix: ".md", text: markdown },
  ]);
  return { jsonPath, markdownPath };
}

/**
 * The one artefact writer of every report (run, capacity, merge, `cachestress report`): writes
 * `{base}{suffix}` for each file (or `{base}-N{suffix}`), all complete or none, all with one name.
 * Returns the paths in the order of `files`.
 */
export async function writeReportFiles(
  outDir: string,
  base: string,
  files: readonly ReportFile[],
): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const unique = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const tmps = files.map((f, i) => join(outDir, `.${base}${f.suffix}.${unique}-${i}.tmp`));
  try {
    for (let i = 0; i < files.length; i++) await writeDurably(tmps[i], files[i].text);
    for (let n = 1; n <= MAX_SUFFIX; n++) {
      const name = n === 1 ? base : `${base}-${n}`;
      const finals = files.map((f) => join(outDir, `${name}${f.suffix}`));
      // The set shares one name: if one file's name is taken, give the others back and try the next suffix.
      let claimed = 0;
      while (claimed < files.length && (await claim(tmps[claimed], finals[claimed]))) claimed++;
      if (claimed === files.length) return finals;
      for (let i = claimed - 1; i >= 0; i--) await release(tmps[i], finals[i]);
    }
    throw new Error(`writeReportFiles: ${MAX_SUFFIX} files named ${base}* already exist in ${outDir}`);
  } finally {
    for (const tmp of tmps) await removeIfPresent(tmp);
  }
}

/** Writes and fsyncs, so the rename below cannot expose a name whose bytes never reached the disk. */
async function writeDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, "wx");
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Error codes of file systems that have no hard links (some network and FUSE mounts). */
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV"]);

/**
 * Gives the complete temporary file its final name unless that name is taken; false when taken.
 * `link()` refuses an existing name atomically; where links are unsupported, an existence check
 * followed by `rename()` keeps the file atomic but leaves a small race with a concurrent writer.
 */
async function claim(tmpPath: string, finalPath: string): Promise<boolean> {
  try {
    await link(tmpPath, finalPath);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (!code || !NO_HARD_LINKS.has(code)) throw error;
  }
  if (await exists(finalPath)) return false;
  await rename(tmpPath, finalPath);
  return true;
}

/** Undoes a claim: after link() the temporary file still exists, after the rename fallback it must be moved back. */
async function release(tmpPath: string, finalPath: string): Promise<void> {
  if (await exists(tmpPath)) await unlink(finalPath);
  else await rename(finalPath, tmpPath);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Best effort: a leftover hidden .tmp file must not turn a written report into a failure. */
async function removeIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch {
    // Already gone (claimed by rename) or not removable; either way the report itself is complete.
  }
}

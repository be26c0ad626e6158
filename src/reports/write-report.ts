import { randomBytes } from "node:crypto";
import { access, link, mkdir, open, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { renderMarkdown } from "./markdown.js";
import { redactConfig, redactUrl } from "./redact.js";
import type { RunResult } from "./result-types.js";

/**
 * Writes `result_{env}_{timestamp}.json` and the Markdown summary with the same base name.
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

export async function writeReports(
  result: RunResult,
  outDir: string,
): Promise<{ jsonPath: string; markdownPath: string }> {
  const safe = safeForDisk(result);
  return writeReportPair(
    outDir,
    reportBaseName(safe),
    `${JSON.stringify(safe, null, 2)}\n`,
    renderMarkdown(safe),
  );
}

/**
 * Writes `{base}.json` and `{base}.md` (or `{base}-N.*`) in `outDir`, each complete or not at all:
 * the file-writing half of writeReports, also used by reports of another shape (capacity search).
 */
export async function writeReportPair(
  outDir: string,
  base: string,
  json: string,
  markdown: string,
): Promise<{ jsonPath: string; markdownPath: string }> {
  await mkdir(outDir, { recursive: true });
  const unique = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const jsonTmp = join(outDir, `.${base}.json.${unique}.tmp`);
  const markdownTmp = join(outDir, `.${base}.md.${unique}.tmp`);
  try {
    await writeDurably(jsonTmp, json);
    await writeDurably(markdownTmp, markdown);
    for (let n = 1; n <= MAX_SUFFIX; n++) {
      const name = n === 1 ? base : `${base}-${n}`;
      const jsonPath = join(outDir, `${name}.json`);
      const markdownPath = join(outDir, `${name}.md`);
      // The pair shares one name: if the .md is taken, give the .json back and try the next suffix.
      if (!(await claim(jsonTmp, jsonPath))) continue;
      if (!(await claim(markdownTmp, markdownPath))) {
        await release(jsonTmp, jsonPath);
        continue;
      }
      return { jsonPath, markdownPath };
    }
    throw new Error(`writeReportPair: ${MAX_SUFFIX} files named ${base}* already exist in ${outDir}`);
  } finally {
    await removeIfPresent(jsonTmp);
    await removeIfPresent(markdownTmp);
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

import { randomBytes } from "node:crypto";
import type { Stats } from "node:fs";
import { open, readFile, stat, unlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { ConfigProblem } from "./errors.js";

/**
 * The files a run reads and writes, checked before the load instead of after it: the report
 * directory (--out) must be one the run can write into, the price table (--price-file) readable and
 * a price table. Each check has a time limit, so a path on a stuck network mount or a kernel file
 * system cannot hang the start; nothing is ever written into /proc, /sys or /dev.
 */

/** Longest one file system check may take, ms. */
export const PREFLIGHT_TIMEOUT_MS = 2000;
/** A price table is a small JSON file; anything larger is not one. */
const PRICE_FILE_MAX_BYTES = 1024 * 1024;
/** Kernel file systems: files there are not files, and writing into them has side effects. */
const KERNEL_ROOTS = ["/proc", "/sys", "/dev"];

export interface PreflightInput {
  outDir: string;
  priceFile?: string;
}

/** Every problem with the run's files, each naming the flag, the path and what is allowed. */
export async function preflightProblems(input: PreflightInput): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const out = await outDirProblem(input.outDir);
  if (out !== undefined) problems.push({ field: "--out", value: input.outDir, allowed: out });
  if (input.priceFile !== undefined) {
    const price = await priceFileProblem(input.priceFile);
    if (price !== undefined) problems.push({ field: "--price-file", value: input.priceFile, allowed: price });
  }
  return problems;
}

const OUT_ALLOWED = "a directory the run can write its reports into (created if missing)";

/** Why `path` cannot hold the reports, or undefined when it can. */
async function outDirProblem(path: string): Promise<string | undefined> {
  const absolute = resolve(path);
  if (KERNEL_ROOTS.some((root) => absolute === root || absolute.startsWith(`${root}/`)))
    return `${OUT_ALLOWED}; ${absolute} is on a kernel file system`;
  // The nearest part of the path that exists decides: a file there, or a directory we cannot
  // write into, makes the whole path unusable.
  let existing = absolute;
  let found: Stats | undefined;
  for (let depth = 0; depth < 4096; depth++) {
    const result = await bounded(stat(existing), `stat ${existing}`);
    if (result.ok) {
      found = result.value;
      break;
    }
    const code = errorCode(result.error);
    if (code !== "ENOENT" && code !== "ENOTDIR") return `${OUT_ALLOWED}; ${existing}: ${code}`;
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  if (found === undefined) return `${OUT_ALLOWED}; no part of ${absolute} exists`;
  if (!found.isDirectory())
    return existing === absolute
      ? `${OUT_ALLOWED}; ${absolute} is a file`
      : `${OUT_ALLOWED}; ${existing} is a file, not a directory`;
  // Permission bits do not tell (root may write anywhere, a read-only mount refuses everyone):
  // a real write of an empty temporary file does.
  const probe = join(existing, `.cachestress-write-check-${randomBytes(4).toString("hex")}`);
  const written = await bounded(
    open(probe, "wx").then((handle) => handle.close()),
    `write ${probe}`,
  );
  if (!written.ok) return `${OUT_ALLOWED}; cannot write in ${existing}: ${errorCode(written.error)}`;
  await unlink(probe).catch(() => {});
  return undefined;
}

/** Why `path` is not a usable price table, or undefined when it is. */
async function priceFileProblem(path: string): Promise<string | undefined> {
  const allowed = "a readable JSON price table (hoursPerMonth, engines, ecpu.bytesPerEcpu)";
  const info = await bounded(stat(path), `stat ${path}`);
  if (!info.ok) return `${allowed}; ${errorCode(info.error)}`;
  // A FIFO or a device would block the read: only regular files are read.
  if (!info.value.isFile()) return `${allowed}; not a regular file`;
  if (info.value.size > PRICE_FILE_MAX_BYTES) return `${allowed}; ${info.value.size} bytes is too large`;
  const text = await bounded(readFile(path, "utf8"), `read ${path}`);
  if (!text.ok) return `${allowed}; ${errorCode(text.error)}`;
  let table: { hoursPerMonth?: unknown; engines?: unknown; ecpu?: { bytesPerEcpu?: unknown } };
  try {
    table = JSON.parse(text.value) as typeof table;
  } catch (error) {
    return `${allowed}; not JSON (${(error as Error).message.split("\n")[0]})`;
  }
  if (
    typeof table !== "object" ||
    table === null ||
    typeof table.hoursPerMonth !== "number" ||
    typeof table.engines !== "object" ||
    table.engines === null ||
    typeof table.ecpu?.bytesPerEcpu !== "number"
  )
    return `${allowed}; JSON without those fields`;
  return undefined;
}

type Bounded<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** The promise's outcome, or a timeout error after PREFLIGHT_TIMEOUT_MS. */
function bounded<T>(promise: Promise<T>, what: string): Promise<Bounded<T>> {
  return new Promise((done) => {
    const timer = setTimeout(() => {
      const error = Object.assign(new Error(`${what}: no answer within ${PREFLIGHT_TIMEOUT_MS} ms`), {
        code: `no answer within ${PREFLIGHT_TIMEOUT_MS} ms`,
      });
      done({ ok: false, error });
    }, PREFLIGHT_TIMEOUT_MS);
    promise.then(
      (value) => {
        clearTimeout(timer);
        done({ ok: true, value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        done({ ok: false, error });
      },
    );
  });
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (error instanceof Error ? error.message.split("\n")[0] : String(error));
}

import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { parseDurationMs } from "../config/duration.js";
import { type ConfigProblem, didYouMean } from "../config/errors.js";
import type { StreamSpec } from "./group-reader.js";
import { cronProblem, type Schedule } from "./scheduler.js";

/**
 * The flags of `cachestress stream-writer` and `stream-writer verify`, checked all at once: every
 * problem is reported with the flag, the value and what is allowed.
 */

export interface WriterOptions {
  url: string;
  streams: StreamSpec[];
  outDir: string;
  group: string;
  consumer: string;
  batchSize: number;
  schedule: Schedule;
  claimIdleMs: number;
  maxRunMs: number;
  maxRuns?: number;
  retries: number;
  json: boolean;
  debug: boolean;
}

export interface VerifyFlags {
  url: string;
  streams: StreamSpec[];
  outDir: string;
  seqField?: string;
  expectedEvents?: number;
  json: boolean;
  debug: boolean;
}

export const DEFAULT_GROUP = "cachestress-writer";
export const DEFAULT_BATCH = 10_000;
export const DEFAULT_EVERY_MS = 5 * 60_000;
export const DEFAULT_CLAIM_IDLE_MS = 5 * 60_000;
export const DEFAULT_MAX_RUN_MS = 4 * 60_000;

const COMMON_FLAGS = {
  url: { type: "string" },
  streams: { type: "string" },
  prefix: { type: "string" },
  out: { type: "string" },
  json: { type: "boolean" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const WRITER_FLAGS = {
  ...COMMON_FLAGS,
  group: { type: "string" },
  consumer: { type: "string" },
  batch: { type: "string" },
  once: { type: "boolean" },
  every: { type: "string" },
  cron: { type: "string" },
  "claim-idle": { type: "string" },
  "max-run": { type: "string" },
  runs: { type: "string" },
  retries: { type: "string" },
} as const;

const VERIFY_FLAGS = {
  ...COMMON_FLAGS,
  "seq-field": { type: "string" },
  expected: { type: "string" },
} as const;

export type Parsed<T> =
  | { help: true }
  | { help: false; options: T }
  | { help: false; problems: ConfigProblem[] };

export function parseWriterFlags(argv: string[]): Parsed<WriterOptions> {
  const parsed = parseFlags(argv, WRITER_FLAGS);
  if ("problems" in parsed) return { help: false, problems: parsed.problems };
  const v = parsed.values;
  if (v.help === true) return { help: true };
  const problems: ConfigProblem[] = [];
  const common = commonOptions(v, problems);
  const batchSize = wholeNumber(v.batch, "--batch", 1, 1_000_000, DEFAULT_BATCH, problems);
  const chosen = [v.once === true ? "--once" : "", v.every ? "--every" : "", v.cron ? "--cron" : ""].filter(
    Boolean,
  );
  if (chosen.length > 1)
    problems.push({ field: chosen.join(" "), value: chosen, allowed: "one of --once, --every, --cron" });
  const everyMs = v.every === undefined ? undefined : duration(v.every, "--every", 0, problems);
  const cronError = v.cron === undefined ? undefined : cronProblem(v.cron);
  if (cronError !== undefined)
    problems.push({
      field: "--cron",
      value: v.cron,
      allowed: `a cron expression like "*/5 * * * *" (${cronError})`,
    });
  let schedule: Schedule = { kind: "every", everyMs: everyMs ?? DEFAULT_EVERY_MS };
  if (v.once === true) schedule = { kind: "once" };
  else if (v.cron !== undefined) schedule = { kind: "cron", expression: v.cron };
  const claimIdleMs =
    v["claim-idle"] === undefined
      ? DEFAULT_CLAIM_IDLE_MS
      : duration(v["claim-idle"], "--claim-idle", -1, problems);
  const maxRunMs =
    v["max-run"] === undefined ? DEFAULT_MAX_RUN_MS : duration(v["max-run"], "--max-run", 0, problems);
  const maxRuns = v.runs === undefined ? undefined : wholeNumber(v.runs, "--runs", 1, 1_000_000, 1, problems);
  const retries = wholeNumber(v.retries, "--retries", 0, 100, 5, problems);
  if (problems.length > 0) return { help: false, problems };
  return {
    help: false,
    options: {
      ...common,
      group: v.group ?? DEFAULT_GROUP,
      consumer: v.consumer ?? `${hostname()}-${process.pid}`,
      batchSize,
      schedule,
      claimIdleMs,
      maxRunMs,
      maxRuns,
      retries,
      json: v.json === true,
      debug: v.debug === true,
    },
  };
}

export function parseVerifyFlags(argv: string[]): Parsed<VerifyFlags> {
  const parsed = parseFlags(argv, VERIFY_FLAGS);
  if ("problems" in parsed) return { help: false, problems: parsed.problems };
  const v = parsed.values;
  if (v.help === true) return { help: true };
  const problems: ConfigProblem[] = [];
  const common = commonOptions(v, problems);
  const expectedEvents =
    v.expected === undefined ? undefined : wholeNumber(v.expected, "--expected", 0, 1e12, 0, problems);
  if (problems.length > 0) return { help: false, problems };
  return {
    help: false,
    options: {
      ...common,
      seqField: v["seq-field"],
      expectedEvents,
      json: v.json === true,
      debug: v.debug === true,
    },
  };
}

function parseFlags<T extends Record<string, { type: "string" | "boolean" }>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (error) {
    const message = (error as Error).message;
    const flag = /'(--?[\w-]+)/.exec(message)?.[1] ?? "flag";
    const suggestion = didYouMean(
      flag.replace(/^-+/, ""),
      Object.keys(options).map((k) => k),
    );
    const allowed = suggestion === undefined ? "see --help" : `--${suggestion} (see --help)`;
    return { problems: [{ field: flag, value: message, allowed }] };
  }
}

function commonOptions(
  v: { url?: string; streams?: string; prefix?: string; out?: string },
  problems: ConfigProblem[],
): { url: string; streams: StreamSpec[]; outDir: string } {
  if (v.url === undefined || !/^rediss?:\/\//.test(v.url))
    problems.push({
      field: "--url",
      value: v.url === undefined ? undefined : "(redacted)",
      allowed: "redis://host:port or rediss://host:port",
    });
  if (v.out === undefined || v.out === "")
    problems.push({ field: "--out", value: v.out, allowed: "a directory for the Parquet files" });
  const streams = parseStreams(v.streams, v.prefix ?? "", problems);
  return { url: v.url ?? "", streams, outDir: v.out ?? "" };
}

/**
 * `post,like` (with `--prefix cs:events:` → `cs:events:post` …) or `key=type` pairs. A stream's
 * type defaults to the last `:`-separated part of its key.
 */
export function parseStreams(
  text: string | undefined,
  prefix: string,
  problems: ConfigProblem[],
): StreamSpec[] {
  const allowed = "comma-separated stream keys, each optionally key=type (e.g. events:post,events:like)";
  if (text === undefined || text.trim() === "") {
    problems.push({ field: "--streams", value: text, allowed });
    return [];
  }
  const streams: StreamSpec[] = [];
  for (const part of text.split(",")) {
    const [name, explicitType, more] = part.trim().split("=");
    const key = `${prefix}${name}`;
    const type = explicitType ?? key.slice(key.lastIndexOf(":") + 1);
    if (name === "" || more !== undefined || !/^[A-Za-z0-9_-]+$/.test(type)) {
      problems.push({
        field: "--streams",
        value: part,
        allowed: `${allowed}; a type is letters, digits, - and _`,
      });
      continue;
    }
    if (streams.some((s) => s.key === key))
      problems.push({ field: "--streams", value: part, allowed: "each stream once" });
    else if (streams.some((s) => s.type === type))
      problems.push({
        field: "--streams",
        value: part,
        allowed: `one stream per type (type "${type}" is already taken)`,
      });
    else streams.push({ key, type });
  }
  return streams;
}

function duration(text: string, field: string, minMs: number, problems: ConfigProblem[]): number {
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= minMs) {
    problems.push({
      field,
      value: text,
      allowed: `a duration like 500ms, 30s, 5m${minMs < 0 ? " (0 allowed)" : " above 0"}`,
    });
    return 0;
  }
  return ms;
}

function wholeNumber(
  text: string | undefined,
  field: string,
  min: number,
  max: number,
  fallback: number,
  problems: ConfigProblem[],
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push({ field, value: text, allowed: `a whole number from ${min} to ${max}` });
    return fallback;
  }
  return value;
}

import { parseCommandTemplate } from "./command-template.js";
import { parseDurationMs } from "./duration.js";
import { didYouMean } from "./errors.js";
import { isThresholdProblem, parseThreshold } from "./threshold-grammar.js";
import type { CommandWeight, KeyPattern, RunConfig } from "./types.js";

/**
 * What each setting accepts, shared by the command-line flags and the scenario file so that
 * `--connections abc` and `connections: abc` are judged by the same rule and explained in the same
 * words. Flags hand over strings; files hand over strings, numbers or booleans.
 */
export interface ValueRule<T> {
  /** Plain words for what is accepted, shown as `allowed:` in a problem. */
  allowed: string;
  /** The value in canonical units (ms, bytes, ops/s), or undefined when raw is not acceptable. */
  parse(raw: unknown): T | undefined;
  /** A more precise `allowed` for this particular bad value, when there is one. */
  explain?(raw: unknown): string | undefined;
}

/** A RunConfig in the making: what one source (file or flags) said, already in canonical units. */
export type RunInput = Partial<Omit<RunConfig, "scenario">>;

/** The most each connection may ask of one value; memtier and redis-benchmark stop lower. */
export const MAX_DATA_SIZE_BYTES = 512 * 1024 * 1024;
export const MAX_THREADS = 64;
const MAX_DURATION_MS = 30 * 24 * 3_600_000;
const MAX_RATE = 100_000_000;

export function allowedFor(rule: ValueRule<unknown>, raw: unknown): string {
  return rule.explain?.(raw) ?? rule.allowed;
}

const NUMBER_TEXT = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*$/;
const WHOLE_TEXT = /^\s*\d+\s*$/;

function toNumber(raw: unknown): number | undefined {
  if (typeof raw === "number") return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === "string" && NUMBER_TEXT.test(raw)) return Number(raw);
  return undefined;
}

export function wholeNumber(min: number, max: number, what = "a whole number"): ValueRule<number> {
  return {
    allowed: `${what} from ${min} to ${max}`,
    parse(raw) {
      if (typeof raw === "string" && !WHOLE_TEXT.test(raw)) return undefined;
      const value = toNumber(raw);
      return value !== undefined && Number.isInteger(value) && value >= min && value <= max
        ? value
        : undefined;
    },
  };
}

/** Rates: `zeroAllowed` for stage rates (a pause), not for the run's one steady rate. */
export function rateRule(zeroAllowed: boolean, what = "a rate in ops/s"): ValueRule<number> {
  return {
    allowed: `${what}, ${zeroAllowed ? "0 or more" : "above 0"} and at most ${MAX_RATE}`,
    parse(raw) {
      const value = toNumber(raw);
      if (value === undefined || value > MAX_RATE) return undefined;
      return value > 0 || (zeroAllowed && value === 0) ? value : undefined;
    },
  };
}

/** Numbers mean seconds, as in parseDurationMs. */
export function durationRule(zeroAllowed: boolean, maxMs = MAX_DURATION_MS): ValueRule<number> {
  const lowest = zeroAllowed ? "0 or more" : "above 0";
  return {
    allowed: `a duration ${lowest}, such as 500ms, 30s, 5m or 1h (a bare number means seconds), at most ${maxMs / 3_600_000}h`,
    parse(raw) {
      let ms: number | undefined;
      if (typeof raw === "number") ms = Number.isFinite(raw) ? raw * 1000 : undefined;
      else if (typeof raw === "string") ms = parseDurationMs(raw);
      if (ms === undefined || ms > maxMs) return undefined;
      return ms > 0 || (zeroAllowed && ms === 0) ? ms : undefined;
    },
  };
}

export function oneOf<T extends string>(values: readonly T[]): ValueRule<T> {
  return {
    allowed: `one of ${values.join(", ")}`,
    parse: (raw) => ((values as readonly unknown[]).includes(raw) ? (raw as T) : undefined),
    explain(raw) {
      const guess = typeof raw === "string" ? didYouMean(raw, values) : undefined;
      return guess === undefined ? undefined : `one of ${values.join(", ")} (did you mean ${guess}?)`;
    },
  };
}

function textRule(allowed: string, pattern: RegExp): ValueRule<string> {
  return { allowed, parse: (raw) => (typeof raw === "string" && pattern.test(raw) ? raw : undefined) };
}

export const booleanRule: ValueRule<boolean> = {
  allowed: "true or false",
  parse: (raw) => (typeof raw === "boolean" ? raw : undefined),
};

export const urlRule: ValueRule<string> = {
  allowed:
    "a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379 or rediss://user:pass@host:6380/0, " +
    "or redis+sentinel://host:26379[,host:port...]/mastername",
  parse(raw) {
    // Several sentinel hosts do not make a WHATWG URL; its exact form is checked when the run starts.
    if (typeof raw === "string" && /^rediss?\+sentinel:\/\/[^/]+\/[^/]+\/?$/.test(raw)) return raw;
    if (typeof raw !== "string" || !URL.canParse(raw)) return undefined;
    const url = new URL(raw);
    return (url.protocol === "redis:" || url.protocol === "rediss:") && url.hostname !== "" ? raw : undefined;
  },
};

/** Problems quote the value they reject; a URL's password must not end up in a terminal or CI log. */
export function redactUrl(raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, "$1***@");
}

export const ratioRule: ValueRule<CommandWeight[]> = {
  allowed: "SET:GET as two whole numbers, not both 0, e.g. 1:10, 1:0 (writes only) or 0:1 (reads only)",
  parse(raw) {
    const match = typeof raw === "string" ? /^\s*(\d{1,7})\s*:\s*(\d{1,7})\s*$/.exec(raw) : null;
    if (match === null) return undefined;
    const setWeight = Number(match[1]);
    const getWeight = Number(match[2]);
    if (setWeight + getWeight === 0) return undefined;
    // A command with weight 0 is left out, so the engine's weighted choice never sees it.
    const commands: CommandWeight[] = [];
    if (setWeight > 0) commands.push({ name: "SET", weight: setWeight });
    if (getWeight > 0) commands.push({ name: "GET", weight: getWeight });
    return commands;
  },
};

const dataSizeBytes = wholeNumber(1, MAX_DATA_SIZE_BYTES, "a whole number of bytes");
export const dataSizeRule: ValueRule<number> = {
  ...dataSizeBytes,
  allowed: `${dataSizeBytes.allowed} (512 MiB)`,
};

export const dataSizeRangeRule: ValueRule<[number, number]> = {
  allowed: `MIN-MAX in bytes, each from 1 to ${MAX_DATA_SIZE_BYTES} (512 MiB), MIN at most MAX, e.g. 32-512`,
  parse(raw) {
    const match = typeof raw === "string" ? /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(raw) : null;
    if (match === null) return undefined;
    const min = dataSizeRule.parse(match[1]);
    const max = dataSizeRule.parse(match[2]);
    return min !== undefined && max !== undefined && min <= max ? [min, max] : undefined;
  },
};

/** Redis EX takes whole seconds, so a TTL written as a duration must be whole seconds too. */
export const ttlRule: ValueRule<number> = {
  allowed: "a whole number of seconds from 1 to 2147483647, or a duration in whole seconds such as 90s or 1h",
  parse(raw) {
    const ms = durationRule(false, 2147483647 * 1000).parse(raw);
    return ms !== undefined && ms % 1000 === 0 ? ms / 1000 : undefined;
  },
};

export const thresholdRule: ValueRule<string> = {
  allowed: "a threshold expression",
  parse(raw) {
    return typeof raw === "string" && !isThresholdProblem(parseThreshold(raw)) ? raw : undefined;
  },
  explain(raw) {
    if (typeof raw !== "string") return undefined;
    const parsed = parseThreshold(raw);
    return isThresholdProblem(parsed) ? parsed.allowed : undefined;
  },
};

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** SNI carries host names only (RFC 6066), never an IP address. */
export const hostNameRule: ValueRule<string> = {
  allowed: "a host name (not an IP address), e.g. my-cache.redis.cache.windows.net",
  parse: (raw) => (typeof raw === "string" && HOST_NAME.test(raw) && !/^[\d.]+$/.test(raw) ? raw : undefined),
};

/** A token is fetched at most once a second (a command per fetch) and at least once a day. */
export const tokenRefreshRule: ValueRule<number> = {
  allowed: "a duration from 1s to 24h, such as 45m or 30s (a bare number means seconds)",
  parse(raw) {
    const ms = durationRule(false, 24 * 3_600_000).parse(raw);
    return ms !== undefined && ms >= 1000 ? ms : undefined;
  },
};

export const KEY_PATTERNS: readonly KeyPattern[] = ["sequential", "uniform", "gaussian", "zipf"];

/** One rule per RunInput field, plus the file-only fields. */
export const rules = {
  name: textRule("a name of letters, digits, '.', '-' and '_'", /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
  description: textRule("text", /^[\s\S]{0,2000}$/),
  url: urlRule,
  env: textRule(
    "a label of letters, digits, '-' and '_' (it becomes part of the report file name), e.g. local or staging",
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/,
  ),
  outDir: textRule("a directory path", /^.{1,4096}$/),
  duration: durationRule(false),
  requests: wholeNumber(1, Number.MAX_SAFE_INTEGER),
  warmup: durationRule(true),
  connections: wholeNumber(1, 100_000),
  pipeline: wholeNumber(1, 10_000),
  threads: wholeNumber(1, MAX_THREADS),
  rate: rateRule(false),
  ratio: ratioRule,
  keyPattern: oneOf(KEY_PATTERNS),
  keyMax: wholeNumber(1, 1_000_000_000_000),
  dataSize: dataSizeRule,
  dataSizeRange: dataSizeRangeRule,
  dataset: oneOf(["firehose", "payments", "market"] as const),
  ttl: ttlRule,
  prefix: textRule("non-empty text without spaces, at most 200 characters, e.g. myapp:test:", /^\S{1,200}$/),
  timeout: durationRule(false, 3_600_000),
  threshold: thresholdRule,
  seed: wholeNumber(0, 4294967295),
  timeScale: {
    allowed: "a factor above 0 and at most 100, e.g. 0.01 to run a 50-minute scenario in 30 s",
    parse(raw) {
      const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
      return typeof value === "number" && Number.isFinite(value) && value > 0 && value <= 100
        ? value
        : undefined;
    },
  } satisfies ValueRule<number>,
  useCase: oneOf(["cache", "buffer", "session"] as const),
  readFrom: oneOf(["primary", "replicas"] as const),
  probeInterval: durationRule(false, 3_600_000),
  priceFile: textRule("a path to a JSON price table", /^.{1,4096}$/),
  maxCostUsd: {
    allowed: "an amount in US dollars above 0 and at most 1000000, e.g. 0.50 or 0.002",
    parse: (raw) => {
      const value = toNumber(raw);
      return value !== undefined && value > 0 && value <= 1_000_000 ? value : undefined;
    },
  } satisfies ValueRule<number>,
  maxOps: wholeNumber(1, Number.MAX_SAFE_INTEGER),
  tlsFile: textRule("a path to a PEM file", /^.{1,4096}$/),
  reportFile: textRule("a file path", /^.{1,4096}$/),
  tlsServername: hostNameRule,
  authTokenCommand: textRule(
    "a shell command that prints the token, e.g. az account get-access-token --resource https://redis.azure.com --query accessToken -o tsv",
    /^(?=[\s\S]*\S)[\s\S]{1,4096}$/,
  ),
  authTokenRefresh: tokenRefreshRule,
  commandName: {
    allowed: "SET or GET",
    parse: (raw) =>
      typeof raw === "string" && /^(set|get)$/i.test(raw) ? (raw.toUpperCase() as "SET" | "GET") : undefined,
  } satisfies ValueRule<CommandWeight["name"]>,
  commandWeight: wholeNumber(0, 1_000_000),
  commandTemplate: {
    allowed: "a command template such as HSET {key} f {value} (docs/scenario-file.md, commands)",
    parse: (raw) =>
      typeof raw === "string" && parseCommandTemplate(raw).problems === undefined ? raw.trim() : undefined,
    explain: (raw) => (typeof raw === "string" ? parseCommandTemplate(raw).problems?.join("; ") : undefined),
  } satisfies ValueRule<string>,
  commandLabel: textRule(
    "a name for reports and thresholds: a letter, then letters, digits, '.', '-' or '_'",
    /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/,
  ),
};

/**
 * `--command 'TEMPLATE:WEIGHT'`: a command template and, after the last colon, its weight. The
 * weight is required, so a template that itself ends in a colon and digits stays unambiguous.
 */
export const commandFlagRule: ValueRule<CommandWeight> = {
  allowed:
    "a command template, a colon and its weight, e.g. 'HSET {key} f {value}:1' (docs/scenario-file.md, commands)",
  parse(raw) {
    const match = typeof raw === "string" ? /^(.*):\s*(\d{1,7})\s*$/s.exec(raw) : null;
    if (match === null) return undefined;
    const parsed = parseCommandTemplate(match[1]);
    if (parsed.problems !== undefined || Number(match[2]) === 0) return undefined;
    return { name: parsed.template.name, weight: Number(match[2]), template: parsed.template.text };
  },
  explain(raw) {
    const match = typeof raw === "string" ? /^(.*):\s*(\d{1,7})\s*$/s.exec(raw) : null;
    if (match === null) return undefined;
    const problems = parseCommandTemplate(match[1]).problems;
    return problems === undefined ? undefined : problems.join("; ");
  },
};

import { parseDurationMs } from "../config/duration.js";
import { type ConfigProblem, didYouMean } from "../config/errors.js";

/**
 * Small checks shared by the `alerts:` rule and notifier parsers. They collect problems into a
 * list instead of throwing, because a config error must list every mistake at once.
 */

export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; problems: ConfigProblem[] };

export class Problems {
  readonly list: ConfigProblem[] = [];

  constructor(private readonly source?: string) {}

  add(field: string, value: unknown, allowed: string): void {
    this.list.push(
      this.source === undefined ? { field, value, allowed } : { field, value, allowed, source: this.source },
    );
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One problem per key that is not one of `allowed`, suggesting the likely intended key. */
export function checkKeys(
  object: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  problems: Problems,
): void {
  for (const key of Object.keys(object)) {
    if (allowed.includes(key)) continue;
    const guess = didYouMean(key, allowed);
    const hint = guess === undefined ? "" : ` (did you mean "${guess}"?)`;
    problems.add(`${path}.${key}`, object[key], `one of the fields ${allowed.join(", ")}${hint}`);
  }
}

/** A string from a fixed set, with a did-you-mean when it looks like a typo. */
export function oneOf<T extends string>(
  value: unknown,
  choices: readonly T[],
  field: string,
  problems: Problems,
): T | undefined {
  if (typeof value === "string" && (choices as readonly string[]).includes(value)) return value as T;
  const guess = typeof value === "string" ? didYouMean(value, choices) : undefined;
  const hint = guess === undefined ? "" : ` (did you mean "${guess}"?)`;
  problems.add(field, value, `one of ${choices.join(", ")}${hint}`);
  return undefined;
}

export function nonEmptyString(
  value: unknown,
  field: string,
  problems: Problems,
  allowed: string,
): string | undefined {
  if (typeof value === "string" && value.trim() !== "") return value.trim();
  problems.add(field, value, allowed);
  return undefined;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The value of the environment variable named at `field`. Problems name the variable, never show
 * its value: these variables hold webhook URLs and passwords.
 */
export function fromEnv(
  name: unknown,
  field: string,
  env: NodeJS.ProcessEnv,
  problems: Problems,
): string | undefined {
  if (typeof name !== "string" || !ENV_NAME.test(name)) {
    problems.add(field, name, "the name of an environment variable, e.g. SLACK_WEBHOOK_URL");
    return undefined;
  }
  const value = env[name];
  if (value === undefined || value.trim() === "") {
    problems.add(field, name, `an environment variable that is set; ${name} is not set or empty`);
    return undefined;
  }
  return value.trim();
}

/** An http(s) URL; `shown` is what a problem may print (the redacted form for secret URLs). */
export function httpUrl(
  value: string,
  field: string,
  shown: unknown,
  problems: Problems,
): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    problems.add(field, shown, "an http:// or https:// URL");
    return undefined;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    problems.add(field, shown, "an http:// or https:// URL");
    return undefined;
  }
  return value;
}

/** Longest reminder or escalation delay, ms: a day, longer than any run. */
const MAX_REPEAT_MS = 86_400_000;

/** A reminder period: at least a second (one interval), at most a day. */
export function parseRepeat(raw: unknown, field: string, problems: Problems): number | undefined {
  const ms =
    typeof raw === "number" ? raw * 1000 : typeof raw === "string" ? parseDurationMs(raw) : undefined;
  if (ms === undefined || !Number.isFinite(ms) || ms < 1000 || ms > MAX_REPEAT_MS) {
    problems.add(field, raw, "a duration from 1s to 24h, e.g. 30s, 5m (a bare number is seconds)");
    return undefined;
  }
  return ms;
}

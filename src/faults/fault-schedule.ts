import { formatDurationMs } from "../config/duration.js";
import { type ConfigProblem, didYouMean } from "../config/errors.js";
import { durationRule, oneOf, type ValueRule } from "../config/field-rules.js";

/**
 * The `faults:` section of a scenario file: a list of faults, each at a time since the measured
 * part started and, for most kinds, lasting `for` (grammar and kinds in docs/faults.md):
 *
 *   faults:
 *     - { at: 5s, for: 3s, kind: latency, latencyMs: 50, jitterMs: 10 }
 *     - { at: 10s, kind: reset }
 *     - { at: 18s, kind: debug-sleep, seconds: 0.5 }
 *
 * Every problem is returned at once with its path (`faults[2].latencyMs`).
 */

export const FAULT_KINDS = [
  "latency",
  "bandwidth",
  "drop",
  "reset",
  "blackhole",
  "client-kill",
  "client-pause",
  "debug-sleep",
  "restart",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Faults the proxy between the load and the server carries out. */
export const PROXY_FAULT_KINDS: readonly FaultKind[] = ["latency", "bandwidth", "drop", "reset", "blackhole"];

export type FaultDirection = "both" | "to-server" | "to-client";

export type FaultSpec =
  | { kind: "latency"; latencyMs: number; jitterMs: number; direction: FaultDirection }
  | { kind: "bandwidth"; bytesPerSec: number; direction: FaultDirection }
  | { kind: "drop"; probability: number; granularity: "command" | "chunk"; commands?: string[] }
  /** `for` (when given) refuses new connections for that long after the reset. */
  | { kind: "reset" }
  | { kind: "blackhole" }
  /** With `for`, kills again every `everyMs` until it ends, so the clients cannot stay connected. */
  | { kind: "client-kill"; clients: "run" | "user" | "all"; everyMs: number }
  | { kind: "client-pause"; mode: "all" | "write" }
  | { kind: "debug-sleep"; seconds: number }
  /** `for` is how long the server stays down before it is started again. */
  | { kind: "restart"; signal: "SIGTERM" | "SIGKILL" };

/** One fault of the schedule, in canonical units. */
export type ScheduledFault = FaultSpec & {
  /** Position in the `faults:` list, to name it in problems and reports. */
  index: number;
  /** `name` from the file, else a short description (`latency 50±10ms to-client`). */
  name: string;
  /** Since the measured part started, ms. */
  atMs: number;
  /** How long it lasts, ms; 0 for a one-off action. */
  forMs: number;
};

export type ScheduleOutcome =
  | { ok: true; faults: ScheduledFault[] }
  | { ok: false; problems: ConfigProblem[] };

export interface ScheduleOptions {
  /** The measured part's planned length, ms, when known: a fault must start before it ends. */
  runDurationMs?: number;
  /** Field path of the section; `faults` unless nested elsewhere. */
  path?: string;
  /** The scenario file, named in every problem. */
  source?: string;
  /** --time-scale: `at` and `for` are multiplied by this (not DEBUG SLEEP's seconds: the server sleeps as asked). */
  timeScale?: number;
}

type ForRule = "required" | "optional" | "none";

interface FieldSpec {
  key: string;
  rule: ValueRule<unknown>;
  /** The value when the field is absent; undefined = required. */
  fallback?: unknown;
}

const MAX_FAULT_MS = 24 * 3_600_000;
const atRule = durationRule(true, MAX_FAULT_MS);
const forRule = durationRule(false, MAX_FAULT_MS);

function numberRule(min: number, max: number, allowed: string, minExclusive = false): ValueRule<number> {
  return {
    allowed,
    parse(raw) {
      const value =
        typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
      if (!Number.isFinite(value) || value > max) return undefined;
      return value > min || (!minExclusive && value === min) ? value : undefined;
    },
  };
}

const commandNamesRule: ValueRule<string[]> = {
  allowed: "a list of command names, e.g. [SET] or [SET, DEL]",
  parse(raw) {
    if (!Array.isArray(raw) || raw.length === 0) return undefined;
    if (!raw.every((n) => typeof n === "string" && /^[A-Za-z][A-Za-z0-9_|-]{0,63}$/.test(n)))
      return undefined;
    return raw.map((n: string) => n.toUpperCase());
  },
};

const DIRECTIONS: readonly FaultDirection[] = ["to-client", "to-server", "both"];
const nameRule: ValueRule<string> = {
  allowed: "a short label, at most 80 characters",
  parse: (raw) => (typeof raw === "string" && raw.trim() !== "" && raw.length <= 80 ? raw.trim() : undefined),
};

/** Per kind: whether `for` is needed, and its own fields with their defaults. */
const KINDS: Record<FaultKind, { forRule: ForRule; fields: FieldSpec[] }> = {
  latency: {
    forRule: "required",
    fields: [
      { key: "latencyMs", rule: numberRule(0, 60_000, "added delay in ms, 0 to 60000") },
      { key: "jitterMs", rule: numberRule(0, 60_000, "jitter in ms, 0 to 60000"), fallback: 0 },
      { key: "direction", rule: oneOf(DIRECTIONS), fallback: "to-client" },
    ],
  },
  bandwidth: {
    forRule: "required",
    fields: [
      {
        key: "bytesPerSec",
        rule: numberRule(1, 10_000_000_000, "bytes per second, from 1 to 10000000000"),
      },
      { key: "direction", rule: oneOf(DIRECTIONS), fallback: "both" },
    ],
  },
  drop: {
    forRule: "required",
    fields: [
      {
        key: "probability",
        rule: numberRule(0, 1, "a chance above 0 and at most 1 (1 = drop everything)", true),
        fallback: 1,
      },
      { key: "granularity", rule: oneOf(["command", "chunk"] as const), fallback: "command" },
      { key: "commands", rule: commandNamesRule, fallback: null },
    ],
  },
  reset: { forRule: "optional", fields: [] },
  blackhole: { forRule: "required", fields: [] },
  "client-kill": {
    forRule: "optional",
    fields: [
      { key: "clients", rule: oneOf(["run", "user", "all"] as const), fallback: "run" },
      { key: "every", rule: durationRule(false, 60_000), fallback: 500 },
    ],
  },
  "client-pause": {
    forRule: "required",
    fields: [{ key: "mode", rule: oneOf(["all", "write"] as const), fallback: "all" }],
  },
  "debug-sleep": {
    forRule: "none",
    fields: [{ key: "seconds", rule: numberRule(0, 60, "seconds above 0, at most 60", true) }],
  },
  restart: {
    forRule: "optional",
    fields: [{ key: "signal", rule: oneOf(["SIGTERM", "SIGKILL"] as const), fallback: "SIGTERM" }],
  },
};

/** Parses and checks the whole section; an absent section is an empty schedule. */
export function parseFaultSchedule(section: unknown, options: ScheduleOptions = {}): ScheduleOutcome {
  const path = options.path ?? "faults";
  const problems: ConfigProblem[] = [];
  const add = (field: string, value: unknown, allowed: string) =>
    problems.push(
      options.source === undefined
        ? { field, value, allowed }
        : { field, value, allowed, source: options.source },
    );
  if (section === undefined || section === null) return { ok: true, faults: [] };
  if (!Array.isArray(section)) {
    add(path, section, "a list of faults, e.g. - { at: 5s, for: 3s, kind: latency, latencyMs: 50 }");
    return { ok: false, problems };
  }
  const faults: ScheduledFault[] = [];
  section.forEach((raw, index) => {
    const fault = parseOne(raw, index, `${path}[${index}]`, add);
    if (fault !== undefined) faults.push(scaleFault(fault, options.timeScale ?? 1));
  });
  checkOverlaps(faults, path, add);
  if (options.runDurationMs !== undefined) {
    for (const f of faults) {
      if (f.atMs >= options.runDurationMs)
        add(
          `${path}[${f.index}].at`,
          formatDurationMs(f.atMs),
          `a time before the measured run ends (${formatDurationMs(options.runDurationMs)})`,
        );
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, faults };
}

type Add = (field: string, value: unknown, allowed: string) => void;

function parseOne(raw: unknown, index: number, where: string, add: Add): ScheduledFault | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    add(where, raw, "a fault: { at: 5s, for: 3s, kind: latency, latencyMs: 50 }");
    return undefined;
  }
  const entry = raw as Record<string, unknown>;
  const kindRule = oneOf(FAULT_KINDS);
  const kind = kindRule.parse(entry.kind);
  if (kind === undefined) {
    add(
      `${where}.kind`,
      entry.kind,
      entry.kind === undefined
        ? `${kindRule.allowed} (required)`
        : (kindRule.explain?.(entry.kind) ?? kindRule.allowed),
    );
    return undefined;
  }
  const spec = KINDS[kind];
  let ok = true;
  const known = [
    "kind",
    "at",
    "name",
    ...(spec.forRule === "none" ? [] : ["for"]),
    ...spec.fields.map((f) => f.key),
  ];
  for (const key of Object.keys(entry)) {
    if (known.includes(key)) continue;
    ok = false;
    const why =
      key === "for" && kind === "debug-sleep"
        ? "no `for`: a debug-sleep lasts `seconds`"
        : `a field of a ${kind} fault: ${known.join(", ")}`;
    const guess = didYouMean(key, known);
    add(
      `${where}.${key}`,
      entry[key],
      guess !== undefined && key !== "for" ? `${why} (did you mean ${guess}?)` : why,
    );
  }
  const read = <T>(key: string, rule: ValueRule<T>, fallback?: unknown): T | undefined => {
    const value = entry[key];
    if (value === undefined) {
      if (fallback === undefined) {
        ok = false;
        add(`${where}.${key}`, undefined, `${rule.allowed} (required for ${kind})`);
      }
      return fallback === null ? undefined : (fallback as T | undefined);
    }
    const parsed = rule.parse(value);
    if (parsed === undefined) {
      ok = false;
      add(`${where}.${key}`, value, rule.explain?.(value) ?? rule.allowed);
    }
    return parsed;
  };
  const atMs = read("at", atRule);
  const forMs =
    spec.forRule === "none" ? 0 : (read("for", forRule, spec.forRule === "required" ? undefined : 0) ?? 0);
  const name = entry.name === undefined ? undefined : read("name", nameRule);
  const values: Record<string, unknown> = {};
  for (const field of spec.fields) values[field.key] = read(field.key, field.rule, field.fallback);
  if (kind === "drop" && values.granularity === "chunk" && values.commands !== undefined) {
    ok = false;
    add(
      `${where}.commands`,
      entry.commands,
      "no command filter with granularity: chunk (a chunk is not a command)",
    );
  }
  if (kind === "client-kill" && entry.every !== undefined && entry.for === undefined) {
    ok = false;
    add(`${where}.every`, entry.every, "only with `for`: a one-off kill happens once");
  }
  if (!ok || atMs === undefined) return undefined;
  const faultSpec = buildSpec(kind, values);
  const fault = {
    ...faultSpec,
    index,
    atMs,
    forMs: kind === "debug-sleep" ? (values.seconds as number) * 1000 : forMs,
  };
  return { ...fault, name: name ?? describeFault(fault) } as ScheduledFault;
}

function buildSpec(kind: FaultKind, v: Record<string, unknown>): FaultSpec {
  switch (kind) {
    case "latency":
      return {
        kind,
        latencyMs: v.latencyMs as number,
        jitterMs: v.jitterMs as number,
        direction: v.direction as FaultDirection,
      };
    case "bandwidth":
      return { kind, bytesPerSec: v.bytesPerSec as number, direction: v.direction as FaultDirection };
    case "drop": {
      const drop: FaultSpec = {
        kind,
        probability: v.probability as number,
        granularity: v.granularity as "command" | "chunk",
      };
      if (v.commands !== undefined) drop.commands = v.commands as string[];
      return drop;
    }
    case "reset":
    case "blackhole":
      return { kind };
    case "client-kill":
      return { kind, clients: v.clients as "run" | "user" | "all", everyMs: v.every as number };
    case "client-pause":
      return { kind, mode: v.mode as "all" | "write" };
    case "debug-sleep":
      return { kind, seconds: v.seconds as number };
    case "restart":
      return { kind, signal: v.signal as "SIGTERM" | "SIGKILL" };
  }
}

/** A short label for reports: `latency 50±10ms to-client`, `drop 50% of SET`, `restart (SIGKILL)`. */
export function describeFault(f: FaultSpec & { forMs: number }): string {
  switch (f.kind) {
    case "latency":
      return `latency ${f.latencyMs}${f.jitterMs > 0 ? `±${f.jitterMs}` : ""}ms ${f.direction}`;
    case "bandwidth":
      return `bandwidth ${f.bytesPerSec} B/s ${f.direction}`;
    case "drop":
      return `drop ${round(f.probability * 100)}% of ${f.commands?.join("/") ?? (f.granularity === "chunk" ? "chunks" : "commands")}`;
    case "reset":
      return f.forMs > 0 ? `reset, refusing new connections for ${formatDurationMs(f.forMs)}` : "reset";
    case "blackhole":
      return "blackhole";
    case "client-kill":
      return `client-kill (${f.clients} clients)`;
    case "client-pause":
      return `client-pause ${f.mode}`;
    case "debug-sleep":
      return `debug-sleep ${f.seconds}s`;
    case "restart":
      return `restart (${f.signal})`;
  }
}

/** Two faults of the same kind at once would overwrite each other's settings. */
function checkOverlaps(faults: ScheduledFault[], path: string, add: Add): void {
  const sorted = [...faults].sort((a, b) => a.atMs - b.atMs || a.index - b.index);
  for (let i = 0; i < sorted.length; i++) {
    const later = sorted[i];
    const earlier = sorted
      .slice(0, i)
      .find((f) => f.kind === later.kind && later.atMs < f.atMs + Math.max(f.forMs, 1));
    if (earlier === undefined) continue;
    const span = `${formatDurationMs(earlier.atMs)}–${formatDurationMs(earlier.atMs + earlier.forMs)}`;
    add(
      `${path}[${later.index}].at`,
      formatDurationMs(later.atMs),
      `a time when ${path}[${earlier.index}] (${later.kind}, ${span}) has ended: two ${later.kind} faults cannot overlap`,
    );
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** `faults[1] (latency 50ms to-client)`: how a problem or a log line names a fault. */
export function faultLabel(f: ScheduledFault, path = "faults"): string {
  return `${path}[${f.index}] (${f.name})`;
}

function scaleFault(fault: ScheduledFault, factor: number): ScheduledFault {
  if (factor === 1) return fault;
  const scale = (ms: number) => (ms === 0 ? 0 : Math.max(1, Math.round(ms * factor)));
  return {
    ...fault,
    atMs: scale(fault.atMs),
    forMs: fault.kind === "debug-sleep" ? fault.forMs : scale(fault.forMs),
  };
}

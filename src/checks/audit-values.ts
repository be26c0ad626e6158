/**
 * How the config audit reads Redis setting values: memory sizes with Redis' own units, the `save`
 * and `client-output-buffer-limit` lists, bind addresses, and the normalised form in which a value
 * the user expects (`--expect maxmemory=2gb`) is compared with the value the server reports
 * (`2147483648`). Pure functions, shared by the rules and the report.
 */

/**
 * Redis' units (`memtoll` in the server): a bare `k`/`m`/`g` is a power of 1000, `kb`/`mb`/`gb` a
 * power of 1024. Users write `64mb` and the server answers `67108864`; both must mean the same.
 */
const MEMORY_UNITS: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  k: 1000,
  kb: 1024,
  m: 1000 ** 2,
  mb: 1024 ** 2,
  g: 1000 ** 3,
  gb: 1024 ** 3,
};

/** `64mb` → 67108864, `2GB` → 2147483648, `100` → 100; undefined when it is not a memory size. */
export function parseMemoryBytes(text: string): number | undefined {
  const match = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  if (match === null) return undefined;
  const unit = MEMORY_UNITS[match[2].toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Number(match[1]) * unit;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** 67108864 → `64mb`, 1500 → `1500b`: the largest binary unit that divides it exactly, as Redis writes them. */
export function formatMemory(bytes: number): string {
  for (const [unit, size] of [
    ["gb", 1024 ** 3],
    ["mb", 1024 ** 2],
    ["kb", 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}b`;
}

/**
 * The form two setting values are compared in. Memory sizes compare as bytes; everything else
 * case-insensitively with runs of spaces collapsed, so `ALLKEYS-LRU` matches `allkeys-lru` and
 * `3600 1  300 100` matches `3600 1 300 100`.
 */
export function normaliseSettingValue(text: string): string {
  const bytes = parseMemoryBytes(text);
  if (bytes !== undefined) return String(bytes);
  return text.trim().replace(/\s+/g, " ").toLowerCase();
}

export function sameSettingValue(expected: string, actual: string): boolean {
  return normaliseSettingValue(expected) === normaliseSettingValue(actual);
}

/** Settings whose value is a password: never shown, in the table, the JSON or an error. */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set(["requirepass", "masterauth"]);

export function displayValue(setting: string, value: string | undefined): string | undefined {
  if (value === undefined || !SECRET_SETTINGS.has(setting)) return value;
  return value === "" ? "" : "***";
}

/** 127.0.0.0/8, ::1 and `localhost`, with or without IPv6 brackets or the IPv4-mapped prefix. */
export function isLoopbackHost(host: string): boolean {
  const bare = host
    .trim()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/^::ffff:/i, "")
    .toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/**
 * Whether every address in a `bind` value is a loopback address. A leading `-` marks an address
 * Redis may skip when it is missing, which still binds it when present. An empty bind or `*` is
 * every interface.
 */
export function bindIsLoopbackOnly(bind: string): boolean {
  const addresses = bind.split(/\s+/).filter((a) => a !== "");
  return addresses.length > 0 && addresses.every((a) => isLoopbackHost(a.replace(/^-/, "")));
}

export interface SaveRule {
  /** Snapshot after this many seconds... */
  seconds: number;
  /** ...when at least this many keys changed. */
  changes: number;
}

/** `3600 1 300 100` → two rules; `""` → none (snapshots off). */
export function parseSaveRules(save: string): SaveRule[] {
  const numbers = save
    .split(/\s+/)
    .filter((n) => n !== "")
    .map(Number);
  const rules: SaveRule[] = [];
  for (let i = 0; i + 1 < numbers.length; i += 2)
    rules.push({ seconds: numbers[i], changes: numbers[i + 1] });
  return rules;
}

export interface OutputBufferLimit {
  hardBytes: number;
  softBytes: number;
  softSeconds: number;
}

/**
 * `normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60` → one limit per client
 * class. Redis 7 reports the replica class as `slave`; it is keyed as `replica` here.
 */
export function parseOutputBufferLimits(text: string): Record<string, OutputBufferLimit> {
  const words = text.split(/\s+/).filter((w) => w !== "");
  const limits: Record<string, OutputBufferLimit> = {};
  for (let i = 0; i + 3 < words.length; i += 4) {
    const name = words[i].toLowerCase() === "slave" ? "replica" : words[i].toLowerCase();
    const [hard, soft, seconds] = words.slice(i + 1, i + 4).map((w) => parseMemoryBytes(w));
    if (hard === undefined || soft === undefined || seconds === undefined) continue;
    limits[name] = { hardBytes: hard, softBytes: soft, softSeconds: seconds };
  }
  return limits;
}

/** A whole number from a setting or INFO field; undefined for anything else. */
export function wholeNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*-?\d+\s*$/.test(text)) return undefined;
  return Number(text);
}

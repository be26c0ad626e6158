import { parseArgs } from "node:util";
import { type ConfigProblem, didYouMean } from "./errors.js";
import { allowedFor, redactUrl, type ValueRule } from "./field-rules.js";

/**
 * The command-line side of the settings table: walks the words of a command (`run`, `audit`,
 * `cleanup`, `merge`...) against rows of flags, parses each value with its row's rule, and collects
 * every problem in the same words for every command. `run` passes the rows of src/config/settings.ts;
 * a subcommand passes the rows it shares with `run` (taken from that table) and its own.
 */

/** The part of a settings row the parser and the help need. */
export interface FlagRow {
  /** The flag without its dashes. */
  flag: string;
  short?: string;
  /** Placeholder for the value in help; absent for an on/off flag. */
  value?: string;
  /** Judges a value; required when `value` is set. */
  rule?: ValueRule<unknown>;
  help: string;
  default?: string;
  defaultText?: string;
}

export interface ParsedFlags<R extends FlagRow> {
  /** Each flag given with an acceptable value (true for on/off flags), in the order typed. */
  values: [R, unknown][];
  /** Words that are not flags or their values, with their index in argv. */
  positionals: { value: string; index: number }[];
  /** The names of the flags given, whether or not their value was acceptable. */
  given: Set<string>;
  problems: ConfigProblem[];
}

/** A value that is really the next flag means the flag before it was given no value. */
function looksLikeFlag(value: string): boolean {
  return value.startsWith("-") && value !== "-" && !/^-\d/.test(value);
}

/** A URL's password must not end up in a problem printed to a terminal or a CI log. */
const SECRET_VALUED = new Set(["url", "cleanup-url"]);

/** `command` names the help to look at in an unknown-flag problem (`cachestress audit --help`). */
export function parseFlags<R extends FlagRow>(
  argv: string[],
  rows: readonly R[],
  command: string,
): ParsedFlags<R> {
  const byName = new Map(rows.map((row) => [row.flag, row]));
  const names = rows.map((row) => `--${row.flag}`);
  const options = Object.fromEntries(
    rows.map((row) => {
      const type = row.value === undefined ? ("boolean" as const) : ("string" as const);
      return [row.flag, row.short === undefined ? { type } : { type, short: row.short }];
    }),
  );
  const parsed: ParsedFlags<R> = { values: [], positionals: [], given: new Set(), problems: [] };
  const { problems } = parsed;
  let rest = argv;
  let offset = 0;
  // parseArgs takes `--connections --ratio` as connections="--ratio"; when that happens, report the
  // missing value and parse again from the swallowed flag.
  for (;;) {
    const { tokens } = parseArgs({
      args: rest,
      options,
      strict: false,
      allowPositionals: true,
      tokens: true,
    });
    let restartAt = -1;
    for (let i = 0; i < tokens.length && restartAt < 0; i++) {
      const token = tokens[i];
      if (token.kind === "positional")
        parsed.positionals.push({ value: token.value, index: offset + token.index });
      if (token.kind !== "option") continue;
      const row = byName.get(token.name);
      if (row === undefined) {
        const guess = didYouMean(token.rawName.replace(/^-+/, "--"), names);
        problems.push({
          field: token.rawName,
          value: token.value === undefined ? token.rawName : `${token.rawName}=${token.value}`,
          allowed: guess
            ? `a known flag (did you mean ${guess}?)`
            : `a known flag (see cachestress ${command} --help)`,
        });
        // `--conections 10`: the 10 belongs to the misspelt flag, not to the positionals.
        const next = tokens[i + 1];
        if (
          token.value === undefined &&
          guess &&
          byName.get(guess.slice(2))?.value &&
          next?.kind === "positional" &&
          next.index === token.index + 1
        )
          i++;
        continue;
      }
      const field = `--${row.flag}`;
      parsed.given.add(row.flag);
      if (row.value === undefined) {
        if (token.value !== undefined)
          problems.push({ field, value: token.value, allowed: "no value: it is an on/off flag" });
        else parsed.values.push([row, true]);
        continue;
      }
      if (token.value === undefined || (!token.inlineValue && looksLikeFlag(token.value))) {
        problems.push({ field, value: undefined, allowed: allowedFor(row.rule!, undefined) });
        if (token.value !== undefined) restartAt = token.index + 1;
        continue;
      }
      const value = row.rule!.parse(token.value);
      if (value === undefined) {
        const shown = SECRET_VALUED.has(row.flag) ? redactUrl(token.value) : token.value;
        problems.push({ field, value: shown, allowed: allowedFor(row.rule!, token.value) });
      } else parsed.values.push([row, value]);
    }
    if (restartAt < 0) break;
    rest = rest.slice(restartAt);
    offset += restartAt;
  }
  return parsed;
}

/** One help line per row, `  --flag, -f VALUE  help (default: ...)`, aligned. */
export function flagHelpLines(rows: readonly FlagRow[]): string[] {
  const left = rows.map(
    (s) => `  --${s.flag}${s.short ? `, -${s.short}` : ""}${s.value ? ` ${s.value}` : ""}`,
  );
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return rows.map((s, i) => {
    const dflt = s.defaultText ?? s.default;
    return `${left[i].padEnd(width)}${s.help}${dflt ? ` (default: ${dflt})` : ""}`;
  });
}

/** The value a row's flag has when nobody sets it: its `default`, parsed by its rule. */
export function rowDefault<T>(rows: readonly FlagRow[], flag: string): T {
  const row = rows.find((r) => r.flag === flag);
  const value = row?.rule?.parse(row.default);
  if (value === undefined) throw new Error(`settings: --${flag} has no default its rule accepts`);
  return value as T;
}

import {
  COMMAND_RULES,
  containerSubcommand,
  hiddenReachIndexes,
  keyArgumentIndexes,
} from "./command-rules.js";

/**
 * Command templates: any Redis command as one line of text with placeholders, e.g.
 * `HSET {key} f {value}` or `XADD {prefix}events:{type} MAXLEN ~ 100000 * event {value}`.
 *
 * Words are separated by spaces (an argument cannot hold a space). A placeholder is a word or a
 * part of a word in braces; every one of them is filled per operation by the engine, everything
 * else is sent as written. The grammar and the placeholders are documented in
 * docs/scenario-file.md (`commands:`).
 */

export type TemplatePart =
  | { kind: "text"; text: string }
  /** `{key}`: the prefix and the operation's key number, zero padded (the same keys SET/GET use). */
  | { kind: "key" }
  /** `{prefix}`: the run's prefix alone, for named keys such as `{prefix}events:{type}`. */
  | { kind: "prefix" }
  /** `{value}`: random bytes of the configured size, or the dataset record of the operation's key. */
  | { kind: "value" }
  /** `{rand}`: a random integer from 0 to 4294967295, one per operation. */
  | { kind: "rand" }
  /** `{seq}`: a counter of the engine thread, unique over the run's connections within a phase. */
  | { kind: "seq" }
  /** `{type}`: the event type of the dataset record (firehose: post, like, repost, follow, block). */
  | { kind: "type" }
  /** `{script:NAME}`: the SHA1 of the scenario's script NAME, for EVALSHA. */
  | { kind: "script"; name: string };

export type PlaceholderKind = Exclude<TemplatePart["kind"], "text">;

export const PLACEHOLDERS = ["{key}", "{prefix}", "{value}", "{rand}", "{seq}", "{type}", "{script:NAME}"];

export interface CommandTemplate {
  text: string;
  /** The command as INFO commandstats counts it: upper case, `NAME|SUB` for container commands (`XGROUP|CREATE`). */
  name: string;
  /** Every word of the command, the command name first. */
  args: TemplatePart[][];
  /** Index in `args` of the first argument that is a key (starts with {key} or {prefix}); -1 when none. */
  keyArg: number;
  /** Anything not known to be read-only counts as a write: it goes to primaries, never to replicas. */
  isWrite: boolean;
  /** Placeholder kinds used anywhere in the template. */
  uses: ReadonlySet<PlaceholderKind>;
}

/** A template, or every problem with it in plain words. */
export type ParsedTemplate =
  | { template: CommandTemplate; problems?: undefined }
  | { template?: undefined; problems: string[] };

const NAME_WORD = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const SCRIPT_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** `scriptNames` undefined: {script:NAME} is not checked against a list (a flag's template, checked later). */
export function parseCommandTemplate(text: string, scriptNames?: readonly string[]): ParsedTemplate {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== "");
  if (words.length === 0) return { problems: ["a command, e.g. HSET {key} f {value}"] };
  const problems: string[] = [];
  const uses = new Set<PlaceholderKind>();
  const args = words.map((word, i) => parseWord(word, i, scriptNames, problems, uses));
  if (problems.length > 0) return { problems };

  const first = words[0];
  if (!NAME_WORD.test(first)) problems.push(`a command name first (letters, digits, . _ -), not "${first}"`);
  const command = first.toUpperCase();
  const sub = containerSubcommand(command, words[1]);
  const name = sub !== undefined ? `${command}|${sub}` : command;
  const danger = COMMAND_RULES.dangerous.get(command) ?? COMMAND_RULES.dangerous.get(name);
  if (danger !== undefined) problems.push(`not ${name}: ${danger}`);
  if (COMMAND_RULES.containers.has(command) && sub === undefined)
    problems.push(`${command} with its subcommand written out, e.g. ${command} ${exampleSub(command)}`);

  let keyArg = -1;
  args.forEach((parts, i) => {
    const isKey = parts[0]?.kind === "key" || parts[0]?.kind === "prefix";
    if (isKey && keyArg < 0) keyArg = i;
    parts.forEach((part, p) => {
      if ((part.kind === "key" || part.kind === "prefix") && p > 0)
        problems.push(
          `{${part.kind}} at the start of its argument ("${words[i]}"), so the key stays under the run's prefix`,
        );
      if (
        isKey &&
        (part.kind === "value" || part.kind === "rand" || part.kind === "seq" || part.kind === "script")
      )
        problems.push(
          `a key argument ("${words[i]}") built from {key} or {prefix}, text and {type} only: a resent operation must name the same key`,
        );
    });
  });
  // Where a command's keys are known, each must be a key argument: a literal key would be outside the prefix.
  for (const index of keyArgumentIndexes(command, words)) {
    const parts = args[index];
    if (parts === undefined) continue;
    if (parts[0]?.kind !== "key" && parts[0]?.kind !== "prefix")
      problems.push(
        `argument ${index} of ${command} ("${words[index]}") is a key: write it as {key} or {prefix}..., so it is under the run's prefix`,
      );
  }
  for (const index of hiddenReachIndexes(command, words)) {
    const word = words[index];
    if (command === "COPY")
      problems.push(`COPY without DB: a key copied into another database is outside the run's cleanup`);
    else if (word !== "#" && word.toLowerCase() !== "nosort" && args[index][0]?.kind !== "prefix")
      problems.push(
        `a ${command} BY/GET pattern ("${word}") that starts with {prefix}, so the keys it reads are the run's own`,
      );
  }
  if (problems.length > 0) return { problems };
  return {
    template: {
      text: words.join(" "),
      name,
      args,
      keyArg,
      isWrite: !COMMAND_RULES.readOnly.has(name) && !COMMAND_RULES.readOnly.has(command),
      uses,
    },
  };
}

function parseWord(
  word: string,
  index: number,
  scriptNames: readonly string[] | undefined,
  problems: string[],
  uses: Set<PlaceholderKind>,
): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let at = 0;
  while (at < word.length) {
    const open = word.indexOf("{", at);
    const strayClose = word.indexOf("}", at);
    if (strayClose >= 0 && (open < 0 || strayClose < open)) {
      problems.push(
        `"${word}": a "}" with no "{" (braces are only for placeholders: ${PLACEHOLDERS.join(" ")})`,
      );
      return parts;
    }
    if (open < 0) {
      parts.push({ kind: "text", text: word.slice(at) });
      break;
    }
    if (open > at) parts.push({ kind: "text", text: word.slice(at, open) });
    const close = word.indexOf("}", open + 1);
    if (close < 0) {
      problems.push(`"${word}": a "{" with no "}" (placeholders: ${PLACEHOLDERS.join(" ")})`);
      return parts;
    }
    const inside = word.slice(open + 1, close);
    const part = placeholder(inside, scriptNames, problems);
    if (part !== undefined) {
      if (index === 0) problems.push(`the command name as plain text, not ${`{${inside}}`}`);
      parts.push(part);
      uses.add(part.kind);
    }
    at = close + 1;
  }
  return parts;
}

function placeholder(
  inside: string,
  scriptNames: readonly string[] | undefined,
  problems: string[],
): Exclude<TemplatePart, { kind: "text" }> | undefined {
  switch (inside) {
    case "key":
    case "prefix":
    case "value":
    case "rand":
    case "seq":
    case "type":
      return { kind: inside };
  }
  if (inside.startsWith("script:")) {
    const name = inside.slice("script:".length);
    if (!SCRIPT_NAME.test(name)) {
      problems.push(`{script:NAME} with a script name of letters, digits, . _ -, not "${name}"`);
      return undefined;
    }
    if (scriptNames !== undefined && !scriptNames.includes(name)) {
      const known =
        scriptNames.length > 0 ? `: ${scriptNames.join(", ")}` : " (the scenario has no scripts:)";
      problems.push(`{script:${name}} naming a script of the scenario's scripts:${known}`);
      return undefined;
    }
    return { kind: "script", name };
  }
  problems.push(`a known placeholder (${PLACEHOLDERS.join(" ")}), not {${inside}}`);
  return undefined;
}

function exampleSub(command: string): string {
  return command === "XGROUP"
    ? "CREATE {key} group $ MKSTREAM"
    : command === "XINFO"
      ? "STREAM {key}"
      : "...";
}

/**
 * The name each command entry goes by in reports and thresholds: its label when given, else its
 * command name; a name that several entries share gets `-2`, `-3` ... from its second entry on
 * (`XADD`, `XADD-2`). The count check still adds them up under the command's own name.
 */
export function commandLabels(commands: readonly { name: string; label?: string }[]): string[] {
  const taken = new Set(commands.flatMap((c) => (c.label !== undefined ? [c.label.toUpperCase()] : [])));
  const seen = new Map<string, number>();
  return commands.map((c) => {
    if (c.label !== undefined) return c.label.toUpperCase();
    const base = c.name.replace("|", ".");
    let n = seen.get(base) ?? 0;
    let label: string;
    do {
      n++;
      label = n === 1 ? base : `${base}-${n}`;
    } while (taken.has(label));
    seen.set(base, n);
    taken.add(label);
    return label;
  });
}

/** Whether a command entry may write: SET, and every template whose command is not known to be read-only. */
export function commandIsWrite(c: { name: string; template?: string }): boolean {
  if (c.template === undefined) return c.name === "SET";
  const parsed = parseCommandTemplate(c.template);
  return parsed.problems !== undefined || parsed.template.isWrite;
}

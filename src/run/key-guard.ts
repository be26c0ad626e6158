import { createHash } from "node:crypto";
import {
  COMMAND_RULES,
  hiddenReachIndexes,
  keyArgumentIndexes,
  keysKnownStatically,
} from "../config/command-rules.js";
import { type CommandTemplate, parseCommandTemplate } from "../config/command-template.js";
import type { CommandWeight } from "../config/types.js";
import { isRunKeyExpression, literalValue, readLuaCalls } from "./lua-calls.js";

/**
 * Proves, before any load, that every key a command template or a script can touch starts with the
 * run's prefix. Key positions come from the server (`COMMAND GETKEYS` on the template filled with
 * sample values), or from the tool's own table when the server will not say. A script passes only
 * when each redis.call/pcall names its command as a plain string and every key argument is KEYS[i]
 * (the template's keys, proven above), never a literal or a computed name.
 *
 * An "escape" is a key shown to be outside the prefix, or a command that empties or leaves the
 * keyspace (FLUSHALL, SELECT, KEYS...): always refused. "Unproven" is what cannot be shown either
 * way (ARGV keys, FCALL, a literal EVALSHA digest): refused unless the server enforces the prefix
 * with an ACL user, or the user passed --allow-unchecked-keys.
 */

export interface KeyJudgement {
  /** The template text, or `scripts.NAME`. */
  subject: string;
  escapes: string[];
  unproven: string[];
}

/** The keys of a command, or why they are not known. */
export type KeysOf = (words: string[]) => Promise<{ keys: string[] } | { unknown: string }>;

/** Placeholders filled with values of the right shape, so the server can place the keys. */
export function sampleWords(
  template: CommandTemplate,
  prefix: string,
  scripts: Record<string, string> | undefined,
  sampleKey = `${prefix}0`,
): string[] {
  return template.args.map((parts) =>
    parts
      .map((part) => {
        switch (part.kind) {
          case "text":
            return part.text;
          case "key":
            return sampleKey;
          case "prefix":
            return prefix;
          case "value":
            return "v";
          case "rand":
          case "seq":
            return "1";
          case "type":
            return "post";
          case "script":
            return createHash("sha1")
              .update(scripts?.[part.name] ?? "")
              .digest("hex");
        }
        return "";
      })
      .join(""),
  );
}

/** Every template and script of the run, judged. Only entries with something to say are returned. */
export async function judgeRunKeys(
  commands: readonly CommandWeight[],
  scripts: Record<string, string> | undefined,
  prefix: string,
  keysOf: KeysOf,
): Promise<KeyJudgement[]> {
  const found: KeyJudgement[] = [];
  const scriptNames = Object.keys(scripts ?? {});
  for (const c of commands) {
    if (c.template === undefined) continue;
    const parsed = parseCommandTemplate(c.template, scriptNames);
    if (parsed.template === undefined) continue;
    const judged = await judgeTemplate(parsed.template, prefix, scripts, keysOf);
    if (judged.escapes.length + judged.unproven.length > 0) found.push(judged);
  }
  for (const [name, source] of Object.entries(scripts ?? {})) {
    const judged = await judgeScript(`scripts.${name}`, source, prefix, keysOf);
    if (judged.escapes.length + judged.unproven.length > 0) found.push(judged);
  }
  return found;
}

export async function judgeTemplate(
  template: CommandTemplate,
  prefix: string,
  scripts: Record<string, string> | undefined,
  keysOf: KeysOf,
): Promise<KeyJudgement> {
  const judged: KeyJudgement = { subject: template.text, escapes: [], unproven: [] };
  const words = sampleWords(template, prefix, scripts);
  const command = words[0].toUpperCase();
  const keys = await keysOf(words);
  if ("unknown" in keys) judged.unproven.push(`where its keys are is not known: ${keys.unknown}`);
  else
    for (const key of keys.keys)
      if (!key.startsWith(prefix))
        judged.escapes.push(`"${key}" is a key and it is not under the run's prefix ${prefix}`);
  if (command === "EVAL" || command === "EVAL_RO") {
    const body = template.args[1];
    if (body === undefined || body.some((p) => p.kind !== "text"))
      judged.unproven.push("the script's text is built from placeholders");
    else {
      const inner = await judgeScript(template.text, words[1], prefix, keysOf);
      judged.escapes.push(...inner.escapes);
      judged.unproven.push(...inner.unproven);
    }
  }
  if ((command === "EVALSHA" || command === "EVALSHA_RO") && template.args[1]?.[0]?.kind !== "script")
    judged.unproven.push(
      "EVALSHA of a digest that is not one of the scenario's scripts: its text is not known",
    );
  if (command === "FCALL" || command === "FCALL_RO")
    judged.unproven.push("a function's code lives on the server, so the keys it touches are not known");
  return judged;
}

export async function judgeScript(
  subject: string,
  source: string,
  prefix: string,
  keysOf: KeysOf,
): Promise<KeyJudgement> {
  const judged: KeyJudgement = { subject, escapes: [], unproven: [] };
  const reading = readLuaCalls(source);
  judged.unproven.push(...reading.hidden.map((why) => `script: ${why}`));
  for (const call of reading.calls) {
    if (call.command === undefined) {
      judged.unproven.push("script: a redis.call whose command is not written as one plain string");
      continue;
    }
    const command = call.command.toUpperCase();
    const sub = literalValue(call.args[0] ?? "")?.toUpperCase();
    const danger =
      COMMAND_RULES.dangerous.get(command) ??
      (sub !== undefined ? COMMAND_RULES.dangerous.get(`${command}|${sub}`) : undefined);
    if (danger !== undefined) {
      judged.escapes.push(`script calls ${command}: ${danger}`);
      continue;
    }
    // Each argument gets a sample the server's answer can be traced back to.
    const samples = call.args.map((expression, i) =>
      isRunKeyExpression(expression)
        ? `${prefix}script-key-${i}`
        : (literalValue(expression) ?? `cachestress-argument-${i}`),
    );
    const words = [command, ...samples];
    for (const index of hiddenReachIndexes(command, words)) {
      const value = literalValue(call.args[index - 1] ?? "");
      if (command === "COPY")
        judged.escapes.push("script calls COPY ... DB: a key copied into another database");
      else if (value !== "#" && value?.toLowerCase() !== "nosort")
        judged.unproven.push(`script calls ${command} with a BY/GET pattern that may read other keys`);
    }
    const keys = await keysOf(words);
    if ("unknown" in keys) {
      judged.unproven.push(`script calls ${command}, whose keys are not known here: ${keys.unknown}`);
      continue;
    }
    for (const key of keys.keys) {
      const at = samples.indexOf(key);
      const expression = at >= 0 ? call.args[at] : key;
      if (at >= 0 && isRunKeyExpression(expression)) continue;
      if (at >= 0 && literalValue(expression) !== undefined)
        judged.escapes.push(`script calls ${command} on the key "${key}", written in the script`);
      else judged.unproven.push(`script calls ${command} on a key from "${expression}", not from KEYS`);
    }
  }
  return judged;
}

/** What the server answers COMMAND GETKEYS with (null: the command cannot be asked, use the table). */
export type GetKeys = (words: string[]) => Promise<string[] | Error>;

/**
 * Key positions from the server when it can tell, else from the tool's table. A command the server
 * says has no keys has none; one it rejects (unknown, or invalid sample arguments) is unknown.
 */
export function keysFromServer(getKeys: GetKeys | undefined): KeysOf {
  let serverCanTell = getKeys !== undefined;
  return async (words) => {
    const command = words[0].toUpperCase();
    if (serverCanTell && getKeys !== undefined) {
      const answer = await getKeys(words);
      if (!(answer instanceof Error)) return { keys: answer };
      const message = answer.message.split("\n")[0];
      if (/no key arguments/i.test(message)) return { keys: [] };
      // A user who may not ask (NOPERM) or a server without GETKEYS: the table is all there is.
      if (/NOPERM|unknown (sub)?command|unknown command/i.test(message)) serverCanTell = false;
      else return { unknown: `the server could not place them (${message})` };
    }
    if (keysKnownStatically(command))
      return { keys: keyArgumentIndexes(command, words).map((i) => words[i]) };
    return { unknown: `${command} is not in the tool's table and the server did not answer COMMAND GETKEYS` };
  };
}

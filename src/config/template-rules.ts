import { commandLabels, parseCommandTemplate } from "./command-template.js";
import type { CommandWeight, DatasetName } from "./types.js";

/**
 * Checks between a run's command templates and the rest of its settings, once the scenario file
 * and the flags are merged: scripts named by {script:NAME}, {type} only with a dataset that has
 * event types, labels that tell entries apart, and scripts that would spoil the count check.
 */

export interface TemplateProblem {
  key: "commands" | "scripts";
  value: unknown;
  allowed: string;
}

/** Datasets whose records carry an event type for {type}. */
export const TYPED_DATASETS: readonly DatasetName[] = ["firehose"];

export function templateProblems(
  commands: readonly CommandWeight[],
  scripts: Record<string, string> | undefined,
  dataset: DatasetName | undefined,
): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const scriptNames = Object.keys(scripts ?? {});
  const sentDirectly = new Set<string>();
  for (const c of commands) {
    if (c.template === undefined) {
      sentDirectly.add(c.name);
      continue;
    }
    const parsed = parseCommandTemplate(c.template, scriptNames);
    if (parsed.problems !== undefined) {
      for (const allowed of parsed.problems) problems.push({ key: "commands", value: c.template, allowed });
      continue;
    }
    sentDirectly.add(parsed.template.name);
    if (parsed.template.uses.has("type") && (dataset === undefined || !TYPED_DATASETS.includes(dataset)))
      problems.push({
        key: "commands",
        value: c.template,
        allowed: `{type} with a dataset whose records have an event type (dataset: ${TYPED_DATASETS.join(" or ")}); the run's dataset is ${dataset ?? "none"}`,
      });
  }
  const explicit = commands.flatMap((c) => (c.label !== undefined ? [c.label.toUpperCase()] : []));
  const twice = explicit.filter((l, i) => explicit.indexOf(l) !== i);
  if (twice.length > 0)
    problems.push({ key: "commands", value: twice[0], allowed: "a label used by one command entry only" });
  const labels = commandLabels(commands);
  if (new Set(labels).size < labels.length)
    problems.push({
      key: "commands",
      value: labels,
      allowed: "labels that differ from every other entry's name",
    });
  // Redis counts the commands a script calls under their own names in INFO commandstats, so a
  // script calling a command the run also sends makes that command's count check wrong.
  for (const [name, source] of Object.entries(scripts ?? {})) {
    const clash = calledCommands(source).filter((c) => sentDirectly.has(c));
    if (clash.length > 0)
      problems.push({
        key: "scripts",
        value: name,
        allowed: `a script that does not call ${clash.join(", ")}, which the run also sends itself: the server counts a script's calls under their own names, so the count check could not tell them apart`,
      });
  }
  return problems;
}

/** Command names a Lua script passes as a literal to redis.call / redis.pcall, upper case. */
export function calledCommands(source: string): string[] {
  const names = new Set<string>();
  for (const match of source.matchAll(/redis\s*\.\s*p?call\s*\(\s*["']([A-Za-z][A-Za-z0-9_.-]*)["']/g))
    names.add(match[1].toUpperCase());
  return [...names];
}

/**
 * One thing wrong with the run configuration. `field` names what the user typed: a flag
 * (`--connections`) or a path inside a scenario file (`stages[2].duration`, with the file in `source`).
 */
export interface ConfigProblem {
  field: string;
  value: unknown;
  /** What would have been accepted, in plain words. */
  allowed: string;
  /** The scenario file the field came from; absent for command-line flags. */
  source?: string;
}

/**
 * Every problem found in a configuration, reported at once so that a user fixes them in one pass
 * instead of rerunning the tool once per mistake.
 */
export class ConfigError extends Error {
  readonly code = "E_CONFIG";
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export function formatProblems(problems: ConfigProblem[]): string {
  const heading =
    problems.length === 1
      ? "The run configuration has 1 problem:"
      : `The run configuration has ${problems.length} problems:`;
  return [heading, ...problems.map(formatProblem)].join("\n");
}

/** `  --connections: got "abc"; allowed: a whole number from 1 to 100000` */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.source ? `${problem.field} in ${problem.source}` : problem.field;
  return `  ${where}: got ${formatValue(problem.value)}; allowed: ${problem.allowed}`;
}

const MAX_VALUE_CHARS = 80;

/** Values are shown as JSON so that `"50"` (a string) and `50` (a number) look different. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    text = typeof value === "bigint" ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 3)}...` : text;
}

/**
 * The candidate closest to `word`, when it is close enough to be a likely typo (`conections` →
 * `connections`), `word` is the start of exactly one candidate (`--conn` → `--connections`), or
 * one candidate is the start of `word` (`zipfian` → `zipf`).
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(lower));
  if (lower.length >= 3 && prefixed.length === 1) return prefixed[0];
  // `zipfian` → `zipf`: a candidate followed by extra letters.
  const extended = candidates.filter((c) => c.length >= 3 && lower.startsWith(c.toLowerCase()));
  if (extended.length === 1) return extended[0];
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, with one row of memory. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length];
}

/** Turns a zod-style path into the text a user would write: `stages[2].duration`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? String(part) : `.${String(part)}`;
  }
  return text;
}

/** The first line of an error's message (or of what was thrown): for one-line causes in messages. */
export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

import type { ConfigProblem } from "./errors.js";
import { type ValueRule, wholeNumber } from "./field-rules.js";
import type { RunConfig } from "./types.js";

/**
 * Value rules of the flags added for the deployment-validation rows (docs/restart-command.md,
 * docs/warm-top.md): kept apart from field-rules.ts so each feature is one small block elsewhere.
 */

/** A shell command; it may hold a secret (a token in a header), so it is redacted wherever it is shown. */
export const restartCommandRule: ValueRule<string> = {
  allowed:
    "a shell command that restarts the server and returns, e.g. 'docker restart my-redis' or 'systemctl restart redis'",
  parse: (raw) => (typeof raw === "string" && /^(?=[\s\S]*\S)[\s\S]{1,4096}$/.test(raw) ? raw : undefined),
};

/** How many of the most popular keys to write before the measured part. */
export const warmTopRule = wholeNumber(1, 100_000_000, "a whole number of keys");

/** What the two flags need of the rest of the run; every problem, as the other checks list them. */
export function rowFlagProblems(config: RunConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (config.restartCommand !== undefined && config.url === undefined)
    problems.push({
      field: "--restart-command",
      value: "***",
      allowed: "only with --url: the redis-server the tool starts itself is restarted by the tool",
    });
  if (config.warmTop !== undefined && config.warmTop > config.keyMax)
    problems.push({
      field: "--warm-top",
      value: config.warmTop,
      allowed: `at most --key-max (${config.keyMax}): the keys are numbered 0 .. ${config.keyMax - 1}`,
    });
  return problems;
}

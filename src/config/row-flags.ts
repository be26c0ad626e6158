import { type ValueRule, wholeNumber } from "./field-rules.js";

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

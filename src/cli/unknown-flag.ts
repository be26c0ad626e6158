import { type ConfigProblem, didYouMean } from "../config/errors.js";

/**
 * The problem for a flag a subcommand does not know, worded as `run` words its own: the closest
 * known flag when there is one, else where to look. Shared by audit, merge and cleanup.
 */
export function unknownFlagProblem(
  rawName: string,
  knownFlags: readonly string[],
  command: string,
): ConfigProblem {
  const guess = didYouMean(rawName.replace(/^-+/, "--"), knownFlags);
  return {
    field: rawName,
    value: rawName,
    allowed: guess
      ? `a known flag (did you mean ${guess}?)`
      : `a known flag (see cachestress ${command} --help)`,
  };
}

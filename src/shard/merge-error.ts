import { type ConfigProblem, formatProblem } from "../config/errors.js";

/**
 * Every reason a set of shard results cannot be merged, reported at once: `field` names the file
 * (or the set), `value` what was found there, `allowed` what a mergeable set needs.
 */
export class MergeInputError extends Error {
  readonly code = "E_MERGE_INPUT";
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    const heading =
      problems.length === 1
        ? "The shard results have 1 problem:"
        : `The shard results have ${problems.length} problems:`;
    super([heading, ...problems.map(formatProblem)].join("\n"));
    this.name = "MergeInputError";
    this.problems = problems;
  }
}

/** Exit codes, documented in the README and `cachestress --help`; scripts and CI depend on them. */
export const EXIT = {
  /** Every threshold held. */
  pass: 0,
  /** The run finished and at least one threshold failed. */
  thresholdsFailed: 1,
  /** Bad flags or a bad scenario file. */
  usage: 2,
  /** The target could not be reached, the run could not start, or the target went away. */
  couldNotRun: 3,
} as const;

/** Usage errors are those of the user's input; everything else means the run could not run. */
export function exitCodeFor(error: unknown): number {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === "E_CONFIG" || code === "E_TARGET_URL") return EXIT.usage;
  return EXIT.couldNotRun;
}

/** One line, no stack: the typed errors already carry the cause in their message. */
export function describeFailure(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0];
  return String(error);
}

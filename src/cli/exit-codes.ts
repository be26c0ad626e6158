/** Exit codes, documented in the README and `cachestress --help`; scripts and CI depend on them. */
export const EXIT = {
  /** Every threshold held. */
  pass: 0,
  /** The run finished and at least one threshold failed, or no operation succeeded (docs/safety.md). */
  thresholdsFailed: 1,
  /** Bad flags or a bad scenario file. */
  usage: 2,
  /** The target could not be reached, the run could not start, the target went away, or the engine failed. */
  couldNotRun: 3,
  /**
   * A signal (SIGINT, SIGTERM, SIGHUP) or the parent process going away stopped the work before
   * its end; what was measured was cleaned up and written, marked "stopped". Never a pass.
   */
  stopped: 4,
  /** A second signal, or a stop that overran its grace: quit at once, no report; the prefix and the cleanup command are printed. */
  quitAtOnce: 5,
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

/**
 * What `run` and `capacity` do with an error that ended them: a config error is printed whole
 * (every problem), anything else as one line (with the stack under --debug); returns the exit code.
 */
export function reportFailure(error: unknown, debug: boolean): number {
  if ((error as { code?: unknown } | undefined)?.code === "E_CONFIG") {
    process.stderr.write(`cachestress: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  process.stderr.write(`cachestress: ${describeFailure(error)}\n`);
  if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return exitCodeFor(error);
}

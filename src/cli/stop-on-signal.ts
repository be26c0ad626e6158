/**
 * Ctrl-C and SIGTERM stop the work gracefully: the first aborts the returned signal (the run stops
 * its load, cleans up and writes what it measured); a second one quits at once without a report.
 * `what` names the work in the message: "the load", "the search".
 */
export function stopOnSignal(what: string): AbortSignal {
  const stopper = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopper.signal.aborted) {
      process.stderr.write(`\ncachestress: ${signal} again, quitting without a report\n`);
      process.exit(130);
    }
    process.stderr.write(
      `\ncachestress: ${signal}: stopping ${what}, then writing what was measured (${signal} again quits at once)\n`,
    );
    stopper.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return stopper.signal;
}

import { EXIT } from "./exit-codes.js";

/**
 * How the tool ends when it is asked to, in every way it can be asked:
 *
 * - Ctrl-C, SIGTERM or SIGHUP: the first aborts the returned signal; the work stops its load,
 *   cleans up and writes what it measured, and the command exits 4 (EXIT.stopped).
 * - The parent process went away (CI killed `npx`, which does not pass the signal on): treated as
 *   SIGTERM, so an orphaned tool does not go on loading the server for the rest of its duration.
 * - A second signal, or a stop that has not finished `HARD_STOP_MS` after the first (a hung
 *   target or thread): quits at once with exit 5, after printing what is left behind and the
 *   command that removes it. A managed redis-server dies with the tool (src/core/managed-redis.ts).
 */

/** How long a stopped run may take to clean up and write its report before the tool quits, ms (plus --timeout). */
export const HARD_STOP_MS = 30_000;
/** How often the parent process is checked, ms. */
const PARENT_POLL_MS = 500;
const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

export interface StopOptions {
  /** Names the work in the messages: "the load", "the search". */
  what: string;
  /** What an early quit leaves behind and how to remove it (see leftoverHint), or undefined. */
  leftovers?: () => string | undefined;
  /**
   * The run's per-operation timeout (--timeout), ms, once known: replies still awaited after a
   * stop may take that long to time out, so the hard stop comes that much later than HARD_STOP_MS.
   */
  timeoutMs?: () => number | undefined;
}

export function stopOnSignal(options: StopOptions | string): AbortSignal {
  const { what, leftovers, timeoutMs } =
    typeof options === "string" ? ({ what: options } as StopOptions) : options;
  const stopper = new AbortController();
  const say = (line: string) => {
    try {
      process.stderr.write(line);
    } catch {
      // stderr went with the parent: stopping cleanly matters more than saying so.
    }
  };
  // A pipe to a parent that died fails every later write: without a listener that error would
  // end the process before its cleanup.
  process.stdout.on("error", () => {});
  process.stderr.on("error", () => {});
  const quitNow = (why: string) => {
    const hint = leftovers?.();
    say(`\ncachestress: ${why}, quitting without a report${hint !== undefined ? `\n${hint}` : ""}\n`);
    process.exit(EXIT.quitAtOnce);
  };
  const stop = (cause: string) => {
    if (stopper.signal.aborted) return quitNow(`${cause} again`);
    say(
      `\ncachestress: ${cause}: stopping ${what}, then cleaning up and writing what was measured ` +
        `(a second signal quits at once)\n`,
    );
    stopper.abort();
    const graceMs = HARD_STOP_MS + (timeoutMs?.() ?? 0);
    const hardStop = setTimeout(
      () => quitNow(`still not stopped ${graceMs / 1000} s after ${cause}`),
      graceMs,
    );
    hardStop.unref();
  };
  for (const signal of SIGNALS) process.on(signal, () => stop(signal));
  watchParent(() => stop("the parent process went away"));
  return stopper.signal;
}

/**
 * stopOnSignal for `run` and `capacity`, installed before the config is read (an early signal
 * still stops the work); `know(config)` adds what only the config tells: the prefix and target to
 * name if the tool quits early, and the --timeout that lengthens the hard stop.
 */
export function stopRunOnSignal(what: string): {
  signal: AbortSignal;
  know(config: { url?: string; prefix: string; keepKeys: boolean; timeoutMs: number }): void;
} {
  let known: { url?: string; prefix: string; keepKeys: boolean; timeoutMs: number } | undefined;
  const signal = stopOnSignal({
    what,
    leftovers: () =>
      known === undefined || known.keepKeys ? undefined : leftoverHint(known.url, known.prefix),
    timeoutMs: () => known?.timeoutMs,
  });
  return {
    signal,
    know: (config) => {
      known = config;
    },
  };
}

/**
 * Polls the parent's PID: an orphan is adopted by init (or a subreaper), so the PID changes. Node
 * has no event for it. The timer is unref'd and never keeps the tool alive. A run meant to outlive
 * its shell (`nohup cachestress ... &`, then log out) sets CACHESTRESS_KEEP_RUNNING_WITHOUT_PARENT=1.
 */
function watchParent(onGone: () => void): void {
  if (process.env.CACHESTRESS_KEEP_RUNNING_WITHOUT_PARENT === "1") return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, PARENT_POLL_MS);
  timer.unref();
}

/**
 * The lines printed when the tool quits before its cleanup: the prefix and the one command that
 * finishes it. Without --url the keys live in the throwaway server, which dies with the tool.
 * The URL is shown without its password: `cleanup` reads it from REDIS_PASSWORD as `run` does.
 */
export function leftoverHint(url: string | undefined, prefix: string): string {
  if (url === undefined)
    return "cachestress: the throwaway redis-server is stopped with the tool; its keys go with it";
  return (
    `cachestress: keys may remain under the prefix ${prefix}\n` +
    `cachestress: remove them with: cachestress cleanup --url ${shellQuote(urlWithoutPassword(url))} --prefix ${shellQuote(prefix)}`
  );
}

function urlWithoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === "") return url;
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "URL";
  }
}

/** Single-quoted for a POSIX shell when it holds anything but plain characters. */
export function shellQuote(text: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

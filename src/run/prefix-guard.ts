import { escapeGlob } from "../core/admin-client.js";

/**
 * A prefix is the run's own only if no key lived under it before the run: the cleanup deletes every
 * key under the prefix, so a prefix that another application's keys share (`--prefix app:user:`, or
 * just `app`) would delete that application's data. Counted with SCAN on every primary before any
 * load; a run on a prefix that holds keys is refused unless --reuse-prefix says that is intended.
 */

/** How long the count may take before it stops and reports "at least", ms. */
const COUNT_BUDGET_MS = 10_000;

export interface PrefixCount {
  /** Keys found under the prefix over all primaries; undefined when SCAN was not allowed. */
  keys?: number;
  /** True when the count stopped at its time budget: there are at least `keys`. */
  partial: boolean;
  /** Why it could not count (SCAN denied): a warning, never a refusal, since the cleanup needs SCAN too. */
  notCounted?: string;
}

/** A connection that takes any command: AdminClient.sendCommand. */
export interface CommandSender {
  sendCommand(args: string[]): Promise<unknown>;
}

export async function countPrefixKeys(
  primaries: readonly CommandSender[],
  prefix: string,
  budgetMs = COUNT_BUDGET_MS,
): Promise<PrefixCount> {
  const pattern = `${escapeGlob(prefix)}*`;
  const deadline = performance.now() + budgetMs;
  let keys = 0;
  for (const node of primaries) {
    let cursor = "0";
    do {
      let reply: unknown;
      try {
        reply = await node.sendCommand(["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"]);
      } catch (error) {
        return { partial: false, notCounted: (error as Error).message.split("\n")[0] };
      }
      const [next, found] = reply as [unknown, unknown[]];
      cursor = String(next);
      keys += found.length;
      if (performance.now() > deadline) return { keys, partial: true };
    } while (cursor !== "0");
  }
  return { keys, partial: false };
}

/** The refusal's words: names the prefix, how many keys, and both ways forward. */
export function prefixTakenText(prefix: string, count: PrefixCount): string {
  const n = `${count.partial ? "at least " : ""}${count.keys} key${count.keys === 1 ? "" : "s"}`;
  return (
    `a prefix no key is under yet: ${n} already exist under ${prefix}, and the cleanup at the end would delete them; ` +
    "choose another --prefix (the default is a fresh random one), or pass --reuse-prefix if they are an earlier run's keys you mean to load over"
  );
}

/** A prefix as a shell word, for the printed cleanup command. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_.:/@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

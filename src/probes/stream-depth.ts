/**
 * How deep a durable buffer is: the length of the run's streams (XINFO STREAM) and the entries
 * delivered to consumer groups but not yet acknowledged (XINFO GROUPS `pending`). A buffer whose
 * length or pending count keeps growing is one whose consumers fall behind its producers.
 *
 * The streams are found by SCAN under the run's prefix with TYPE stream, a bounded number of calls
 * at a time, so a keyspace of millions of keys never turns one sample into a long scan.
 */

/** Sends one command (the run's admin connection, with a timeout); rejects on an error reply. */
export type SendCommand = (args: string[]) => Promise<unknown>;

/** SCAN calls per discovery pass, and keys asked for per call. */
const SCAN_CALLS_PER_PASS = 20;
const SCAN_COUNT = "1000";
/** Streams followed at most: a run with more reports the first ones and says so. */
export const MAX_STREAMS = 64;

export interface StreamDepth {
  streams: number;
  /** Sum of XINFO STREAM length over the streams. */
  lengthEntries: number;
  /** Sum of the `pending` of every consumer group of every stream. */
  pendingEntries: number;
}

/** A RESP2 flat array or a RESP3 map of XINFO, as a lookup. */
export function replyField(reply: unknown, name: string): unknown {
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) if (String(reply[i]) === name) return reply[i + 1];
    return undefined;
  }
  if (reply !== null && typeof reply === "object") return (reply as Record<string, unknown>)[name];
  return undefined;
}

export class StreamDepthReader {
  private readonly keys = new Set<string>();
  private cursor = "0";
  private capped = false;

  constructor(
    private readonly send: SendCommand,
    /** SCAN MATCH pattern for the run's keys (the prefix, glob-escaped, and `*`). */
    private readonly pattern: string,
  ) {}

  /** True when more streams exist than MAX_STREAMS: the figures cover only the first ones. */
  get truncated(): boolean {
    return this.capped;
  }

  /** Continues the SCAN for up to SCAN_CALLS_PER_PASS calls; a full pass starts over next time. */
  async discover(): Promise<void> {
    for (let call = 0; call < SCAN_CALLS_PER_PASS; call++) {
      const reply = (await this.send([
        "SCAN",
        this.cursor,
        "MATCH",
        this.pattern,
        "COUNT",
        SCAN_COUNT,
        "TYPE",
        "stream",
      ])) as [unknown, unknown[]];
      this.cursor = String(reply[0]);
      for (const key of reply[1] ?? []) {
        if (this.keys.size >= MAX_STREAMS) this.capped = true;
        else this.keys.add(String(key));
      }
      if (this.cursor === "0") return;
    }
  }

  /** Length and pending entries now; undefined until a stream has been found. */
  async read(): Promise<StreamDepth | undefined> {
    if (this.keys.size === 0) return undefined;
    let lengthEntries = 0;
    let pendingEntries = 0;
    let streams = 0;
    for (const key of this.keys) {
      let info: unknown;
      try {
        info = await this.send(["XINFO", "STREAM", key]);
      } catch {
        // Deleted since it was found (trimmed away, cleaned up): no longer part of the buffer.
        this.keys.delete(key);
        continue;
      }
      streams++;
      lengthEntries += Number(replyField(info, "length") ?? 0);
      if (Number(replyField(info, "groups") ?? 0) === 0) continue;
      const groups = (await this.send(["XINFO", "GROUPS", key])) as unknown[];
      for (const group of groups ?? []) pendingEntries += Number(replyField(group, "pending") ?? 0);
    }
    return streams === 0 ? undefined : { streams, lengthEntries, pendingEntries };
  }
}

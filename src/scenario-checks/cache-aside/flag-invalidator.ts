import { epochNowMs } from "../../engine/load-connection.js";
import { KeyChooser } from "../../workload/key-chooser.js";
import { Rng } from "../../workload/random.js";
import type { CommandTally } from "../side-load/command-tally.js";
import { encodeMessage } from "../side-load/message-format.js";
import type { SideClient } from "../side-load/side-client.js";
import { sleep } from "../side-load/wait.js";
import type { BackingStore } from "./backing-store.js";

/** Invalidation messages are small: the header and the flag number, no padding. */
const MESSAGE_SIZE_BYTES = 0;
/**
 * The run's main thread does its per-second bookkeeping (engine snapshots, probes, alerts) at
 * whole seconds after the start, on the loop that also receives the invalidations. A schedule in
 * step with it would time the tool's own pause with every message; a real writer is not in step
 * with our bookkeeping, so the schedule is shifted off it.
 */
const OFF_TICK_MS = 250;

/**
 * The writer of the cache-aside scenario: every `everyMs` it changes one flag in the backing
 * store (picked by the same zipf popularity as the reads, so hot flags change most), DELs its key
 * and PUBLISHes the change, with the publish time in the message, on the invalidation channel.
 */
export class FlagInvalidator {
  /** PUBLISH commands the server answered: every subscriber is owed each of them. */
  published = 0;
  errors = 0;
  lastError: string | undefined;
  private readonly chooser: KeyChooser;

  constructor(
    private readonly side: SideClient,
    private readonly store: BackingStore,
    private readonly tally: CommandTally,
    private readonly channel: string,
    /** The flag's key, or its keys when it is cached in several copies (--warm-top, warm-arms.ts). */
    private readonly keyOf: (flag: number) => string | string[],
    flags: number,
    seed: number,
    private readonly onInvalidated: (epochMs: number) => void,
  ) {
    this.chooser = new KeyChooser("zipf", flags, new Rng(seed));
  }

  async run(
    startEpochMs: number,
    everyMs: number,
    endEpochMs: number | undefined,
    stopped: () => boolean,
  ): Promise<void> {
    let seq = 0;
    let nextMs = startEpochMs + everyMs + OFF_TICK_MS;
    while (!stopped() && this.side.isOpen) {
      if (endEpochMs !== undefined && nextMs >= endEpochMs) break;
      await sleep(nextMs - epochNowMs());
      if (stopped()) break;
      const flag = this.chooser.nextKey();
      this.store.update(flag);
      try {
        await this.tally.track("DEL", this.side.client.del(this.keyOf(flag)));
        const sendEpochMs = epochNowMs();
        const message = encodeMessage(0, seq++, sendEpochMs, String(flag), MESSAGE_SIZE_BYTES);
        await this.tally.track("PUBLISH", this.side.client.publish(this.channel, message));
        this.published++;
        this.onInvalidated(sendEpochMs);
      } catch (error) {
        this.errors++;
        this.lastError = (error as Error).message.split("\n")[0];
      }
      nextMs += everyMs;
    }
  }
}

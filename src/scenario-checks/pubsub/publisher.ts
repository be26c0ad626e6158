import { epochNowMs } from "../../engine/load-connection.js";
import type { CommandTally } from "../side-load/command-tally.js";
import { encodeMessage } from "../side-load/message-format.js";
import type { SideClient } from "../side-load/side-client.js";
import { sleep } from "../side-load/wait.js";

export interface PublisherPlan {
  index: number;
  channels: string[];
  /** This publisher's share of the rate, messages/s. */
  ratePerS: number;
  /** When its first message is due (epoch ms); publishers are staggered so they do not send in step. */
  firstEpochMs: number;
  /** No message is due at or after this (epoch ms); undefined: until stopped. */
  endEpochMs: number | undefined;
  messageSizeBytes: number;
}

export interface PublishOutcome {
  channel: number;
  /** The PUBLISH reply: how many subscribers the server handed the message to; -1 when it failed. */
  receivers: number;
  sendEpochMs: number;
}

/**
 * One publisher connection in open loop: message i is due at first + i / rate, whatever happened
 * to earlier ones, and messages that fell due while the event loop was busy go out at once, so the
 * rate holds when the server or the tool is slow. Each message carries its publisher number, its
 * sequence number and the time it was handed to the client.
 */
export class Publisher {
  sent = 0;
  inFlight = 0;
  /** Longest time a message went out after it was due, ms: how far the tool fell behind. */
  maxLagMs = 0;
  errors = 0;
  lastError: string | undefined;

  constructor(
    private readonly plan: PublisherPlan,
    private readonly side: SideClient,
    private readonly tally: CommandTally,
    private readonly onPublished: (outcome: PublishOutcome) => void,
    /** True once the load stopped: no new message goes out after that. */
    private readonly stopped: () => boolean,
  ) {}

  async run(): Promise<void> {
    const { firstEpochMs, endEpochMs, ratePerS } = this.plan;
    const intervalMs = 1000 / ratePerS;
    const planned =
      endEpochMs === undefined
        ? Number.POSITIVE_INFINITY
        : Math.max(0, Math.ceil((endEpochMs - firstEpochMs) / intervalMs));
    while (!this.stopped() && this.sent < planned && this.side.isOpen) {
      const nowMs = epochNowMs();
      const due = Math.min(planned, Math.floor((nowMs - firstEpochMs) / intervalMs) + 1);
      while (this.sent < due) this.publish(nowMs, firstEpochMs + this.sent * intervalMs);
      if (this.sent >= planned) break;
      // Timers are no finer than 1 ms; messages due within it go out together on the next wake-up.
      await sleep(Math.max(1, firstEpochMs + this.sent * intervalMs - epochNowMs()));
    }
  }

  private publish(nowMs: number, dueEpochMs: number): void {
    const seq = this.sent++;
    const channelIndex = (seq + this.plan.index) % this.plan.channels.length;
    const lagMs = nowMs - dueEpochMs;
    if (lagMs > this.maxLagMs) this.maxLagMs = lagMs;
    const sendEpochMs = epochNowMs();
    const message = encodeMessage(this.plan.index, seq, sendEpochMs, "m", this.plan.messageSizeBytes);
    this.inFlight++;
    this.tally.track("PUBLISH", this.side.client.publish(this.plan.channels[channelIndex], message)).then(
      (receivers) => {
        this.inFlight--;
        this.onPublished({ channel: channelIndex, receivers: Number(receivers), sendEpochMs });
      },
      (error: Error) => {
        this.inFlight--;
        this.errors++;
        this.lastError = error.message.split("\n")[0];
        this.onPublished({ channel: channelIndex, receivers: -1, sendEpochMs });
      },
    );
  }
}

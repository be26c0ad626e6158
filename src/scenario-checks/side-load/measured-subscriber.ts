import { epochNowMs } from "../../engine/load-connection.js";
import type { CommandTally } from "./command-tally.js";
import { type LatencyFiguresMs, latencyFiguresMs, newLatencyHistogram, recordMs } from "./latency.js";
import { type DecodedMessage, decodeMessage } from "./message-format.js";
import type { SideClient } from "./side-client.js";

/** What a subscriber's delivery looked like, for the check's per-second series. */
export type DeliveryListener = (receiveEpochMs: number, latencyMs: number, message: DecodedMessage) => void;

/**
 * One subscriber connection: it subscribes to its channels and, for each message, measures the
 * delivery latency (send time in the message → now), counts it, and counts messages that came
 * out of order (a sequence number not above the last one seen from the same publisher).
 */
export class MeasuredSubscriber {
  received = 0;
  outOfOrder = 0;
  /** Messages on our channels that were not in our format (another publisher on the same name). */
  foreign = 0;
  readonly latency = newLatencyHistogram();
  private readonly lastSeq = new Map<number, number>();

  constructor(
    readonly index: number,
    readonly side: SideClient,
    readonly channels: string[],
    private readonly onDelivery?: DeliveryListener,
  ) {}

  /** One SUBSCRIBE for all its channels; resolves when the server confirmed it. */
  subscribe(tally: CommandTally): Promise<void> {
    return tally.track("SUBSCRIBE", this.side.client.subscribe(this.channels, this.onMessage));
  }

  /** Why the connection ended during the run (a CLIENT KILL, the server gone), or undefined. */
  get brokenBy(): string | undefined {
    return this.side.brokenBy;
  }

  figures(): LatencyFiguresMs {
    return latencyFiguresMs(this.latency);
  }

  private readonly onMessage = (message: string): void => {
    const receiveEpochMs = epochNowMs();
    const decoded = decodeMessage(message);
    if (decoded === undefined) {
      this.foreign++;
      return;
    }
    this.received++;
    const latencyMs = receiveEpochMs - decoded.sendEpochMs;
    recordMs(this.latency, latencyMs);
    const last = this.lastSeq.get(decoded.publisher);
    if (last !== undefined && decoded.seq <= last) this.outOfOrder++;
    else this.lastSeq.set(decoded.publisher, decoded.seq);
    this.onDelivery?.(receiveEpochMs, latencyMs, decoded);
  };
}

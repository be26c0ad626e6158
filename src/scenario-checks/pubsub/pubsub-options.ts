import type { ConfigProblem } from "../../config/errors.js";
import { CheckOptions } from "../side-load/check-options.js";
import { MESSAGE_HEADER_BYTES } from "../side-load/message-format.js";

export interface PubsubOptions {
  publishers: number;
  subscribers: number;
  channels: number;
  /** Messages per second over all publishers together (open loop). */
  ratePerS: number;
  messageSizeBytes: number;
  /** Most messages that may be lost over all subscribers before the check fails. */
  maxLoss: number;
}

export const PUBSUB_DEFAULTS: PubsubOptions = {
  publishers: 2,
  subscribers: 8,
  channels: 1,
  ratePerS: 1000,
  messageSizeBytes: 128,
  maxLoss: 0,
};

/** The `check: { kind: pubsub, ... }` options, or every problem in them. */
export function parsePubsubOptions(
  section: Record<string, unknown>,
): { ok: true; options: PubsubOptions } | { ok: false; problems: ConfigProblem[] } {
  const read = new CheckOptions(section);
  const d = PUBSUB_DEFAULTS;
  const options: PubsubOptions = {
    publishers: read.count("publishers", d.publishers, 1, 1000),
    subscribers: read.count("subscribers", d.subscribers, 1, 10_000),
    channels: read.count("channels", d.channels, 1, 10_000),
    ratePerS: read.number(
      "rate",
      d.ratePerS,
      (v) => v > 0 && v <= 1_000_000,
      "messages per second over all publishers, above 0 and up to 1000000",
    ),
    messageSizeBytes: read.count("messageSize", d.messageSizeBytes, MESSAGE_HEADER_BYTES, 1_048_576),
    maxLoss: read.count("maxLoss", d.maxLoss, 0, Number.MAX_SAFE_INTEGER),
  };
  if (options.channels > options.subscribers) {
    // A channel nobody listens to measures nothing.
    read.problem("channels", options.channels, `at most the number of subscribers (${options.subscribers})`);
  }
  const problems = read.finish();
  return problems.length === 0 ? { ok: true, options } : { ok: false, problems };
}

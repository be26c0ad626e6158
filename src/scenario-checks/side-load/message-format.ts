/**
 * The pub/sub messages checks publish: `<publisher>:<seq>:<sendEpochMs>:<tag>:` padded with dots to
 * the requested size. The send time (epoch ms to the µs, from the same clock the receiver reads)
 * gives the delivery latency; publisher and sequence number give order and loss per publisher.
 * The tag carries what the message is about (the invalidated flag's number) and has no colon.
 */

export interface DecodedMessage {
  publisher: number;
  seq: number;
  sendEpochMs: number;
  tag: string;
}

/** The longest header for realistic numbers: what a message size must at least leave room for. */
export const MESSAGE_HEADER_BYTES = 48;

export function encodeMessage(
  publisher: number,
  seq: number,
  sendEpochMs: number,
  tag: string,
  sizeBytes: number,
): string {
  const head = `${publisher}:${seq}:${sendEpochMs.toFixed(3)}:${tag}:`;
  return head.length >= sizeBytes ? head : head + ".".repeat(sizeBytes - head.length);
}

/** The header of a message, or undefined when it is not one of ours. */
export function decodeMessage(message: string): DecodedMessage | undefined {
  const a = message.indexOf(":");
  const b = message.indexOf(":", a + 1);
  const c = message.indexOf(":", b + 1);
  const d = message.indexOf(":", c + 1);
  if (a <= 0 || b < 0 || c < 0 || d < 0) return undefined;
  const publisher = Number(message.slice(0, a));
  const seq = Number(message.slice(a + 1, b));
  const sendEpochMs = Number(message.slice(b + 1, c));
  if (!Number.isInteger(publisher) || !Number.isInteger(seq) || !Number.isFinite(sendEpochMs))
    return undefined;
  return { publisher, seq, sendEpochMs, tag: message.slice(c + 1, d) };
}

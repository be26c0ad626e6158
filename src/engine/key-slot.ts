/**
 * Redis Cluster key slots: CRC16 (XMODEM) of the key, or of its hash tag, modulo 16384.
 *
 * The load engine's keys are `<prefix><zero-padded digits>`, so the CRC state after the prefix is
 * computed once and each operation only continues it over its digits: a handful of table lookups
 * and no string. A prefix with a hash tag (`run:{user42}:`) pins every key to one slot.
 */

export const SLOT_COUNT = 16384;

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

function crc16Continue(crc: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++)
    crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ bytes[i]) & 0xff];
  return crc;
}

/** The slot of any key, hash tags included (the rule of the Redis Cluster specification). */
export function keySlot(key: string | Uint8Array): number {
  const bytes = typeof key === "string" ? Buffer.from(key) : key;
  const tag = hashTag(bytes);
  return crc16Continue(0, tag ?? bytes) % SLOT_COUNT;
}

/**
 * The slot of the key in bytes[start, end), hash tags included, without copying it: the command
 * writer builds a template's key in a scratch buffer and asks here, once per routed operation.
 */
export function slotOfBytes(bytes: Buffer, start: number, end: number): number {
  let from = start;
  let to = end;
  const open = bytes.indexOf(123 /* { */, start);
  if (open >= 0 && open < end) {
    const close = bytes.indexOf(125 /* } */, open + 1);
    if (close >= 0 && close < end && close > open + 1) {
      from = open + 1;
      to = close;
    }
  }
  let crc = 0;
  for (let i = from; i < to; i++) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ bytes[i]) & 0xff];
  return crc % SLOT_COUNT;
}

/** The bytes between the first `{` and the next `}`, when there are any; else undefined. */
function hashTag(bytes: Uint8Array): Uint8Array | undefined {
  const open = bytes.indexOf(123 /* { */);
  if (open < 0) return undefined;
  const close = bytes.indexOf(125 /* } */, open + 1);
  if (close < 0 || close === open + 1) return undefined;
  return bytes.subarray(open + 1, close);
}

/** Slots of the engine's numbered keys under one prefix. */
export class KeySlotter {
  /** Every key's slot when the prefix carries a hash tag; -1 otherwise. */
  readonly pinnedSlot: number;
  private readonly prefixCrc: number;
  private readonly digits: Uint8Array;

  constructor(
    prefix: string,
    private readonly keyDigits: number,
  ) {
    const bytes = Buffer.from(prefix);
    const tag = hashTag(bytes);
    this.pinnedSlot = tag !== undefined ? crc16Continue(0, tag) % SLOT_COUNT : -1;
    this.prefixCrc = crc16Continue(0, bytes);
    this.digits = new Uint8Array(keyDigits);
  }

  /** The slot of key number `key`, written as the command writer writes it (zero-padded). */
  slotOf(key: number): number {
    if (this.pinnedSlot >= 0) return this.pinnedSlot;
    let k = key;
    for (let i = this.keyDigits - 1; i >= 0; i--) {
      this.digits[i] = 48 + (k % 10);
      k = Math.floor(k / 10);
    }
    return crc16Continue(this.prefixCrc, this.digits) % SLOT_COUNT;
  }
}

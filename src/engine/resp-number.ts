/** Decimal numbers written straight into RESP output, without a string in between. */

/** Digits of a non-negative integer in decimal. */
export function decimalDigits(value: number): number {
  let digits = 1;
  for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
  return digits;
}

/** Writes a non-negative integer in decimal; returns the number of bytes written. */
export function writeDecimal(out: Buffer, pos: number, value: number): number {
  const digits = decimalDigits(value);
  for (let i = pos + digits - 1, v = value; i >= pos; i--) {
    out[i] = 48 + (v % 10);
    v = Math.floor(v / 10);
  }
  return digits;
}

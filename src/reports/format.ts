/**
 * Number formatting shared by every human-facing renderer (summary table, progress line, Markdown).
 *
 * Thousands separators are inserted by hand rather than with `toLocaleString`, because the output
 * must be identical on every machine: a CI log diffed against a teammate's terminal should not
 * change with the locale or with a Node build that lacks full ICU data.
 */

/** Shown in place of a number that is missing, NaN or infinite. */
export const NO_VALUE = "-";

/** Inserts `,` every three digits in the integer part of an already formatted decimal string. */
function groupThousands(fixed: string): string {
  const negative = fixed.startsWith("-");
  const unsigned = negative ? fixed.slice(1) : fixed;
  const dot = unsigned.indexOf(".");
  const intPart = dot === -1 ? unsigned : unsigned.slice(0, dot);
  const fracPart = dot === -1 ? "" : unsigned.slice(dot);
  let grouped = "";
  for (let i = 0; i < intPart.length; i++) {
    const fromEnd = intPart.length - i;
    grouped += intPart[i];
    if (fromEnd > 1 && fromEnd % 3 === 1) grouped += ",";
  }
  return (negative ? "-" : "") + grouped + fracPart;
}

/** `toFixed` that never prints `-0` (a tiny negative value rounded to zero reads as a bug). */
function fixed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/**
 * A latency in milliseconds with about three significant digits: `0.412`, `3.25`, `12.3`, `1,234`.
 * Sub-millisecond values keep three decimals because that is where a healthy cache lives, and
 * rounding 0.412 to 0.4 would hide the differences a comparison is looking for.
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return NO_VALUE;
  const abs = Math.abs(ms);
  if (abs < 1) return fixed(ms, 3);
  if (abs < 10) return fixed(ms, 2);
  if (abs < 1000) return fixed(ms, 1);
  return groupThousands(fixed(ms, 0));
}

/** An integer count with thousands separators: `1,234,567`. Fractions are rounded. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return NO_VALUE;
  return groupThousands(fixed(Math.round(n), 0));
}

/**
 * A rate in operations per second: whole numbers with separators (`52,310`), one decimal below 10
 * so a deliberately slow open-loop rate such as `0.5` ops/s does not print as `1`.
 */
export function formatRate(opsPerSec: number): string {
  if (!Number.isFinite(opsPerSec)) return NO_VALUE;
  if (Math.abs(opsPerSec) < 10) return fixed(opsPerSec, 1);
  return groupThousands(fixed(opsPerSec, 0));
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/**
 * A size with binary units, matching how Redis reports memory (`used_memory_human` uses 1024):
 * `512 B`, `1.5 KiB`, `12.0 MiB`.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return NO_VALUE;
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const sign = bytes < 0 ? "-" : "";
  if (unit === 0) return `${sign}${fixed(value, 0)} B`;
  return `${sign}${value < 10 ? fixed(value, 2) : fixed(value, 1)} ${BYTE_UNITS[unit]}`;
}

/** A ratio already expressed in percent: `0.24 %`, `12.5 %`, `100 %`. */
export function formatPercent(percent: number): string {
  if (!Number.isFinite(percent)) return NO_VALUE;
  const abs = Math.abs(percent);
  if (abs === 0 || abs >= 100) return `${fixed(percent, 0)} %`;
  // A handful of errors in millions of ops is not zero, and must not read as zero.
  if (abs < 0.01) return percent > 0 ? "<0.01 %" : ">-0.01 %";
  if (abs < 10) return `${fixed(percent, 2)} %`;
  return `${fixed(percent, 1)} %`;
}

/** Percentage of `part` in `whole`, 0 when there is no whole (an empty run is not a 100 % failure). */
export function percentOf(part: number, whole: number): number {
  return whole > 0 ? (part / whole) * 100 : 0;
}

/** A threshold's actual value is in the expression's own unit, so whole numbers print as counts. */
export function formatThresholdActual(actual: number): string {
  // An expression that could not be evaluated has NaN, which a JSON round trip turns into null.
  if (typeof actual !== "number" || !Number.isFinite(actual)) return NO_VALUE;
  if (Number.isInteger(actual)) return formatCount(actual);
  // A tiny error rate such as 0.00017 % must not print as 0.000 next to a `<0.001%` threshold.
  if (Math.abs(actual) < 0.001) return String(Number(actual.toPrecision(2)));
  return formatMs(actual);
}

/**
 * A wall-clock length for headers and progress: `850ms`, `12s`, `12.5s`, `4m05s`, `1h02m`.
 * Seconds keep one decimal under a minute only when they are not whole, so `30s` stays `30s`.
 */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return NO_VALUE;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalS = ms / 1000;
  if (totalS < 60) {
    const tenths = Math.round(totalS * 10) / 10;
    if (tenths < 60) return Number.isInteger(tenths) ? `${tenths}s` : `${tenths.toFixed(1)}s`;
  }
  const wholeS = Math.round(totalS);
  const h = Math.floor(wholeS / 3600);
  const m = Math.floor((wholeS % 3600) / 60);
  const s = wholeS % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m`;
  return `${m}m${String(s).padStart(2, "0")}s`;
}

// ANSI colour sequences (SGR) are invisible on a terminal, so they must not count towards width.
const ANSI_SGR = /\u001b\[[0-9;]*m/g;

/**
 * How many terminal columns a string takes: ANSI colour codes count as zero and each code point as
 * one, so `✓` and `✗` (one column, three UTF-8 bytes) line up with ASCII text.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const _ of text.replace(ANSI_SGR, "")) width++;
  return width;
}

/** Pads to a display width on the right (left-aligned text). */
export function padEndWidth(text: string, width: number): string {
  const missing = width - displayWidth(text);
  return missing > 0 ? text + " ".repeat(missing) : text;
}

/** Pads to a display width on the left (right-aligned numbers). */
export function padStartWidth(text: string, width: number): string {
  const missing = width - displayWidth(text);
  return missing > 0 ? " ".repeat(missing) + text : text;
}

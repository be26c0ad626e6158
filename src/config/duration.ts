/**
 * Durations as people write them: `30s`, `500ms`, `2m`, `1h`, `1.5s`, `1m30s`, `250us`.
 *
 * A bare number means seconds (`--duration 60` runs for a minute), the way memtier_benchmark's
 * `--test-time` and redis-benchmark's intervals read; the same holds for numbers in scenario files.
 */

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?|\.\d+)(us|ms|s|m|h)/y;
const BARE_SECONDS = /^(\d+(?:\.\d+)?|\.\d+)$/;

/** Milliseconds, or undefined when the text is not a duration. Never negative. */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  if (BARE_SECONDS.test(trimmed)) return roundUs(Number(trimmed) * 1000);
  let totalMs = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < trimmed.length) {
    const match = PART.exec(trimmed);
    if (match === null) return undefined;
    totalMs += Number(match[1]) * UNIT_MS[match[2]];
  }
  return Number.isFinite(totalMs) ? roundUs(totalMs) : undefined;
}

/** Binary fractions make 1.1 × 1000 = 1100.0000000000002; a microsecond is finer than any timer here. */
function roundUs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The shortest exact text for a duration: 500ms, 1.5s, 30s, 2m, 1m30s, 1h. */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDurationMs(-ms)}`;
  if (ms < 1000) return `${roundUs(ms)}ms`;
  if (ms < 60_000) return `${roundUs(ms / 1000)}s`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const restMs = roundUs(ms % 60_000);
  let text = "";
  if (hours > 0) text += `${hours}h`;
  if (minutes > 0) text += `${minutes}m`;
  if (restMs > 0) text += restMs < 1000 ? `${restMs}ms` : `${roundUs(restMs / 1000)}s`;
  return text;
}

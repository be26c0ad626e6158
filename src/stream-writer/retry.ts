/**
 * Exponential backoff for Redis and disk operations: a dropped connection, a failover, a full or
 * briefly unavailable disk. Every step of a batch is idempotent (re-reading, rewriting a temp file,
 * acknowledging twice), so retrying a step never writes an event twice.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Delay before the second attempt, ms; doubles each time. */
  baseDelayMs: number;
  /** Longest delay between two attempts, ms. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 10_000 };

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1): base × 2^(attempt−1), capped, with
 * the upper half jittered so writers that failed together do not retry together.
 */
export function backoffDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class RetriesExhaustedError extends Error {
  readonly code = "E_RETRIES_EXHAUSTED";
  constructor(what: string, attempts: number, cause: unknown) {
    super(`${what} failed ${attempts} times; last error: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
    this.name = "RetriesExhaustedError";
  }
}

export async function withRetries<T>(
  what: string,
  policy: RetryPolicy,
  operation: () => Promise<T>,
  onRetry: (attempt: number, error: unknown, delayMs: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= policy.attempts) throw new RetriesExhaustedError(what, attempt, error);
      const delayMs = backoffDelayMs(attempt, policy);
      onRetry(attempt, error, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/**
 * The timer, retries and failure accounting every push publisher shares. A push runs on its own
 * timer, never inside onEvent, so a slow or throttling service cannot slow the run; pushes never
 * overlap; a failed attempt is retried with exponential backoff and jitter, and each failed attempt
 * is counted. The bus counts what an output throws, so failures are handed to it by throwing from the
 * next onEvent (one per event) and, for what is left at the end, from stop().
 */

export interface PushStats {
  /** Pushes that reached the service (after retries). */
  pushes: number;
  /** Every attempt that failed, retried or not. */
  failedAttempts: number;
  /** Pushes given up after every attempt failed: their data is kept for the next push. */
  lostPushes: number;
  lastError?: string;
}

export interface PushLoopOptions {
  intervalMs: number;
  /** Attempts per push, the first included. */
  attempts?: number;
  /** First backoff, ms; doubled per attempt, with up to 50 % jitter. */
  backoffMs?: number;
  /** Longest a push may take in stop() in total, ms: the bus gives an output 5 s. */
  finalBudgetMs?: number;
}

/** An error with a `retryable` flag set false is not retried: bad credentials stay bad. */
export class PushError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "PushError";
  }
}

export class PushLoop {
  readonly stats: PushStats = { pushes: 0, failedAttempts: 0, lostPushes: 0 };
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private unreported = 0;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(
    private readonly name: string,
    private readonly push: (final: boolean) => Promise<void>,
    private readonly options: PushLoopOptions,
  ) {
    this.attempts = options.attempts ?? 3;
    this.backoffMs = options.backoffMs ?? 250;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.inFlight === undefined)
        this.inFlight = this.run(false).finally(() => (this.inFlight = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Called from onEvent: hands one not-yet-counted failure to the bus. */
  reportFailure(): void {
    if (this.unreported === 0) return;
    this.unreported--;
    throw new Error(`${this.name}: ${this.stats.lastError} (${this.summary()})`);
  }

  /** The last push with the final values; throws when failures are left to count. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
    const deadline = Date.now() + (this.options.finalBudgetMs ?? 4_000);
    await this.run(true, deadline);
    if (this.unreported > 0) {
      const left = this.unreported;
      this.unreported = 0;
      throw new Error(
        `${this.name}: ${this.stats.lastError} (${left} failed attempt(s) not counted before the end; ${this.summary()})`,
      );
    }
  }

  summary(): string {
    const s = this.stats;
    return `${s.pushes} push(es) ok, ${s.failedAttempts} failed attempt(s), ${s.lostPushes} push(es) given up`;
  }

  private async run(final: boolean, deadline = Number.POSITIVE_INFINITY): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.push(final);
        this.stats.pushes++;
        return;
      } catch (error) {
        this.stats.failedAttempts++;
        this.unreported++;
        this.stats.lastError = (error instanceof Error ? error.message : String(error)).split("\n")[0];
        const retryable = !(error instanceof PushError) || error.retryable;
        const waitMs = this.backoffMs * 2 ** (attempt - 1) * (1 + Math.random() / 2);
        if (!retryable || attempt >= this.attempts || Date.now() + waitMs > deadline) {
          this.stats.lostPushes++;
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, waitMs).unref());
      }
    }
  }
}

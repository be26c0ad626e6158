import { type AuthToken, fetchAuthToken } from "./auth-token.js";

/** Without a refresh interval or an expiry, a token is fetched again this often, ms (Entra tokens live 60–90 min). */
export const DEFAULT_TOKEN_REFRESH_MS = 45 * 60_000;
/** A token is replaced when this share of its lifetime has passed. */
const REFRESH_AT_LIFETIME_SHARE = 0.8;
/** Never sooner than this, even for a token that is already expired: a command per second at most, ms. */
const MIN_REFRESH_MS = 1000;
/** After a failed fetch, the next try comes after at most this long, ms. */
const MAX_RETRY_MS = 30_000;

/**
 * How long after a token was fetched to fetch the next one, ms: the asked-for interval, but never
 * later than 80 % of the token's lifetime when it has an expiry, so a live connection is never left
 * with an expired token; without either, every 45 minutes.
 */
export function refreshDelayMs(token: AuthToken, fetchedAtMs: number, refreshEveryMs?: number): number {
  const beforeExpiry =
    token.expiresOnMs !== undefined
      ? (token.expiresOnMs - fetchedAtMs) * REFRESH_AT_LIFETIME_SHARE
      : undefined;
  const delay =
    refreshEveryMs !== undefined && beforeExpiry !== undefined
      ? Math.min(refreshEveryMs, beforeExpiry)
      : (refreshEveryMs ?? beforeExpiry ?? DEFAULT_TOKEN_REFRESH_MS);
  return Math.max(MIN_REFRESH_MS, Math.round(delay));
}

/** What a refresher did, for the result: never the token itself. */
export interface TokenRefreshCounts {
  /** New tokens fetched and handed out after the first one. */
  refreshes: number;
  /** Fetches that failed (the previous token stayed in use). */
  refreshFailures: number;
  lastFailure?: string;
}

/**
 * Runs the token command again before the current token expires and hands each new token to
 * `onToken` (which re-AUTHs the live connections). A failed fetch keeps the old token, is reported
 * once through `onProblem`, and is retried sooner. Timers never overlap: one fetch at a time.
 */
export class TokenRefresher {
  readonly counts: TokenRefreshCounts = { refreshes: 0, refreshFailures: 0 };
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly command: string,
    private readonly refreshEveryMs: number | undefined,
    private readonly onToken: (token: AuthToken) => Promise<void> | void,
    private readonly onProblem: (message: string) => void,
    private readonly fetch: (command: string) => Promise<AuthToken> = fetchAuthToken,
  ) {}

  /** Schedules the first refresh of `first`, fetched at `fetchedAtMs` (epoch ms). */
  start(first: AuthToken, fetchedAtMs: number): void {
    const delay = refreshDelayMs(first, fetchedAtMs, this.refreshEveryMs) - (Date.now() - fetchedAtMs);
    this.schedule(Math.max(0, delay));
  }

  /** Stops refreshing; waits for a fetch already running so nothing is handed out afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.refresh();
    }, delayMs);
  }

  private async refresh(): Promise<void> {
    const fetchedAtMs = Date.now();
    let token: AuthToken;
    try {
      token = await this.fetch(this.command);
    } catch (error) {
      const message = (error as Error).message.split("\n")[0];
      this.counts.refreshFailures++;
      if (this.counts.lastFailure !== message)
        this.onProblem(`token refresh failed, keeping the current token: ${message}`);
      this.counts.lastFailure = message;
      const retryMs = Math.min(MAX_RETRY_MS, refreshDelayMs({ token: "" }, fetchedAtMs, this.refreshEveryMs));
      this.schedule(retryMs);
      return;
    }
    if (this.stopped) return;
    this.counts.refreshes++;
    try {
      await this.onToken(token);
    } catch (error) {
      this.onProblem(`handing out a refreshed token failed: ${(error as Error).message.split("\n")[0]}`);
    }
    const delay = refreshDelayMs(token, fetchedAtMs, this.refreshEveryMs) - (Date.now() - fetchedAtMs);
    this.schedule(Math.max(0, delay));
  }
}

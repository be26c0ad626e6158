import type { EngineThreads } from "../engine/engine-threads.js";
import type { RunResult } from "../result/result-types.js";
import type { Participant, RunContext } from "./participant.js";
import type { ServerWatches } from "./server-watches.js";
import { TokenRefresher } from "./token-refresher.js";

/**
 * Authentication over the run. With --auth-token-command the token is fetched again before it
 * expires and every live connection re-AUTHs with it (engine threads in-band, the admin and probe
 * connections between commands); the result counts refreshes and re-AUTHs either way.
 */
export class TokenParticipant implements Participant {
  readonly name = "token refresh";
  private run: RunContext | undefined;
  private engine: EngineThreads | undefined;
  private refresher: TokenRefresher | undefined;

  constructor(private readonly watches: ServerWatches) {}

  async beforeLoad(run: RunContext): Promise<void> {
    this.run = run;
  }

  onLoadStart(engine: EngineThreads): void {
    this.engine = engine;
    const run = this.run;
    const first = run?.target.firstToken;
    if (run === undefined || run.config.authTokenCommand === undefined || first === undefined) return;
    const username = run.server.username;
    this.refresher = new TokenRefresher(
      run.config.authTokenCommand,
      run.config.authTokenRefreshMs,
      async ({ token }) => {
        engine.updateCredentials(username, token);
        const failures = [
          await run.admin.reauthenticate(username, token),
          ...(await this.watches.reauthenticate(username, token)),
        ];
        for (const failure of failures)
          if (failure !== undefined) run.say(`re-AUTH with a refreshed token failed: ${failure}`);
      },
      run.say,
    );
    this.refresher.start(first.token, first.fetchedAtMs);
  }

  async stopLoad(): Promise<void> {
    await this.refresher?.stop();
  }

  async contribute(result: RunResult): Promise<void> {
    const method = this.run?.target.method;
    if (method === undefined || method === "none" || this.engine === undefined) return;
    const reauth = await this.engine.reauthStats();
    const counts = this.refresher?.counts ?? { refreshes: 0, refreshFailures: 0, lastFailure: undefined };
    result.auth = {
      method,
      refreshes: counts.refreshes,
      refreshFailures: counts.refreshFailures,
      reauths: reauth.ok,
      reauthFailures: reauth.failed,
    };
    if (counts.refreshFailures > 0)
      result.warnings.push(`${counts.refreshFailures} token refresh(es) failed: ${counts.lastFailure}`);
    if (reauth.failed > 0)
      result.warnings.push(
        `the server refused ${reauth.failed} re-AUTH(s) with a refreshed token (${reauth.lastFailure})`,
      );
  }

  close(): Promise<void> {
    return this.stopLoad();
  }
}

import { AdminClient } from "../core/admin-client.js";
import type { EngineThreads } from "../engine/engine-threads.js";
import type { RunResult } from "../result/result-types.js";
import type { Participant, RunContext } from "./participant.js";
import { type SentinelTarget, SentinelWatch } from "./sentinel.js";

/**
 * A target found through sentinel: the sentinels are asked for the primary every second and the
 * load follows a failover. Counting and cleanup then happen on the primary that holds the data now
 * (the run's admin connection is moved there), and the count check is set aside: the commandstats
 * of the two servers overlap.
 */
export class SentinelParticipant implements Participant {
  readonly name = "sentinel watch";
  private run: RunContext | undefined;
  private watch: SentinelWatch | undefined;

  constructor(private readonly sentinel: SentinelTarget) {}

  async beforeLoad(run: RunContext): Promise<void> {
    this.run = run;
  }

  onLoadStart(engine: EngineThreads): void {
    const run = this.run;
    if (run === undefined) return;
    this.watch = new SentinelWatch(
      this.sentinel,
      run.server,
      (host, port) => engine.retarget(host, port),
      run.say,
    );
  }

  onMeasureStart(startEpochMs: number): void {
    this.watch?.setOrigin(startEpochMs);
  }

  async stopLoad(): Promise<void> {
    const run = this.run;
    const watch = this.watch;
    if (watch === undefined || run === undefined) return;
    await watch.stop();
    if (watch.failovers.length === 0) return;
    const primary = watch.primary;
    await run.admin.close();
    run.admin = await AdminClient.connect({ ...run.server, ...primary }, `${primary.host}:${primary.port}`);
  }

  contribute(result: RunResult): void {
    const failovers = this.watch?.failovers ?? [];
    if (failovers.length === 0) return;
    result.failovers = failovers;
    result.countCheck = {
      ...result.countCheck,
      checked: false,
      ok: true,
      note: "the primary changed during the run (sentinel failover): commandstats of the two servers overlap, so counts were not checked",
    };
  }
}

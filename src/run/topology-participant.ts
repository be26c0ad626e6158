import type { EngineThreads } from "../engine/engine-threads.js";
import type { RunResult } from "../result/result-types.js";
import type { Participant, RunContext } from "./participant.js";
import { primariesChanged, TopologyWatch } from "./topology-watch.js";

/**
 * A cluster's or a replicated target's layout during the run: the engine's slot map kept current,
 * every change recorded, and the count check set aside when the primaries changed (a promoted
 * replica's commandstats also hold the writes it replicated before).
 */
export class TopologyParticipant implements Participant {
  readonly name = "topology watch";
  private run: RunContext | undefined;
  private watch: TopologyWatch | undefined;

  async beforeLoad(run: RunContext): Promise<void> {
    this.run = run;
  }

  onLoadStart(engine: EngineThreads): void {
    const run = this.run;
    if (run?.nodes !== undefined) this.watch = new TopologyWatch(run.nodes, engine, run.say);
  }

  onMeasureStart(startEpochMs: number): void {
    this.watch?.setOrigin(startEpochMs);
  }

  async stopLoad(): Promise<void> {
    await this.watch?.stop();
  }

  contribute(result: RunResult): void {
    const run = this.run;
    if (result.routing !== undefined && this.watch !== undefined)
      result.routing.topologyChanges = this.watch.changes;
    if (run?.topology === undefined || run.nodes === undefined) return;
    if (primariesChanged(run.topology, run.nodes.current))
      result.countCheck = {
        ...result.countCheck,
        checked: false,
        ok: true,
        note: "primaries changed during the run (failover): replicated writes are in the new primary's commandstats, so counts were not checked",
      };
  }
}

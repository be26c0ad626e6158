import { nodeName } from "../engine/topology.js";
import { summarizeServer } from "../probes/sample-series.js";
import type { ServerSample } from "../probes/types.js";
import type { RunResult } from "../result/result-types.js";
import { analyzeRun } from "./analyze.js";
import type { Participant, RunContext } from "./participant.js";
import { ServerWatch } from "./server-watch.js";

/**
 * The server's side of the run: the target sampled every probe interval on a connection of its
 * own, and in a cluster every other primary too, so a hot or full shard shows. The samples become
 * the result's server series, its analysis (zones, advice) and the per-node summaries.
 */
export class ServerWatches implements Participant {
  readonly name = "server watch";
  /** The target's own watch; undefined until beforeLoad. */
  main: ServerWatch | undefined;
  private readonly byNode = new Map<string, ServerWatch>();
  private where = "";
  private run: RunContext | undefined;
  private stopped = false;

  get latest(): ServerSample | undefined {
    return this.main?.latest;
  }

  /**
   * Called by the orchestrator after the first command count and before the engine starts, as the
   * watch always was: its first sample then describes the server just before the load.
   */
  async start(run: RunContext): Promise<void> {
    this.run = run;
    this.where = run.where;
    // The probe gets a copy of the target: a refreshed token is handed to it explicitly.
    const main = await ServerWatch.start({ ...run.server }, run.config.probeIntervalMs, run.managed?.pid);
    main.onSample = (sample) => run.emit({ type: "server-sample", node: run.where, sample });
    this.main = main;
    for (const node of run.topology?.kind === "cluster" ? run.topology.nodes : []) {
      if (node.role !== "primary" || (node.host === run.server.host && node.port === run.server.port))
        continue;
      const watch = await ServerWatch.start(
        { ...run.server, host: node.host, port: node.port },
        run.config.probeIntervalMs,
        undefined,
      );
      watch.onSample = (sample) => run.emit({ type: "server-sample", node: nodeName(node), sample });
      this.byNode.set(nodeName(node), watch);
    }
  }

  onMeasureStart(startEpochMs: number): void {
    this.main?.setOrigin(startEpochMs);
    for (const w of this.byNode.values()) w.setOrigin(startEpochMs);
  }

  /** Refreshed credentials for every probe connection; the first line of each failure. */
  async reauthenticate(username: string | undefined, password: string): Promise<string[]> {
    const watches = [this.main, ...this.byNode.values()].filter((w) => w !== undefined);
    const failures = await Promise.all(watches.map((w) => w.reauthenticate(username, password)));
    return failures.filter((f) => f !== undefined);
  }

  async stopLoad(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.main?.stop();
    for (const w of this.byNode.values()) await w.stop();
  }

  async contribute(result: RunResult): Promise<void> {
    const main = this.main;
    if (main === undefined || this.run === undefined) return;
    if (main.samples.length > 0) {
      Object.assign(result, await analyzeRun(result, main.samples, this.run.config));
      result.serverSeries = main.samples;
    }
    if (this.byNode.size > 0) {
      result.serverByNode = { [this.where]: summarizeServer(main.samples) };
      for (const [name, w] of this.byNode) result.serverByNode[name] = summarizeServer(w.samples);
    }
    if (main.unavailable.length > 0) result.warnings.push(...main.unavailable);
  }

  async close(): Promise<void> {
    await this.stopLoad();
  }
}

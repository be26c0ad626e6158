import type { ShardShare } from "../config/shard-share.js";
import type { RunConfig } from "../config/types.js";
import type { ThreadPlan } from "../engine/thread-plan.js";
import type { Topology } from "../engine/topology.js";

/** The run's connections split over its engine threads, each with the workload it sends. */
export function threadPlans(
  config: RunConfig,
  target: ThreadPlan["target"],
  share: ShardShare,
  topology: Topology | undefined,
): ThreadPlan[] {
  const plans: ThreadPlan[] = [];
  let first = 0;
  for (let t = 0; t < config.threads; t++) {
    const connections =
      Math.floor(config.connections / config.threads) + (t < config.connections % config.threads ? 1 : 0);
    plans.push({
      threadIndex: t,
      target,
      connections,
      firstConnection: first,
      totalConnections: config.connections,
      pipeline: config.pipeline,
      timeoutMs: config.timeoutMs,
      topology,
      readFrom: config.readFrom,
      seed: config.seed,
      ...(share.count > 1 && { shardIndex: share.index }),
      workload: {
        commands: config.commands,
        keyPattern: config.keyPattern,
        keyMax: config.keyMax,
        prefix: config.prefix,
        dataSizeMin: config.dataSizeMin,
        dataSizeMax: config.dataSizeMax,
        dataset: config.dataset,
        ttlS: config.ttlS,
        scripts: config.scripts,
      },
    });
    first += connections;
  }
  return plans;
}

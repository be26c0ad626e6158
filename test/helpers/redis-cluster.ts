import { execFile } from "node:child_process";
import net from "node:net";
import { promisify } from "node:util";
import { createClient } from "@redis/client";
import { type ManagedRedis, startManagedRedis } from "../../src/core/managed-redis.js";

const run = promisify(execFile);

/**
 * A real Redis Cluster on 127.0.0.1 for integration tests: `primaries` primaries, each with
 * `replicasEach` replicas, created with `redis-cli --cluster create` and ready (cluster_state:ok
 * on every node, every node agreeing on the slot map). `stop()` ends every server.
 */
export interface TestCluster {
  nodes: ManagedRedis[];
  /** A URL of one primary: the seed the tool starts from. */
  url: string;
  stop(): Promise<void>;
}

/** The cluster bus listens on port + 10000, so both must be free and below 65536. */
async function clusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    if ((await isFree(port)) && (await isFree(port + 10000))) return port;
  }
  throw new Error("no free port pair for a cluster node");
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function startNode(): Promise<ManagedRedis> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await clusterPort();
    const node = await startManagedRedis({
      port,
      extraArgs: [
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        "nodes.conf",
        "--cluster-node-timeout",
        "2000",
      ],
    });
    if (node.port === port) return node;
    await node.stop(); // it moved to a port whose bus port may be out of range
  }
  throw new Error("could not start a cluster node on a port pair");
}

export async function startCluster(primaries = 3, replicasEach = 0): Promise<TestCluster> {
  const nodes: ManagedRedis[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    for (let i = 0; i < primaries * (1 + replicasEach); i++) nodes.push(await startNode());
    await run(
      "redis-cli",
      [
        "--cluster",
        "create",
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        "--cluster-replicas",
        String(replicasEach),
        "--cluster-yes",
      ],
      { timeout: 30_000 },
    );
    await waitForClusterReady(nodes);
    return { nodes, url: nodes[0].url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Every node reports cluster_state:ok and the same slot map; up to 20 s. */
export async function waitForClusterReady(nodes: ManagedRedis[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const views = await Promise.all(nodes.map((n) => clusterView(n.url).catch(() => undefined)));
    const ok = views.every((v) => v?.state === "ok");
    const maps = new Set(views.map((v) => v?.slots));
    // Replicas show up in CLUSTER SLOTS only once they are attached to their primary.
    const everyNodeListed = nodes.every((n) => views[0]?.slots.includes(String(n.port)) === true);
    if (ok && maps.size === 1 && everyNodeListed) return;
    if (Date.now() > deadline) throw new Error(`cluster not ready: ${JSON.stringify(views)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function clusterView(url: string): Promise<{ state: string; slots: string }> {
  return withNode(url, async (c) => {
    const info = String(await c.sendCommand(["CLUSTER", "INFO"]));
    const state = /cluster_state:(\w+)/.exec(info)?.[1] ?? "unknown";
    const slots = JSON.stringify(await c.sendCommand(["CLUSTER", "SLOTS"]), (_k, v) =>
      Array.isArray(v) && v.length >= 3 && typeof v[2] === "string" && v[2].length === 40 ? v.slice(0, 2) : v,
    );
    return { state, slots };
  });
}

export async function withNode<T>(
  url: string,
  use: (client: ReturnType<typeof createClient>) => Promise<T>,
): Promise<T> {
  // Typed with the default (module-less) client type that `use` takes, as src/core/target-client.ts does.
  const client: ReturnType<typeof createClient> = createClient({ url } as never);
  client.on("error", () => {});
  await client.connect();
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

/** Node id of the server at `url`. */
export function nodeId(url: string): Promise<string> {
  return withNode(url, async (c) => String(await c.sendCommand(["CLUSTER", "MYID"])));
}

/** Calls + rejected calls of `command` (lower case) summed over `nodes`. */
export async function clusterCommandCalls(nodes: ManagedRedis[], command: string): Promise<number> {
  let total = 0;
  for (const n of nodes) {
    const info = await withNode(n.url, (c) => c.info("commandstats"));
    const line = info.split("\r\n").find((l) => l.startsWith(`cmdstat_${command}:`));
    if (line === undefined) continue;
    total += Number(/calls=(\d+)/.exec(line)?.[1] ?? 0) + Number(/rejected_calls=(\d+)/.exec(line)?.[1] ?? 0);
  }
  return total;
}

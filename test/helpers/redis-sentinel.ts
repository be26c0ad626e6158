import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  findRedisServer,
  freePort,
  type ManagedRedis,
  startManagedRedis,
} from "../../src/core/managed-redis.js";
import { withNode } from "./redis-cluster.js";

/**
 * A primary, one replica and one sentinel (quorum 1) on 127.0.0.1, the replica in sync and known
 * to the sentinel before it is handed out, so `SENTINEL FAILOVER` can promote it at once.
 */
export interface TestSentinelSetup {
  primary: ManagedRedis;
  replica: ManagedRedis;
  sentinelPort: number;
  masterName: string;
  /** redis+sentinel://127.0.0.1:<sentinelPort>/<masterName> */
  url: string;
  stop(): Promise<void>;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startSentinelSetup(masterName = "cachestress-test"): Promise<TestSentinelSetup> {
  const primary = await startManagedRedis();
  let replica: ManagedRedis | undefined;
  let sentinel: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), "cachestress-sentinel-"));
  const stop = async () => {
    if (sentinel !== undefined && sentinel.exitCode === null) {
      const exited = new Promise((resolve) => sentinel!.once("exit", resolve));
      sentinel.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
      if (sentinel.exitCode === null) sentinel.kill("SIGKILL");
    }
    await Promise.all([primary.stop(), replica?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    replica = await startManagedRedis({ extraArgs: ["--replicaof", "127.0.0.1", String(primary.port)] });
    await waitFor("the replica to sync", () =>
      withNode(replica!.url, async (c) => (await c.info("replication")).includes("master_link_status:up")),
    );
    const sentinelPort = await freePort();
    const conf = join(dir, "sentinel.conf");
    writeFileSync(
      conf,
      [
        `port ${sentinelPort}`,
        "bind 127.0.0.1",
        `dir ${dir}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${primary.port} 1`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 5000`,
        "",
      ].join("\n"),
    );
    const binary = findRedisServer();
    if (binary === undefined) throw new Error("redis-server not found");
    sentinel = spawn(binary, [conf, "--sentinel"], { stdio: "ignore" });
    const sentinelUrl = `redis://127.0.0.1:${sentinelPort}`;
    await waitFor("the sentinel to know the replica", () =>
      withNode(sentinelUrl, async (c) => {
        const replicas = (await c.sendCommand(["SENTINEL", "REPLICAS", masterName])) as unknown[];
        return Array.isArray(replicas) && replicas.length === 1;
      }),
    );
    return {
      primary,
      replica,
      sentinelPort,
      masterName,
      url: `redis+sentinel://127.0.0.1:${sentinelPort}/${masterName}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Forces a failover now (no agreement needed with quorum 1). */
export function forceFailover(setup: TestSentinelSetup): Promise<unknown> {
  return withNode(`redis://127.0.0.1:${setup.sentinelPort}`, (c) =>
    c.sendCommand(["SENTINEL", "FAILOVER", setup.masterName]),
  );
}

import type { RunConfig } from "../config/types.js";
import { type ManagedRedis, startManagedRedis } from "../core/managed-redis.js";
import { type PreparedTarget, prepareTarget, TLS_INSECURE_WARNING } from "./secure-target.js";
import { askPrimary, parseSentinelUrl } from "./sentinel.js";

export interface OpenedTarget {
  target: PreparedTarget;
  /** `host:port` of the server, for messages. */
  where: string;
  /** The redis-server the tool started when no --url was given; stopped at the end of the run. */
  managed: ManagedRedis | undefined;
  viaSentinel: boolean;
}

/**
 * The server the run talks to: a throwaway redis-server when no --url is given (started with the
 * participants' arguments), the current primary when the URL names sentinels, and the target
 * prepared (TLS files read, the first token fetched). The caller stops `managed` at the end.
 */
export async function openTarget(
  config: RunConfig,
  /** Called only when a server is started: asking has effects (key isolation then creates its user there). */
  managedServerArgs: () => string[],
  say: (line: string) => void,
): Promise<OpenedTarget> {
  let url = config.url;
  let managed: ManagedRedis | undefined;
  if (url === undefined) {
    managed = await startManagedRedis({ extraArgs: managedServerArgs() });
    url = managed.url;
    say(
      `no --url given: started a throwaway redis-server on ${managed.host}:${managed.port} (pid ${managed.pid})`,
    );
  }
  try {
    const sentinelUrl = parseSentinelUrl(url);
    if (sentinelUrl !== undefined) {
      const primary = await askPrimary(sentinelUrl.sentinel);
      url = sentinelUrl.dataUrl(primary.host, primary.port);
      say(`sentinel: primary "${sentinelUrl.sentinel.masterName}" is ${primary.host}:${primary.port}`);
    }
    const target = await prepareTarget(url, config);
    if (config.tlsInsecure === true) say(TLS_INSECURE_WARNING);
    const where = `${target.connection.host}:${target.connection.port}`;
    return { target, where, managed, viaSentinel: sentinelUrl !== undefined };
  } catch (error) {
    await managed?.stop();
    throw error;
  }
}

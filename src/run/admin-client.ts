import { createClient } from "redis";
import type { ConnectionTarget } from "../engine/load-connection.js";
import { parseCommandStats, type ServerCommandCounts } from "../measure/count-check.js";

/** The target could not be reached or refused us; the message is one line with the cause. */
export class TargetUnreachableError extends Error {
  readonly code = "E_TARGET_UNREACHABLE";
}

type RedisClient = ReturnType<typeof createClient>;

/** How long the first connection may take before the run gives up, ms. */
export const CONNECT_TIMEOUT_MS = 3000;

/**
 * A full node-redis client for everything off the hot path: the reachability check, server version,
 * INFO commandstats before and after, and key cleanup. It never reconnects on its own, so an
 * unreachable target fails fast with the real cause instead of retrying in the background.
 */
export class AdminClient {
  private constructor(
    private readonly client: RedisClient,
    readonly serverVersion: string | undefined,
  ) {}

  static async connect(target: ConnectionTarget, where: string): Promise<AdminClient> {
    const client = createClient({
      socket: {
        host: target.host,
        port: target.port,
        tls: target.tls ? true : undefined,
        rejectUnauthorized: target.rejectUnauthorized,
        servername: target.servername,
        connectTimeout: CONNECT_TIMEOUT_MS,
        reconnectStrategy: false,
      } as never,
      username: target.username,
      password: target.password,
      database: target.db,
    });
    let lastError: unknown;
    client.on("error", (error) => {
      lastError = error;
    });
    try {
      await withTimeout(client.connect(), CONNECT_TIMEOUT_MS + 500);
      const info = await client.info("server");
      const version = /redis_version:(\S+)/.exec(info)?.[1] ?? /valkey_version:(\S+)/.exec(info)?.[1];
      return new AdminClient(client, version);
    } catch (error) {
      try {
        client.destroy();
      } catch {
        // node-redis throws when the client never opened; there is nothing to release then.
      }
      // node-redis rejects with "The client is closed" once its socket failed; the socket's own error
      // (ECONNREFUSED, ETIMEDOUT, WRONGPASS...) is the cause worth showing.
      const cause = (lastError as NodeJS.ErrnoException | undefined)?.code !== undefined ? lastError : error;
      throw new TargetUnreachableError(`cannot reach ${where}: ${describeError(cause)}`);
    }
  }

  /** Any command, for readers such as the config audit (its errors are the caller's to judge). */
  sendCommand(args: string[]): Promise<unknown> {
    return this.client.sendCommand(args);
  }

  /** Calls + rejected calls per command, or undefined when INFO is not allowed here. */
  async commandCounts(): Promise<ServerCommandCounts | undefined> {
    try {
      return parseCommandStats(await this.client.info("commandstats"));
    } catch {
      return undefined;
    }
  }

  /**
   * Deletes every key under `prefix` with SCAN + UNLINK in batches; returns how many it deleted.
   * The prefix is the run's own, so nothing else on the server is touched.
   */
  async deleteKeys(prefix: string, oneKeyPerCommand = false): Promise<number> {
    const pattern = `${escapeGlob(prefix)}*`;
    let deleted = 0;
    let cursor = "0";
    do {
      const reply = await this.client.scan(cursor, { MATCH: pattern, COUNT: 1000 });
      cursor = String(reply.cursor);
      if (reply.keys.length === 0) continue;
      // A cluster node refuses UNLINK of keys in different slots (CROSSSLOT): one key per command,
      // sent together so node-redis pipelines them.
      if (oneKeyPerCommand) {
        const counts = await Promise.all(reply.keys.map((key) => this.client.unlink(key)));
        deleted += counts.reduce((sum, n) => sum + Number(n), 0);
      } else {
        deleted += await this.client.unlink(reply.keys);
      }
    } while (cursor !== "0");
    return deleted;
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      // Already closed, typically because the target went away; nothing left to release.
    }
  }
}

/** A glob that matches the prefix literally (`*`, `?`, `[` in a prefix are escaped). */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error.message.split("\n")[0];
    return code !== undefined && !message.includes(code) ? `${code} ${message}` : message;
  }
  return String(error);
}

import { ErrorReply } from "@redis/client";
import { parseCommandStats, type ServerCommandCounts } from "./command-stats.js";
import type { ConnectionTarget } from "./connection-target.js";
import { CONNECT_TIMEOUT_MS, createTargetClient, type TargetClient } from "./target-client.js";
import { withTimeout } from "./with-timeout.js";

/** The target could not be reached or refused us; the message is one line with the cause. */
export class TargetUnreachableError extends Error {
  readonly code = "E_TARGET_UNREACHABLE";
}

/** The server's ACL does not let this user touch the run's keys. */
export class TargetAccessDeniedError extends Error {
  readonly code = "E_TARGET_DENIED";
}

type RedisClient = TargetClient;

export { CONNECT_TIMEOUT_MS };

/** How long an admin operation keeps trying to reconnect to a target that went away, ms in all. */
export const RECONNECT_BUDGET_MS = 10_000;
/** The first wait between reconnect attempts, doubled each time up to RECONNECT_MAX_WAIT_MS. */
const RECONNECT_FIRST_WAIT_MS = 100;
const RECONNECT_MAX_WAIT_MS = 2000;

/** Who the server is: a new run_id (or a lower uptime) after a reconnect means it restarted. */
interface ServerIdentity {
  runId?: string;
  uptimeS?: number;
}

/**
 * A full node-redis client for everything off the hot path: the reachability check, server version,
 * INFO commandstats before and after, and key cleanup. The first connection fails fast with the
 * real cause. Once connected, a connection that a CLIENT KILL, a restart or a failover closed is
 * opened again before the next admin operation, with backoff for up to RECONNECT_BUDGET_MS; a
 * new run_id on the way back tells that the server restarted (its commandstats started again).
 */
export class AdminClient {
  /** Set once a reconnect found another server process (restart): its counters started from 0. */
  private restartSeen = false;
  private reconnects = 0;
  /** A whole reconnect budget went by without a connection: later operations try once, not for 10 s more. */
  private gaveUp = false;

  private constructor(
    private client: RedisClient,
    readonly serverVersion: string | undefined,
    private readonly target: ConnectionTarget,
    private readonly where: string,
    private identity: ServerIdentity,
  ) {}

  static async connect(target: ConnectionTarget, where: string): Promise<AdminClient> {
    const { client, info } = await AdminClient.open(target, where);
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? /valkey_version:(\S+)/.exec(info)?.[1];
    return new AdminClient(client, version, target, where, identityOf(info));
  }

  /** One connection attempt: the client and its INFO server ("" when INFO is not allowed). */
  private static async open(
    target: ConnectionTarget,
    where: string,
  ): Promise<{ client: RedisClient; info: string }> {
    const client = createTargetClient(target);
    let lastError: unknown;
    client.on("error", (error) => {
      // The first error with a code is the cause (a TLS alert); "Socket closed unexpectedly" follows it.
      // A TLS alert (certificate required) can arrive just after the reset of the first write; it says more.
      const code = (lastError as NodeJS.ErrnoException | undefined)?.code;
      if (code === undefined || (code === "ECONNRESET" && /^ERR_SSL/.test(String(error.code))))
        lastError = error;
    });
    try {
      // The first answer counts: without a password node-redis sends nothing on connect, so a
      // server that accepts TCP and never answers shows only here.
      const info = await withTimeout(
        client.connect().then(() =>
          // An ACL user without INFO (ElastiCache and Azure users often lack @dangerous) can still run load.
          client.info("server").catch((error: unknown) => {
            if (error instanceof ErrorReply && /^NOPERM/.test(error.message)) return "";
            throw error;
          }),
        ),
        CONNECT_TIMEOUT_MS + 500,
      );
      return { client, info };
    } catch (error) {
      try {
        client.destroy();
      } catch {
        // node-redis throws when the client never opened; there is nothing to release then.
      }
      // node-redis rejects with "The client is closed" once its socket failed; the socket's own error
      // (ECONNREFUSED, ETIMEDOUT, WRONGPASS...) is the cause worth showing.
      const cause = (lastError as NodeJS.ErrnoException | undefined)?.code !== undefined ? lastError : error;
      const text = describeError(cause);
      throw new TargetUnreachableError(`cannot reach ${where}: ${text}${hintFor(text, target)}`);
    }
  }

  /** True once a reconnect reached a restarted server (a new run_id, or a lower uptime). */
  get serverRestarted(): boolean {
    return this.restartSeen;
  }

  /** How many times the connection was opened again after it broke. */
  get reconnectCount(): number {
    return this.reconnects;
  }

  /**
   * Opens the connection again when it broke, with backoff, until it is back or `budgetMs` has
   * passed; then throws TargetUnreachableError with the last cause. A no-op on an open connection.
   */
  async reopen(budgetMs = RECONNECT_BUDGET_MS): Promise<void> {
    if (this.client.isOpen) return;
    const deadline = Date.now() + (this.gaveUp ? 0 : budgetMs);
    let waitMs = RECONNECT_FIRST_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        const { client, info } = await AdminClient.open(this.target, this.where);
        this.replaceClient(client, info);
        this.gaveUp = false;
        return;
      } catch (error) {
        const left = deadline - Date.now();
        if (left <= 0 || attempt >= 100) {
          if (budgetMs > 0) this.gaveUp = true;
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, left)));
        waitMs = Math.min(waitMs * 2, RECONNECT_MAX_WAIT_MS);
      }
    }
  }

  private replaceClient(client: RedisClient, info: string): void {
    try {
      this.client.destroy();
    } catch {
      // Already closed: that is why it is being replaced.
    }
    this.client = client;
    this.reconnects++;
    const now = identityOf(info);
    if (isAnotherServer(this.identity, now)) this.restartSeen = true;
    this.identity = now;
  }

  /**
   * Runs `operation` on an open connection; when the connection breaks under it (not an error
   * reply), reopens it and runs it again, within the same reconnect budget.
   */
  private async withReconnect<T>(operation: () => Promise<T>, budgetMs = RECONNECT_BUDGET_MS): Promise<T> {
    const deadline = Date.now() + budgetMs;
    for (let attempt = 0; ; attempt++) {
      await this.reopen(Math.max(0, deadline - Date.now()));
      try {
        return await operation();
      } catch (error) {
        if (error instanceof ErrorReply || Date.now() >= deadline || attempt >= 20) throw error;
        if (this.client.isOpen) {
          // A command that failed on a connection still open (a reply lost...): once more is enough.
          if (attempt > 0) throw error;
          this.client.destroy();
        }
      }
    }
  }

  /**
   * Whether the server restarted since the first connection, read now (INFO server): the open
   * connection may not have noticed yet. Undefined when INFO is not allowed here.
   */
  async checkRestart(): Promise<boolean | undefined> {
    try {
      const info = await this.withReconnect(() => this.client.info("server"));
      const now = identityOf(info);
      if (isAnotherServer(this.identity, now)) this.restartSeen = true;
      if (now.runId !== undefined || now.uptimeS !== undefined) this.identity = now;
      return this.restartSeen;
    } catch {
      return this.restartSeen ? true : undefined;
    }
  }

  /**
   * Fails fast, with the cause in one line, when the server's ACL denies this user the run's keys,
   * instead of a whole run of NOPERM replies. EXISTS reads nothing and is not a command the run
   * counts; a user who may not run EXISTS at all tells us nothing about the keys, so that passes.
   */
  async checkKeyAccess(prefix: string): Promise<void> {
    try {
      await this.client.sendCommand(["EXISTS", `${prefix}cachestress-acl-check`]);
    } catch (error) {
      if (!(error instanceof ErrorReply) || !/^NOPERM/.test(error.message) || /command/i.test(error.message))
        return;
      throw new TargetAccessDeniedError(
        `the server's ACL denies this user the run's keys (--prefix ${prefix}): ${error.message.split("\n")[0]}; ` +
          "use a --prefix that the user's key patterns (~pattern) allow",
      );
    }
  }

  /** AUTH with refreshed credentials on this idle connection; the error's first line, or undefined. */
  async reauthenticate(username: string | undefined, password: string): Promise<string | undefined> {
    try {
      await this.client.sendCommand(
        username !== undefined ? ["AUTH", username, password] : ["AUTH", password],
      );
      return undefined;
    } catch (error) {
      return describeError(error);
    }
  }

  /** False while the connection is broken; the next admin operation opens it again. */
  get isOpen(): boolean {
    return this.client.isOpen;
  }

  /**
   * Any command, for readers such as the config audit (its errors are the caller's to judge). A
   * broken connection gets one quick attempt to reopen, so a target that is gone fails fast here.
   */
  async sendCommand(args: string[]): Promise<unknown> {
    if (!this.client.isOpen) await this.reopen(0);
    return this.client.sendCommand(args);
  }

  /** Calls + rejected calls per command, or undefined when INFO is not allowed here or the target is gone. */
  async commandCounts(): Promise<ServerCommandCounts | undefined> {
    try {
      return parseCommandStats(await this.withReconnect(() => this.client.info("commandstats")));
    } catch {
      return undefined;
    }
  }

  /**
   * Deletes every key under `prefix` with SCAN + UNLINK in batches; returns how many it deleted.
   * The prefix is the run's own, so nothing else on the server is touched.
   */
  async deleteKeys(prefix: string, oneKeyPerCommand = false): Promise<number> {
    // A connection lost mid-way starts the SCAN again from 0: UNLINK of a gone key is harmless, and
    // the count stays true since each UNLINK counts only the keys it deleted itself.
    const deleted = { count: 0 };
    await this.withReconnect(() => this.deleteKeysOnce(prefix, oneKeyPerCommand, deleted));
    return deleted.count;
  }

  private async deleteKeysOnce(
    prefix: string,
    oneKeyPerCommand: boolean,
    deleted: { count: number },
  ): Promise<void> {
    const pattern = `${escapeGlob(prefix)}*`;
    let cursor = "0";
    do {
      const reply = await this.client.scan(cursor, { MATCH: pattern, COUNT: 1000 });
      cursor = String(reply.cursor);
      if (reply.keys.length === 0) continue;
      // A cluster node refuses UNLINK of keys in different slots (CROSSSLOT): one key per command,
      // sent together so node-redis pipelines them.
      if (oneKeyPerCommand) {
        const counts = await Promise.all(reply.keys.map((key) => this.client.unlink(key)));
        deleted.count += counts.reduce((sum, n) => sum + Number(n), 0);
      } else {
        deleted.count += await this.client.unlink(reply.keys);
      }
    } while (cursor !== "0");
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      // Already closed, typically because the target went away; nothing left to release.
    }
  }
}

function identityOf(info: string): ServerIdentity {
  const runId = /run_id:(\w+)/.exec(info)?.[1];
  const uptime = /uptime_in_seconds:(\d+)/.exec(info)?.[1];
  return { runId, uptimeS: uptime !== undefined ? Number(uptime) : undefined };
}

/** Another process than before: a new run_id, or (without one) an uptime lower than before. */
export function isAnotherServer(before: ServerIdentity, now: ServerIdentity): boolean {
  if (before.runId !== undefined && now.runId !== undefined) return before.runId !== now.runId;
  if (before.uptimeS !== undefined && now.uptimeS !== undefined) return now.uptimeS < before.uptimeS;
  return false;
}

/** A glob that matches the prefix literally (`*`, `?`, `[` in a prefix are escaped). */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

/** What to do about the usual TLS and AUTH failures, in the words of the flags that fix them. */
function hintFor(cause: string, target: ConnectionTarget): string {
  if (/WRONGPASS|invalid password|invalid username-password/i.test(cause))
    return " (check the user and password: the URL, REDIS_USERNAME/REDIS_PASSWORD or --auth-token-command)";
  if (/NOAUTH/.test(cause))
    return " (the server wants a password: put it in REDIS_PASSWORD, the URL, or use --auth-token-command)";
  if (/CERT_ALTNAME|does not match certificate/i.test(cause))
    return " (the certificate is for another name: --tls-servername NAME sets the name to check)";
  if (/self[- ]signed|UNABLE_TO_(GET_ISSUER|VERIFY)|unable to (get|verify)|CERT_UNTRUSTED/i.test(cause))
    return " (the server's certificate is not signed by a CA we trust: --tls-ca FILE, or --tls-insecure to skip the check)";
  if (
    /certificate required|alert handshake failure|bad certificate/i.test(cause) &&
    target.cert === undefined
  )
    return " (the server asks for a client certificate: --tls-cert FILE --tls-key FILE)";
  if (target.tls && /wrong version number|packet length too long/i.test(cause))
    return " (this port does not speak TLS: use redis:// or the server's TLS port)";
  if (target.tls && target.cert === undefined && /ECONNRESET|Socket closed unexpectedly/i.test(cause))
    return " (the server closed the TLS connection: if it asks for a client certificate, use --tls-cert FILE --tls-key FILE)";
  if (!target.tls && /ECONNRESET|Socket closed unexpectedly/i.test(cause))
    return " (a TLS-only server drops plain connections: if this one is, use rediss://)";
  if (target.tls && /timeout/i.test(cause))
    return " (a plain server never answers a TLS handshake: if this port is not TLS, use redis://)";
  return "";
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    // OpenSSL's messages carry addresses and source paths; its reason (`tlsv13 alert certificate
    // required`) is the part a person can act on.
    const sslReason = /error:[0-9A-F]+:SSL routines:[^:]*:([^:]+)/.exec(error.message)?.[1];
    const message = sslReason ?? error.message.split("\n")[0];
    return code !== undefined && !message.includes(code) ? `${code} ${message}` : message;
  }
  return String(error);
}

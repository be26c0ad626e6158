import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { AdminClient, escapeGlob } from "../core/admin-client.js";
import { findRedisServer } from "../core/managed-redis.js";
import type { ConnectionTarget } from "../engine/load-connection.js";

/**
 * The temporary ACL user the load runs as, so that the server itself keeps the run inside its
 * prefix: keys `~{prefix}*` and channels `&{prefix}*` only, every command except @dangerous and
 * @admin (no FLUSHALL, KEYS, CONFIG, DEBUG...). Redis applies the same ACL to the commands a Lua
 * script calls, so a script cannot step outside either. The password is 32 random bytes that live
 * only in this process's memory; it is never printed, logged or written. The user is removed at
 * the end of the run, also when the run fails.
 *
 * A server the tool starts gets the user from its command line (with the password's SHA-256, not
 * the password), so a restart during the run (a fault, a persistence check) keeps it. Any other
 * server gets it from ACL SETUSER on every node (ACL rules are not replicated).
 */
export class LoadUser {
  readonly name = `cachestress-load-${randomBytes(4).toString("hex")}`;
  readonly #password = randomBytes(32).toString("hex");
  /** `host:port` of every node the user was created on, with how to reach it. */
  private readonly createdOn = new Map<string, ConnectionTarget>();

  constructor(readonly prefix: string) {}

  /** The ACL rules after the user's name; `password` is `>clear` for SETUSER or `#sha256` for a config line. */
  rules(password: string, options: { channels: boolean; sort: boolean }): string[] {
    const pattern = `${escapeGlob(this.prefix)}*`;
    return [
      "reset",
      "on",
      password,
      `~${pattern}`,
      ...(options.channels ? ["resetchannels", `&${pattern}`] : []),
      "+@all",
      "-@dangerous",
      "-@admin",
      // SORT is @dangerous for its BY/GET patterns, which Redis 7 refuses to a user without
      // access to every key; with that check in place, SORT on the run's keys is safe to allow.
      ...(options.sort ? ["+sort", "+sort_ro"] : []),
    ];
  }

  /**
   * redis-server arguments that create the user at start (a local server the tool manages); none
   * for a redis-server older than 6 (no ACL), whose run then falls back to the template checks.
   */
  managedServerArgs(): string[] {
    const [major, minor] = localServerVersion();
    if (major < 6) return [];
    this.inManagedServer = true;
    const hash = createHash("sha256").update(this.#password).digest("hex");
    const options = { channels: major > 6 || minor >= 2, sort: major >= 7 };
    return ["--user", this.name, ...this.rules(`#${hash}`, options)];
  }

  /** managedServerArgs() gave the user to the server the tool starts. */
  inManagedServer = false;

  /** A managed server was started with managedServerArgs: the user exists there. */
  markCreated(where: string, target: ConnectionTarget): void {
    this.createdOn.set(where, target);
  }

  /**
   * ACL SETUSER on each node. All or nothing: when one node refuses (no ACL, a user without
   * @admin, a managed service that blocks ACL), the user is deleted where it was made and the
   * refusal's first line is thrown.
   */
  async createOn(
    nodes: readonly { where: string; admin: AdminClient; target: ConnectionTarget }[],
  ): Promise<void> {
    try {
      for (const node of nodes) {
        await this.setUser(node.admin);
        this.createdOn.set(node.where, node.target);
      }
    } catch (error) {
      await this.remove();
      throw error;
    }
  }

  /** ACL SETUSER with the run's rules; Redis 6.0 knows no channel rules (&pattern), then keys stay limited. */
  private async setUser(admin: AdminClient): Promise<void> {
    const major = Number(/^(\d+)/.exec(admin.serverVersion ?? "")?.[1] ?? 0);
    const clear = `>${this.#password}`;
    try {
      await admin.sendCommand([
        "ACL",
        "SETUSER",
        this.name,
        ...this.rules(clear, { channels: true, sort: major >= 7 }),
      ]);
    } catch (error) {
      if (!/syntax|unrecognized|unknown/i.test((error as Error).message)) throw error;
      await admin.sendCommand([
        "ACL",
        "SETUSER",
        this.name,
        ...this.rules(clear, { channels: false, sort: false }),
      ]);
    }
  }

  private keeper: NodeJS.Timeout | undefined;
  private keeperBusy = false;
  private readonly keeperAdmins = new Map<string, AdminClient>();

  /**
   * While the load runs: a server that restarts without an ACL file forgets a user made by ACL
   * SETUSER, and the load's reconnects would then fail on AUTH for the rest of the run. Every
   * `intervalMs` each node is asked for the user (ACL GETUSER, one command) and given it again when
   * it is gone. A server the tool starts has the user on its command line and needs none of this.
   */
  keepAlive(intervalMs: number, onRestored: (where: string) => void): void {
    if (this.inManagedServer || this.createdOn.size === 0 || this.keeper !== undefined) return;
    this.keeper = setInterval(() => void this.keepTick(onRestored), intervalMs);
    this.keeper.unref();
  }

  async stopKeeping(): Promise<void> {
    clearInterval(this.keeper);
    this.keeper = undefined;
    for (const admin of this.keeperAdmins.values()) await admin.close();
    this.keeperAdmins.clear();
  }

  private async keepTick(onRestored: (where: string) => void): Promise<void> {
    if (this.keeperBusy) return;
    this.keeperBusy = true;
    try {
      for (const [where, target] of this.createdOn) {
        let admin = this.keeperAdmins.get(where);
        try {
          if (admin === undefined) {
            admin = await AdminClient.connect(target, where);
            this.keeperAdmins.set(where, admin);
          }
          if ((await admin.sendCommand(["ACL", "GETUSER", this.name])) === null) {
            await this.setUser(admin);
            onRestored(where);
          }
        } catch {
          // The node is down or restarting: the next tick asks again.
          this.keeperAdmins.delete(where);
          await admin?.close();
        }
      }
    } finally {
      this.keeperBusy = false;
    }
  }

  get created(): boolean {
    return this.createdOn.size > 0;
  }

  /** The target with this user's credentials: what the engine threads connect with. */
  credentials(target: ConnectionTarget): ConnectionTarget {
    return { ...target, username: this.name, password: this.#password };
  }

  /**
   * ACL DELUSER on every node it was created on, each over a connection of its own (the run's admin
   * connection may have been killed by a fault). Returns the nodes where it could not be removed.
   */
  async remove(): Promise<string[]> {
    await this.stopKeeping();
    const failed: string[] = [];
    for (const [where, target] of this.createdOn) {
      let admin: AdminClient | undefined;
      try {
        admin = await AdminClient.connect(target, where);
        await admin.sendCommand(["ACL", "DELUSER", this.name]);
        this.createdOn.delete(where);
      } catch (error) {
        failed.push(`${where} (${(error as Error).message.split("\n")[0]})`);
      } finally {
        await admin?.close();
      }
    }
    return failed;
  }

  /** Never the password, whatever prints this object. */
  toJSON(): { name: string } {
    return { name: this.name };
  }
}

/** [major, minor] of the local redis-server the tool would start; [0, 0] when it cannot tell. */
function localServerVersion(): [number, number] {
  const binary = findRedisServer();
  if (binary === undefined) return [0, 0];
  const out = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 3000 }).stdout ?? "";
  const match = /v=(\d+)\.(\d+)/.exec(out);
  return match === null ? [0, 0] : [Number(match[1]), Number(match[2])];
}

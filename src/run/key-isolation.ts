import { ErrorReply } from "@redis/client";
import { parseCommandTemplate } from "../config/command-template.js";
import { ConfigError, type ConfigProblem, firstLine } from "../config/errors.js";
import { shareOf } from "../config/shard-share.js";
import type { RunConfig } from "../config/types.js";
import { AdminClient, TargetAccessDeniedError } from "../core/admin-client.js";
import type { ConnectionTarget } from "../engine/load-connection.js";
import { nodeName } from "../engine/topology.js";
import type { KeyIsolationReport, RunResult } from "../result/result-types.js";
import { judgeRunKeys, keysFromServer, sampleWords } from "./key-guard.js";
import { LoadUser } from "./load-user.js";
import type { Participant, RunContext } from "./participant.js";
import { checkPermissions } from "./permission-check.js";
import { countPrefixKeys, prefixTakenText, shellWord } from "./prefix-guard.js";
import { discoverTopology } from "./target-topology.js";

/** How often a node is asked whether it still has the run's temporary ACL user (a restart forgets it), ms. */
const LOAD_USER_CHECK_MS = 500;

/**
 * Everything that keeps a run to its own keys, in the order it happens (docs/safety.md, "Key
 * isolation"):
 *  1. the prefix and the command that removes an interrupted run's keys are printed;
 *  2. the prefix must hold no key yet (SCAN on every primary), unless --reuse-prefix;
 *  3. the load runs as a temporary ACL user limited to the prefix, where the tool may create one;
 *  4. every template and script is judged: keys shown outside the prefix are always refused, keys
 *     that cannot be proven inside it are refused unless the ACL user enforces it or
 *     --allow-unchecked-keys;
 *  5. the load's user must be allowed every command the run sends (ACL DRYRUN, else MULTI/DISCARD);
 *  6. the ACL user is deleted at the end, also when the run fails.
 * run-scenario.ts calls it at those points; everything else lives here.
 */
export class KeyIsolation implements Participant {
  readonly name = "key isolation";
  private readonly user: LoadUser | undefined;
  private readonly report: KeyIsolationReport;
  private result: RunResult | undefined;

  constructor(
    private readonly config: RunConfig,
    private readonly say: (message: string) => void,
  ) {
    // A refreshed token is handed to the engine threads as the URL user's password: they must stay that user.
    this.user = config.authTokenCommand === undefined ? new LoadUser(config.prefix) : undefined;
    this.report = { enforcement: "checked", prefixReused: config.reusePrefix === true };
    if (this.user === undefined)
      this.report.noAclUser = "--auth-token-command: the load keeps the token's user";
  }

  /** redis-server arguments for a server the tool starts: the load user exists from its start. */
  managedServerArgs(): string[] {
    return this.user?.managedServerArgs() ?? [];
  }

  /** Steps 1 to 5, before anything is written. Throws ConfigError (exit 2) or TargetAccessDeniedError (exit 3). */
  async prepare(run: {
    admin: AdminClient;
    target: ConnectionTarget;
    where: string;
    managed: boolean;
    /** The primary came from a sentinel: a failover would land on a server without the user. */
    sentinel: boolean;
    shardCount: number;
  }): Promise<void> {
    const { config } = this;
    const prefix = shellWord(config.prefix);
    this.say(
      config.url !== undefined
        ? `keys go under prefix ${config.prefix}; if the run is interrupted, remove them with: cachestress cleanup --url ${cleanupUrl(config.url)} --prefix ${prefix}`
        : `keys go under prefix ${config.prefix} (on the throwaway server, which is stopped at the end)`,
    );
    const nodes = await this.nodes(run);
    try {
      await this.guardPrefix(nodes, run.shardCount);
      if (this.user !== undefined) {
        if (run.managed) {
          if (this.user.inManagedServer) this.user.markCreated(run.where, run.target);
          else this.report.noAclUser = "the local redis-server is older than 6 (no ACL)";
        } else if (run.sentinel)
          this.report.noAclUser = "sentinel: a failover would move the load to a server without the user";
        else
          try {
            await this.user.createOn(
              nodes.map((n) => ({ ...n, target: { ...run.target, host: n.host, port: n.port } })),
            );
          } catch (error) {
            this.report.noAclUser = `the server refused ACL SETUSER (${firstLine(error)})`;
          }
      }
      const aclUser = this.user?.created === true;
      if (aclUser) {
        this.report.enforcement = "acl-user";
        this.report.loadUser = { name: this.user!.name, nodes: nodes.length, removed: false };
        this.say(
          `the load runs as a temporary ACL user ${this.user!.name} that may touch only keys under ${config.prefix} (no @dangerous, no @admin); it is removed at the end`,
        );
      } else
        this.say(
          `no temporary ACL user (${this.report.noAclUser}): every template and script is checked to stay under the prefix instead`,
        );
      await this.judgeKeys(run.admin, aclUser);
      const username = aclUser ? this.user!.name : (run.target.username ?? "default");
      const check = await checkPermissions(run.admin, username, this.loadTarget(run.target), this.samples());
      this.report.permissionCheck = check.method;
      if (check.denied.length > 0)
        throw new TargetAccessDeniedError(
          `the ${aclUser ? `run's ACL user (keys ${config.prefix}*, no @dangerous/@admin)` : `user ${username}`} may not run what the load sends: ${check.denied.join("; ")}`,
        );
    } finally {
      for (const n of nodes) if (n.admin !== run.admin) await n.admin.close();
    }
  }

  beforeLoad(run: RunContext): Promise<void> {
    return this.prepare({
      admin: run.admin,
      target: run.server,
      where: run.where,
      managed: run.managed !== undefined,
      sentinel: run.viaSentinel,
      shardCount: shareOf(this.config).count,
    });
  }

  onLoadStart(): void {
    this.keepLoadUser(LOAD_USER_CHECK_MS);
  }

  contribute(result: RunResult): void {
    this.addTo(result);
  }

  close(): Promise<void> {
    return this.remove();
  }

  /** While the load runs, gives the load user back to a node that restarted and forgot it. */
  keepLoadUser(intervalMs: number): void {
    this.user?.keepAlive(intervalMs, (where) => {
      this.report.loadUserRestored = [...(this.report.loadUserRestored ?? []), where];
      this.say(`${where} had forgotten the temporary ACL user (a restart): created it again`);
    });
  }

  /** What the engine threads connect with: the load user's credentials when there is one. */
  loadTarget(target: ConnectionTarget): ConnectionTarget {
    return this.user?.created === true ? this.user.credentials(target) : target;
  }

  /** Puts what was done into the result (the ACL user's removal is filled in by remove()). */
  addTo(result: RunResult): void {
    this.result = result;
    result.keyIsolation = this.report;
    if (this.report.enforcement === "unchecked")
      result.warnings.push(
        `--allow-unchecked-keys: these could touch keys outside ${this.config.prefix} and were run anyway: ${this.report.unchecked?.join("; ")}`,
      );
  }

  /** Step 6: deletes the ACL user. Safe to call when none was made, and more than once. */
  async remove(): Promise<void> {
    if (this.user === undefined || !this.user.created) return;
    const failed = await this.user.remove();
    if (this.report.loadUser !== undefined) this.report.loadUser.removed = failed.length === 0;
    if (failed.length === 0) return;
    const text = `the temporary ACL user ${this.user.name} could not be removed on ${failed.join(", ")}; remove it with ACL DELUSER ${this.user.name}`;
    this.say(text);
    this.result?.warnings.push(text);
  }

  /** The seed node, and with a cluster or replicas every other node too (ACL rules are per server). */
  private async nodes(run: { admin: AdminClient; target: ConnectionTarget; where: string }) {
    const seed = {
      where: run.where,
      host: run.target.host,
      port: run.target.port,
      admin: run.admin,
      primary: true,
    };
    const topology = await discoverTopology(run.admin, run.target, this.config.readFrom).catch(
      () => undefined,
    );
    if (topology === undefined) return [seed];
    const nodes = [];
    try {
      for (const node of topology.nodes) {
        const isSeed = node.host === run.target.host && node.port === run.target.port;
        const where = nodeName(node);
        const admin = isSeed
          ? run.admin
          : await AdminClient.connect({ ...run.target, host: node.host, port: node.port }, where);
        nodes.push({ where, host: node.host, port: node.port, admin, primary: node.role === "primary" });
      }
    } catch (error) {
      for (const n of nodes) if (n.admin !== run.admin) await n.admin.close();
      throw error;
    }
    if (!nodes.some((n) => n.admin === run.admin)) nodes.push({ ...seed, primary: false });
    return nodes;
  }

  private async guardPrefix(
    nodes: { admin: AdminClient; primary: boolean }[],
    shardCount: number,
  ): Promise<void> {
    const { config } = this;
    if (shardCount > 1) {
      // The other shards load the same prefix at the same time: their keys are no stranger's.
      this.say(
        "a shard of several: the prefix is shared with the other shards, so it is not checked for existing keys",
      );
      return;
    }
    const count = await countPrefixKeys(
      nodes.filter((n) => n.primary).map((n) => n.admin),
      config.prefix,
    );
    this.report.prefixKeysBefore = count.keys;
    if (count.keys === undefined) {
      this.say(
        `could not check that ${config.prefix} holds no keys yet (${count.notCounted}); the cleanup cannot SCAN either`,
      );
      return;
    }
    if (/[A-Za-z0-9]$/.test(config.prefix))
      // `app` also matches `application:...`: keys another client writes there during the run would go too.
      this.say(
        `the prefix ${config.prefix} does not end with a separator such as ':'; keys starting with it that others write during the run would be deleted at cleanup`,
      );
    if (count.keys === 0) return;
    if (config.reusePrefix === true) {
      this.say(
        `--reuse-prefix: ${count.keys} key(s) already under ${config.prefix}; the cleanup deletes them with the run's own`,
      );
      return;
    }
    throw new ConfigError([
      { field: "--prefix", value: config.prefix, allowed: prefixTakenText(config.prefix, count) },
    ]);
  }

  private async judgeKeys(admin: AdminClient, aclUser: boolean): Promise<void> {
    const { config } = this;
    const getKeys = async (words: string[]) => {
      try {
        const answer = await admin.sendCommand(["COMMAND", "GETKEYS", ...words]);
        return (answer as unknown[]).map(String);
      } catch (error) {
        return error instanceof ErrorReply ? error : new Error(firstLine(error));
      }
    };
    const judged = await judgeRunKeys(
      config.commands,
      config.scripts,
      config.prefix,
      keysFromServer(getKeys),
    );
    const problems: ConfigProblem[] = [];
    const unproven: string[] = [];
    for (const j of judged) {
      const field = j.subject.startsWith("scripts.") ? j.subject : "command template";
      const value = j.subject.startsWith("scripts.") ? "(the script)" : j.subject;
      for (const why of j.escapes)
        problems.push({ field, value, allowed: `only keys under the run's prefix; refused because ${why}` });
      if (j.unproven.length > 0 && !aclUser) unproven.push(`${j.subject}: ${j.unproven.join(", ")}`);
      if (j.unproven.length > 0 && !aclUser && config.allowUncheckedKeys !== true)
        for (const why of j.unproven)
          problems.push({
            field,
            value,
            allowed: `keys provably under the run's prefix; cannot prove it because ${why}. The tool could not create an ACL user here to enforce the prefix (${this.report.noAclUser}); --allow-unchecked-keys runs it anyway and records it in the result`,
          });
    }
    if (problems.length > 0) throw new ConfigError(problems);
    if (unproven.length > 0) {
      this.report.enforcement = "unchecked";
      this.report.unchecked = unproven;
      this.say(
        `--allow-unchecked-keys: running templates whose keys could not be proven under the prefix: ${unproven.join("; ")}`,
      );
    }
  }

  /** One sample of every command the load sends, on a key of the run's that the load never uses. */
  private samples(): string[][] {
    const { config } = this;
    const key = `${config.prefix}cachestress-acl-check`;
    const samples: string[][] = [];
    for (const c of config.commands) {
      if (c.template === undefined) {
        if (c.name === "GET") samples.push(["GET", key]);
        else
          samples.push(["SET", key, "v", ...(config.ttlS !== undefined ? ["EX", String(config.ttlS)] : [])]);
        continue;
      }
      const parsed = parseCommandTemplate(c.template, Object.keys(config.scripts ?? {}));
      if (parsed.template !== undefined)
        samples.push(sampleWords(parsed.template, config.prefix, config.scripts, key));
    }
    if (config.prefill && !samples.some((s) => s[0] === "SET")) samples.push(["SET", key, "v"]);
    const seen = new Set<string>();
    return samples.filter((s) => {
      const id = s.join("\u0000");
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  }
}

/** The URL for the printed cleanup command: without its password (REDIS_PASSWORD supplies it). */
export function cleanupUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^:/@]*):[^@/]*@/i, (_, scheme: string, user: string) =>
    user === "" ? scheme : `${scheme}${user}@`,
  );
}

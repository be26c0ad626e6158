import { ErrorReply } from "@redis/client";
import { createTargetClient, type TargetClient } from "../core/target-client.js";
import { withTimeout } from "../core/with-timeout.js";
import type { ConnectionTarget } from "../engine/load-connection.js";
import type { CommandSender } from "./prefix-guard.js";

/**
 * Before the load: may the load's user run every command the run sends, on the run's keys? A user
 * allowed only PING would otherwise get a whole run of NOPERM replies. Three ways to ask, the first
 * the server allows:
 *  - `ACL DRYRUN user command args...` (Redis 7), through the admin connection: nothing runs;
 *  - MULTI, each command, DISCARD on a connection as the load's user: Redis checks the ACL when it
 *    queues a command, and DISCARD throws the queue away, so again nothing runs;
 *  - when the user may not even run MULTI: each command once, for real, on a key of the run's own
 *    prefix (before the counts are first read, so the count check does not see them).
 */

export type PermissionMethod = "acl-dryrun" | "multi" | "executed";

export interface PermissionCheck {
  method: PermissionMethod;
  /** `SET k v: <the server's reason>` for every sample the user may not run. */
  denied: string[];
}

/** A command that takes longer than this in the last method (a blocking pop) is taken as allowed, ms. */
const PROBE_TIMEOUT_MS = 1000;

export async function checkPermissions(
  admin: CommandSender,
  username: string,
  loadTarget: ConnectionTarget,
  samples: readonly string[][],
): Promise<PermissionCheck> {
  const dryrun = await tryDryRun(admin, username, samples);
  if (dryrun !== undefined) return { method: "acl-dryrun", denied: dryrun };
  const client = await connect(loadTarget);
  try {
    const queued = await tryMulti(client, samples);
    if (queued !== undefined) return { method: "multi", denied: queued };
  } finally {
    client.destroy();
  }
  return { method: "executed", denied: await execute(loadTarget, samples) };
}

async function tryDryRun(
  admin: CommandSender,
  username: string,
  samples: readonly string[][],
): Promise<string[] | undefined> {
  const denied: string[] = [];
  for (const words of samples) {
    let answer: unknown;
    try {
      answer = await admin.sendCommand(["ACL", "DRYRUN", username, ...words]);
    } catch (error) {
      // Redis 6 has no DRYRUN; a user without @admin may not ask. Any other error is about the
      // sample itself (a command this server does not know) and says nothing about permissions.
      if (/^NOPERM|unknown subcommand|unknown command/i.test((error as Error).message)) return undefined;
      continue;
    }
    if (String(answer) !== "OK") denied.push(`${show(words)}: ${String(answer)}`);
  }
  return denied;
}

async function tryMulti(client: TargetClient, samples: readonly string[][]): Promise<string[] | undefined> {
  try {
    await client.sendCommand(["MULTI"]);
  } catch (error) {
    if (error instanceof ErrorReply && /^NOPERM/.test(error.message)) return undefined;
    throw error;
  }
  const denied: string[] = [];
  try {
    for (const words of samples) {
      try {
        await client.sendCommand(words);
      } catch (error) {
        if (error instanceof ErrorReply && /^NOPERM/.test(error.message))
          denied.push(`${show(words)}: ${error.message.split("\n")[0]}`);
      }
    }
  } finally {
    await client.sendCommand(["DISCARD"]).catch(() => undefined);
  }
  return denied;
}

async function execute(target: ConnectionTarget, samples: readonly string[][]): Promise<string[]> {
  const denied: string[] = [];
  let client = await connect(target);
  try {
    for (const words of samples) {
      try {
        await withTimeout(client.sendCommand(words), PROBE_TIMEOUT_MS);
      } catch (error) {
        if (error instanceof ErrorReply && /^NOPERM/.test(error.message))
          denied.push(`${show(words)}: ${error.message.split("\n")[0]}`);
        else if (!(error instanceof ErrorReply)) {
          // Still blocked (BRPOP...): allowed. The connection is replaced, the command with it.
          client.destroy();
          client = await connect(target);
        }
      }
    }
  } finally {
    client.destroy();
  }
  return denied;
}

async function connect(target: ConnectionTarget): Promise<TargetClient> {
  const client = createTargetClient(target);
  client.on("error", () => {
    // Failures surface as rejected commands; an idle socket error needs no handler of its own.
  });
  await client.connect();
  return client;
}

/** A sample as the user would recognise it, shortened: the command and its first arguments. */
function show(words: readonly string[]): string {
  const text = words.slice(0, 4).join(" ");
  return words.length > 4 ? `${text} ...` : text;
}

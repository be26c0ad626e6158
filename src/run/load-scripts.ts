import { createHash } from "node:crypto";
import type { AdminClient } from "../core/admin-client.js";

/**
 * Loads the scenario's Lua scripts (`scripts:`) with SCRIPT LOAD on every primary before the load,
 * so templates can call them with EVALSHA {script:NAME}. The engine writes the SHA1 it computes
 * itself; the server's answer must be the same digest, else the load would get NOSCRIPT errors.
 */
export async function loadScripts(
  scripts: Record<string, string>,
  admins: readonly AdminClient[],
  say: (message: string) => void,
): Promise<void> {
  for (const [name, source] of Object.entries(scripts)) {
    const sha = createHash("sha1").update(source).digest("hex");
    for (const admin of admins) {
      const answer = String(await admin.sendCommand(["SCRIPT", "LOAD", source]));
      if (answer !== sha)
        throw new Error(`SCRIPT LOAD of script "${name}" answered ${answer}, expected its SHA1 ${sha}`);
    }
    say(`script "${name}" loaded (sha1 ${sha}) on ${admins.length} server(s)`);
  }
}

import type { ServerCommandCounts } from "../core/command-stats.js";
import type { CountCheck } from "./result-types.js";

export type { ServerCommandCounts };

/** Per command (upper case): what the tool wrote and how many replies it read. */
export type ToolCommandCounts = Record<string, { sent: number; completed: number }>;

/**
 * Compares what the tool says it did with what the server counted over the same window. Every
 * command written and answered must appear in the server's count: with no timeouts or broken
 * connections the numbers must be equal; otherwise the server's count must lie between the replies
 * read and the commands written (a command lost on the way may or may not have reached it).
 */
export function checkCounts(
  before: ServerCommandCounts | undefined,
  after: ServerCommandCounts | undefined,
  tool: ToolCommandCounts,
): CountCheck {
  const byCommand: CountCheck["byCommand"] = {};
  if (before === undefined || after === undefined) {
    for (const [name, t] of Object.entries(tool)) byCommand[name] = { ...t, server: -1 };
    return {
      checked: false,
      ok: true,
      byCommand,
      note: "INFO commandstats could not be read; counts not checked",
    };
  }
  const problems: string[] = [];
  for (const [name, t] of Object.entries(tool)) {
    const server = (after[name] ?? 0) - (before[name] ?? 0);
    byCommand[name] = { sent: t.sent, completed: t.completed, server };
    const exact = t.sent === t.completed;
    if (exact && server !== t.sent) {
      problems.push(`${name}: tool sent ${t.sent}, server counted ${server}`);
    } else if (!exact && (server < t.completed || server > t.sent)) {
      problems.push(`${name}: server counted ${server}, outside [${t.completed} replied, ${t.sent} sent]`);
    }
  }
  if (problems.length > 0) {
    return {
      checked: true,
      ok: false,
      byCommand,
      note: `MISMATCH with INFO commandstats: ${problems.join("; ")} (another client using the same commands on this server also causes this)`,
    };
  }
  const lossy = Object.values(byCommand).some((c) => c.sent !== c.completed);
  return {
    checked: true,
    ok: true,
    byCommand,
    note: lossy
      ? "server counts lie between replies read and commands sent (some operations were lost or timed out)"
      : "every command sent was counted by the server, exactly",
  };
}

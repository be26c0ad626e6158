import { checkCounts, type ServerCommandCounts, type ToolCommandCounts } from "../result/count-check.js";
import type { CountCheck, RunResult } from "../result/result-types.js";

/**
 * The count check over all shards: what every shard sent and got replies for (all phases), against
 * the server's INFO commandstats from before the first shard started to after the last one ended.
 *
 * The server's counters only grow, so the smallest "before" of any shard is the earliest reading and
 * the largest "after" the latest one, whatever the machines' clocks say. The check holds when the
 * shards ran against one server with nothing else sending these commands meanwhile; another client
 * shows up as a mismatch, as in a single run.
 */
export function mergedCountCheck(shards: readonly RunResult[]): CountCheck {
  const tool: ToolCommandCounts = {};
  for (const r of shards) {
    for (const [name, c] of Object.entries(r.countCheck.byCommand)) {
      const into = tool[name] ?? { sent: 0, completed: 0 };
      into.sent += c.sent;
      into.completed += c.completed;
      tool[name] = into;
    }
  }
  const unread = shards.filter((r) => r.shard?.serverCounts === undefined);
  if (unread.length > 0) {
    const which = unread.map((r) => `${r.shard?.index}/${r.shard?.count}`).join(", ");
    const check = checkCounts(undefined, undefined, tool);
    return { ...check, note: `shard ${which} could not read INFO commandstats; counts not checked` };
  }
  const before: ServerCommandCounts = {};
  const after: ServerCommandCounts = {};
  const names = Object.keys(tool);
  for (const name of names) {
    before[name] = Math.min(...shards.map((r) => r.shard!.serverCounts!.before[name] ?? 0));
    after[name] = Math.max(...shards.map((r) => r.shard!.serverCounts!.after[name] ?? 0));
  }
  const check = checkCounts(before, after, tool);
  return { ...check, note: `all ${shards.length} shards together: ${check.note}` };
}

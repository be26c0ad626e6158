import type { RunResult } from "../result/result-types.js";

/** The warning build-result.ts writes for a lost target; an engine failure is not one. */
const TARGET_LOST_WARNING = /^every connection to the target was down/;

/**
 * A run whose engine failed (a thread crashed, or did not stop when asked) ends like one whose
 * target went away: status "failed", with what was measured until then, cleanup and report. This
 * names the real reason instead of "target lost", and withdraws the count check, since the failed
 * thread's last interval never reached the totals while its commands did reach the server.
 */
export function markEngineFailure(result: RunResult, reason: string): void {
  result.status = "failed";
  result.stopReason = reason;
  result.warnings = result.warnings.filter((w) => !TARGET_LOST_WARNING.test(w));
  result.warnings.push(`the run ended early: ${reason}`);
  result.countCheck = {
    ...result.countCheck,
    checked: false,
    ok: true,
    note: `counts not checked: ${reason}; its last unreported operations are missing from the totals`,
  };
}

import { reportTimestamp, sanitizeEnv, writeReportPair } from "../reports/write-report.js";
import type { CapacityResult } from "./capacity-result.js";
import { renderCapacityMarkdown } from "./render-report.js";

/**
 * `capacity_{env}_{timestamp}.json` and `.md` in the run's `--out` directory, named like the run
 * reports (`result_...`) so the two kinds sort together and never overwrite each other. The result
 * is already redacted by runCapacity; the pair is written atomically by writeReportPair.
 */
export function capacityReportBaseName(result: CapacityResult): string {
  return `capacity_${sanitizeEnv(result.env)}_${reportTimestamp(result.startedAt)}`;
}

export function writeCapacityReport(
  result: CapacityResult,
  outDir: string,
): Promise<{ jsonPath: string; markdownPath: string }> {
  return writeReportPair(
    outDir,
    capacityReportBaseName(result),
    `${JSON.stringify(result, null, 2)}\n`,
    renderCapacityMarkdown(result),
  );
}

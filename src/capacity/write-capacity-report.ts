import { DEFAULT_FORMATS } from "../reports/render/report-file.js";
import {
  namedPaths,
  reportTimestamp,
  sanitizeEnv,
  type WrittenReports,
  writeReportFiles,
} from "../reports/write-report.js";
import { renderCapacityReport } from "./capacity-formats.js";
import type { CapacityResult } from "./capacity-result.js";

/**
 * `capacity_{env}_{timestamp}.json`, `.md` and `.html` in the run's `--out` directory, named like
 * the run reports (`result_...`) so the two kinds sort together and never overwrite each other. The
 * result is already redacted by runCapacity; the set is written atomically by writeReportFiles.
 */
export function capacityReportBaseName(result: CapacityResult): string {
  return `capacity_${sanitizeEnv(result.env)}_${reportTimestamp(result.startedAt)}`;
}

export async function writeCapacityReport(result: CapacityResult, outDir: string): Promise<WrittenReports> {
  const files = DEFAULT_FORMATS.flatMap((format) => renderCapacityReport(result, format));
  return namedPaths(await writeReportFiles(outDir, capacityReportBaseName(result), files));
}

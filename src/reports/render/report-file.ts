/**
 * The renderer seam: a renderer turns a result into the text of one file, and the artefact writer
 * (writeReportFiles in ../write-report.ts) gives every file of a report one base name. A new format
 * is one renderer file and one line in the format table (run-formats.ts, capacity-formats.ts).
 */

/** One rendered file: `suffix` follows the base name (`.json`, `.html`, `_series.csv`). */
export interface ReportFile {
  suffix: string;
  text: string;
}

/** The formats `cachestress report --format` accepts. */
export const REPORT_FORMATS = ["json", "md", "html", "csv"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The formats every `run`, `capacity` and `merge` writes. */
export const DEFAULT_FORMATS: readonly ReportFormat[] = ["json", "md", "html"];

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

/** Pretty JSON with a final newline, the same for every kind of result. */
export function jsonFile(result: unknown): ReportFile {
  return { suffix: ".json", text: `${JSON.stringify(result, null, 2)}\n` };
}

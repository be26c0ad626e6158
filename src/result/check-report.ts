/** A check's findings in the result JSON (`check`) and the reports. */
export interface CheckReport {
  kind: string;
  /** True when everything the check verifies held. */
  ok: boolean;
  /** One line for the summary: what was checked and the outcome. */
  summary: string;
  /** Figures in the user's words with units in the names (`lostKeys`, `memoryPerEventBytes`). */
  figures: Record<string, number | string | boolean | null>;
  /** Every failed expectation, in plain words with the numbers. */
  problems: string[];
  /** Per-second (or per-step) series of the check's own figures, when it has any. */
  series?: Record<string, number | null>[];
}

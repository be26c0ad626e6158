import { firstLine } from "../config/errors.js";
import type { RunResult } from "../result/result-types.js";
import type { CheckReport, ScenarioCheck } from "../scenario-checks/index.js";
import type { Participant, RunContext } from "./participant.js";

/**
 * The scenario's check (src/scenario-checks/) as a participant. Unlike the others, a check that
 * cannot finish (the target died) does not become a warning: it fails the check, and with it the
 * run's verdict. It runs last, so it judges a result every other participant has filled in.
 */
export class CheckParticipant implements Participant {
  readonly name: string;
  /** Why the check could not finish, when it could not. */
  private failure: string | undefined;

  constructor(private readonly check: ScenarioCheck) {
    this.name = `check ${check.kind}`;
  }

  managedServerArgs(): string[] {
    return this.check.managedServerArgs();
  }

  beforeLoad(run: RunContext): Promise<void> {
    return this.check.beforeLoad(run);
  }

  onMeasureStart(startEpochMs: number): void {
    this.check.onMeasureStart(startEpochMs);
  }

  async stopLoad(): Promise<void> {
    await this.check.stopLoad().catch((error: unknown) => {
      this.failure ??= firstLine(error);
    });
  }

  sentCommands(): Record<string, { sent: number; completed: number }> {
    return this.check.sentCommands();
  }

  async afterLoad(run: RunContext): Promise<void> {
    // After the counts (its reads would disturb them) and before the cleanup (it reads the keys).
    await this.check.afterLoad(run).catch((error: unknown) => {
      this.failure ??= firstLine(error);
    });
  }

  contribute(result: RunResult): void {
    const check = this.check;
    result.check = this.outcome(result);
    if (result.check.ok && check.expectsRefusals === true && result.verdictReasons !== undefined) {
      // Refused operations are what this check verified; it judged them, so they fail nothing twice.
      const reasons = result.verdictReasons.filter((r) => !r.startsWith("no operation succeeded"));
      if (reasons.length > 0) result.verdictReasons = reasons;
      else delete result.verdictReasons;
      result.verdict = result.thresholds.every((t) => t.ok) && reasons.length === 0 ? "pass" : "fail";
    }
    if (!result.check.ok) result.verdict = "fail";
  }

  close(): Promise<void> {
    return this.check.close();
  }

  /** The check's report; a check that could not finish says why and fails, whatever it had found. */
  private outcome(result: RunResult): CheckReport {
    const check = this.check;
    let report: CheckReport;
    try {
      check.onResult?.(result);
      report = check.report();
    } catch (error) {
      this.failure ??= firstLine(error);
      report = { kind: check.kind, ok: false, summary: "could not finish", figures: {}, problems: [] };
    }
    const failure = this.failure;
    if (failure === undefined) return report;
    return {
      ...report,
      ok: false,
      summary: `could not finish: ${failure}`,
      problems: [...report.problems, `the check could not finish: ${failure}`],
    };
  }
}

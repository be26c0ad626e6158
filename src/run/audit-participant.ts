import type { AuditReport } from "../checks/config-audit.js";
import type { RunResult } from "../result/result-types.js";
import { auditTarget } from "./audit-target.js";
import type { Participant, RunContext } from "./participant.js";

/** --audit: the target's configuration read and judged before the load (docs/audit.md). */
export class AuditParticipant implements Participant {
  readonly name = "configuration audit";
  private report: AuditReport | undefined;

  async beforeLoad(run: RunContext): Promise<void> {
    this.report = await auditTarget(run.admin, run.server, run.config);
  }

  contribute(result: RunResult): void {
    if (this.report !== undefined) result.audit = this.report;
  }
}

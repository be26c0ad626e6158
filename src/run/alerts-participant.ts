import type { ServerSample } from "../probes/types.js";
import type { RunResult, SeriesPoint } from "../result/result-types.js";
import type { Participant, RunContext } from "./participant.js";
import { RunAlerts } from "./run-alerts.js";

/**
 * The alert rules, judged on every measured second with the server's newest sample, and their
 * notifiers. A participant rather than an event output: what fired and what was delivered is part
 * of the result, and a rule must see the second and the sample together.
 */
export class AlertsParticipant implements Participant {
  readonly name = "alerts";
  private alerts: RunAlerts | undefined;

  async beforeLoad(run: RunContext): Promise<void> {
    // Already validated with the config (src/run/resolve-config.ts); this builds the notifiers.
    this.alerts = RunAlerts.create(run.config, run.displayUrl, run.say);
    this.alerts.onAlert = (alert) => run.emit({ type: "alert", alert });
  }

  onInterval(point: SeriesPoint, server: ServerSample | undefined): void {
    this.alerts?.onInterval(point, server);
  }

  async contribute(result: RunResult): Promise<void> {
    if (this.alerts !== undefined) result.alerts = await this.alerts.finish();
  }
}

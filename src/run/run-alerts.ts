import { AckFile } from "../alerts/ack-file.js";
import { AlertFollowUp } from "../alerts/alert-follow-up.js";
import type { AlertsOutcome } from "../alerts/alerts-outcome.js";
import {
  AlertEvaluator,
  type AlertRule,
  defaultRules,
  NotificationDispatcher,
  parseAlertsSection,
} from "../alerts/index.js";
import type { AlertEvent } from "../alerts/rule-types.js";
import { ConfigError } from "../config/errors.js";
import type { RunConfig } from "../config/types.js";
import type { ServerSample } from "../probes/types.js";
import type { SeriesPoint } from "../result/result-types.js";
import { TOOL_VERSION } from "./version.js";

/** Longest the end of a run waits for notifications still being retried, ms. */
const FLUSH_TIMEOUT_MS = 15_000;

/**
 * The run's live alerts: the use case's default rules amended by the scenario's `alerts:` section,
 * evaluated on every interval of the measured phase against the client's figures and the latest
 * server sample; each firing/resolved event is printed and handed to the notifiers, which never
 * block or crash the run.
 */
export class RunAlerts {
  /** Called with each firing/resolved event (the run's event stream). */
  onAlert: ((event: AlertEvent) => void) | undefined;

  private ackProblemSaid = false;
  private constructor(
    private readonly evaluator: AlertEvaluator,
    private readonly dispatcher: NotificationDispatcher,
    private readonly rules: AlertRule[],
    private readonly say: (line: string) => void,
    private readonly followUp: AlertFollowUp,
    private readonly ackFile: AckFile | undefined,
  ) {}

  /** Validates the alerts section up front (ConfigError with every problem) so a bad file fails before any load. */
  static create(config: RunConfig, targetDisplayUrl: string, say: (line: string) => void): RunAlerts {
    const parsed = parseAlertsSection(config.alerts, { defaults: defaultRules(config.useCase) });
    if (!parsed.ok) throw new ConfigError(parsed.problems);
    const { rules, notifiers, repeatEveryMs, ackFile } = parsed.value;
    const dispatcher = new NotificationDispatcher(notifiers, {
      context: {
        scenario: config.scenario,
        env: config.env,
        target: targetDisplayUrl,
        toolVersion: TOOL_VERSION,
      },
      dryRun: config.alertsDryRun,
      log: say,
    });
    const followUp = new AlertFollowUp({
      repeatEveryMs,
      repeatEveryMsByRule: Object.fromEntries(
        rules.filter((r) => r.repeatEveryMs !== undefined).map((r) => [r.name, r.repeatEveryMs as number]),
      ),
      escalations: notifiers.flatMap((n, i) =>
        n.escalateAfterMs !== undefined ? [{ notifier: i, afterMs: n.escalateAfterMs }] : [],
      ),
    });
    const acks = ackFile !== undefined ? new AckFile(ackFile) : undefined;
    if (acks !== undefined)
      say(`alerts: acknowledge a firing rule with: cachestress alerts ack RULE --file ${ackFile}`);
    return new RunAlerts(new AlertEvaluator(rules), dispatcher, rules, say, followUp, acks);
  }

  /** One measured interval: evaluate every rule, print and notify what changed. */
  onInterval(point: SeriesPoint, server: ServerSample | undefined): void {
    const events = this.evaluator.evaluate({
      tS: point.tS,
      client: {
        opsPerSec: point.opsPerSec,
        p99Ms: point.p99Ms,
        errors: point.errors,
        timeouts: point.timeouts,
        ops: point.ops,
        pool: point.pool,
        openLoop: point.targetRate !== undefined,
      },
      server,
    });
    for (const event of events) this.onAlert?.(event);
    if (!this.followUp.active) {
      for (const event of events) {
        this.say(`ALERT ${event.message}`);
        this.dispatcher.notify(event);
      }
      return;
    }
    const acks = this.ackFile?.read() ?? [];
    const before = this.followUp.records.length;
    for (const delivery of this.followUp.step(events, point.tS, Date.now(), acks)) {
      const to = delivery.to === "primary" ? "" : ` → escalation notifier ${delivery.to.join(", ")}`;
      this.say(`ALERT ${delivery.event.message}${to}`);
      this.dispatcher.notify(delivery.event, delivery.to === "primary" ? undefined : delivery.to);
    }
    for (const record of this.followUp.records.slice(before))
      if (record.kind === "acknowledged")
        this.say(
          `ALERT ${record.rule} acknowledged${record.by !== undefined ? ` by ${record.by}` : ""}: no more reminders or escalations for this firing`,
        );
    if (this.ackFile?.problem !== undefined && !this.ackProblemSaid) {
      this.ackProblemSaid = true;
      this.say(`alerts: cannot read the ack file: ${this.ackFile.problem}`);
    }
  }

  async finish(): Promise<AlertsOutcome> {
    const deliveries = await this.dispatcher.flush(FLUSH_TIMEOUT_MS);
    return {
      rules: this.rules,
      events: [...this.evaluator.events],
      firingAtEnd: this.evaluator.firing(),
      deliveries,
      ...(this.followUp.records.length > 0 && { followUps: [...this.followUp.records] }),
    };
  }
}

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
import type { SeriesPoint } from "../reports/result-types.js";
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

  private constructor(
    private readonly evaluator: AlertEvaluator,
    private readonly dispatcher: NotificationDispatcher,
    private readonly rules: AlertRule[],
    private readonly say: (line: string) => void,
  ) {}

  /** Validates the alerts section up front (ConfigError with every problem) so a bad file fails before any load. */
  static create(config: RunConfig, targetDisplayUrl: string, say: (line: string) => void): RunAlerts {
    const parsed = parseAlertsSection(config.alerts, { defaults: defaultRules(config.useCase) });
    if (!parsed.ok) throw new ConfigError(parsed.problems);
    const { rules, notifiers } = parsed.value;
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
    return new RunAlerts(new AlertEvaluator(rules), dispatcher, rules, say);
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
      },
      server,
    });
    for (const event of events) {
      this.say(`ALERT ${event.message}`);
      this.onAlert?.(event);
      this.dispatcher.notify(event);
    }
  }

  async finish(): Promise<AlertsOutcome> {
    const deliveries = await this.dispatcher.flush(FLUSH_TIMEOUT_MS);
    return {
      rules: this.rules,
      events: [...this.evaluator.events],
      firingAtEnd: this.evaluator.firing(),
      deliveries,
    };
  }
}

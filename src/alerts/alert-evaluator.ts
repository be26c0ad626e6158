import { formatDurationMs } from "../config/duration.js";
import { alertMetricValue } from "./alert-metrics.js";
import {
  type AlertEvent,
  type AlertInput,
  type AlertRule,
  compareAlert,
  formatMetricValue,
} from "./rule-types.js";

/**
 * Evaluates alert rules once per interval, with the same semantics as Prometheus alerting rules so
 * that a rule behaves the same here and in the Prometheus rules the tool writes out:
 *
 * - inactive → pending on the first sample where the condition holds (the timer starts at its tS);
 * - pending → firing on the first sample where it still holds and `tS - since ≥ for`;
 *   with `for: 0` a rule fires on its first true sample;
 * - pending → inactive, silently, when it stops holding before `for` is reached (flapping);
 * - firing → resolved (then inactive) on the first sample where it no longer holds.
 *
 * A sample where the metric has no data changes nothing: a pending timer neither resets nor
 * promotes, and a firing rule stays firing. Pure apart from its own state: no clock, no I/O.
 */

type RuleState =
  | { phase: "inactive" }
  | { phase: "pending"; sinceS: number }
  | { phase: "firing"; sinceS: number; firedAtS: number };

export interface FiringAlert {
  rule: string;
  severity: AlertRule["severity"];
  /** When the rule started firing, s since the measured part started. */
  firedAtS: number;
}

export class AlertEvaluator {
  readonly rules: readonly AlertRule[];
  /** Every event so far, in order, for the run's result. */
  readonly events: AlertEvent[] = [];
  private readonly states: RuleState[];
  private lastServer: AlertInput["server"];

  constructor(rules: readonly AlertRule[]) {
    const names = new Set<string>();
    for (const rule of rules) {
      if (names.has(rule.name)) throw new Error(`alert rule "${rule.name}" is defined twice`);
      names.add(rule.name);
    }
    this.rules = rules;
    this.states = rules.map(() => ({ phase: "inactive" }));
  }

  /** Feeds one interval; returns the events it caused (also appended to `events`). */
  evaluate(input: AlertInput): AlertEvent[] {
    const emitted: AlertEvent[] = [];
    this.rules.forEach((rule, i) => {
      const value = alertMetricValue(rule.metric, input, this.lastServer);
      if (value === undefined || !Number.isFinite(value)) return;
      const event = this.step(i, rule, value, input.tS);
      if (event !== undefined) emitted.push(event);
    });
    // A missing server sample keeps the last one as the baseline, so a counter's increase across
    // the gap is still seen on the next sample instead of being lost.
    if (input.server !== undefined) this.lastServer = input.server;
    this.events.push(...emitted);
    return emitted;
  }

  /** Rules firing now; a run that ends with one still firing says so in its result. */
  firing(): FiringAlert[] {
    const out: FiringAlert[] = [];
    this.rules.forEach((rule, i) => {
      const state = this.states[i];
      if (state.phase === "firing")
        out.push({ rule: rule.name, severity: rule.severity, firedAtS: state.firedAtS });
    });
    return out;
  }

  private step(i: number, rule: AlertRule, value: number, tS: number): AlertEvent | undefined {
    const state = this.states[i];
    const holds = compareAlert(rule.op, value, rule.value);
    if (!holds) {
      this.states[i] = { phase: "inactive" };
      return state.phase === "firing" ? makeEvent("resolved", rule, value, tS) : undefined;
    }
    if (state.phase === "firing") return undefined;
    const sinceS = state.phase === "pending" ? state.sinceS : tS;
    // Compared in ms with a microsecond of slack so that 0.1-second steps add up to `for` exactly.
    if ((tS - sinceS) * 1000 + 0.001 >= rule.forMs) {
      this.states[i] = { phase: "firing", sinceS, firedAtS: tS };
      return makeEvent("firing", rule, value, tS);
    }
    this.states[i] = { phase: "pending", sinceS };
    return undefined;
  }
}

function makeEvent(type: AlertEvent["type"], rule: AlertRule, value: number, tS: number): AlertEvent {
  const shown = formatMetricValue(rule.metric, value);
  const limit = formatMetricValue(rule.metric, rule.value);
  const held = rule.forMs > 0 ? ` for ${formatDurationMs(rule.forMs)}` : "";
  const message =
    type === "firing"
      ? `${rule.name} firing: ${rule.metric} ${shown} ${rule.op} ${limit}${held}`
      : `${rule.name} resolved: ${rule.metric} ${shown} (alert when ${rule.op} ${limit})`;
  return {
    type,
    rule: rule.name,
    metric: rule.metric,
    op: rule.op,
    severity: rule.severity,
    tS,
    value,
    threshold: rule.value,
    message: rule.description && type === "firing" ? `${message} — ${rule.description}` : message,
  };
}

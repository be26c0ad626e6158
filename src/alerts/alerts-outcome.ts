import type { FiringAlert } from "./alert-evaluator.js";
import type { FollowUpRecord } from "./alert-follow-up.js";
import type { DeliveryRecord } from "./notification-dispatcher.js";
import type { AlertEvent, AlertRule } from "./rule-types.js";

/** What a run's result records of its live alerts. */
export interface AlertsOutcome {
  rules: AlertRule[];
  /** Firing and resolved events in order (tS: seconds since the measured part started). */
  events: AlertEvent[];
  /** Rules still firing when the run ended. */
  firingAtEnd: FiringAlert[];
  deliveries: DeliveryRecord[];
  /** Reminders, escalations and acknowledgements, in order (absent when there were none). */
  followUps?: FollowUpRecord[];
}

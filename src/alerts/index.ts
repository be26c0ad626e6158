/**
 * Live alerts: rules evaluated on every interval of a run, and notifications of their firing and
 * resolved events (docs/alerts.md). The run wires them as: parseAlertsSection → AlertEvaluator per
 * interval → NotificationDispatcher.notify per event → flush at the end.
 */

export { AlertEvaluator, type FiringAlert } from "./alert-evaluator.js";
export { alertMetricValue } from "./alert-metrics.js";
export type { ParseOutcome } from "./config-fields.js";
export { type AlertProfile, allDefaultRules, defaultRules } from "./default-rules.js";
export {
  type DeliveryRecord,
  type DispatcherOptions,
  NotificationDispatcher,
} from "./notification-dispatcher.js";
export {
  type NotificationContext,
  type Notifier,
  type NotifierKind,
  NotifyError,
  type RenderedNotification,
  redactWebhookUrl,
} from "./notifier.js";
export { EmailNotifier, type EmailNotifierOptions } from "./notifiers/email.js";
export { SlackNotifier } from "./notifiers/slack.js";
export { SnsNotifier, type SnsNotifierOptions } from "./notifiers/sns.js";
export { WebhookNotifier, type WebhookNotifierOptions } from "./notifiers/webhook.js";
export { type NotifyConfigOptions, parseNotifyConfig } from "./notify-config.js";
export { type AlertsConfig, type ParseAlertsOptions, parseAlertsSection, parseRules } from "./rule-parse.js";
export * from "./rule-types.js";

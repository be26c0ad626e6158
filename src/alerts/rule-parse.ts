import { parseDurationMs } from "../config/duration.js";
import {
  checkKeys,
  isPlainObject,
  nonEmptyString,
  oneOf,
  type ParseOutcome,
  Problems,
  parseRepeat,
} from "./config-fields.js";
import { allDefaultRules } from "./default-rules.js";
import type { Notifier } from "./notifier.js";
import { parseNotifyConfig } from "./notify-config.js";
import {
  ALERT_METRICS,
  ALERT_OPS,
  ALERT_SEVERITIES,
  type AlertMetric,
  type AlertRule,
  METRIC_INFO,
} from "./rule-types.js";

/**
 * The `alerts:` section of a scenario file (grammar in docs/alerts.md):
 *
 *   alerts:
 *     rules:
 *       - { name: memory_high, value: 80 }                    # amend a default rule by name
 *       - { name: hit_ratio_low, disabled: true }              # switch a default rule off
 *       - { name: slow_get, metric: p99_ms, op: ">", value: 50, for: 10s, severity: warning }
 *     notify:
 *       - { kind: slack, urlEnv: SLACK_WEBHOOK_URL }
 *
 * Every problem is collected and returned at once, each with its path (`alerts.rules[1].for`).
 */

const RULE_FIELDS = [
  "name",
  "metric",
  "op",
  "value",
  "for",
  "severity",
  "description",
  "disabled",
  "repeatEvery",
];
const SECTION_FIELDS = ["rules", "notify", "repeatEvery", "ackFile"];
const RULE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
/** A day: longer than any run, so a larger `for` can only be a unit mistake (`30000` meant as ms). */
const MAX_FOR_MS = 86_400_000;

export interface AlertsConfig {
  /** The rules to evaluate: the defaults, amended, switched off or added to by the file. */
  rules: AlertRule[];
  notifiers: Notifier[];
  /** Remind of a firing rule every so often, ms (Alertmanager's repeat_interval); per rule too. */
  repeatEveryMs?: number;
  /** Where acknowledgements are read from while the run is live (docs/alerts.md). */
  ackFile?: string;
}

export interface ParseAlertsOptions {
  /** The default rules of the run's profile (`defaultRules(profile)`). */
  defaults: readonly AlertRule[];
  /** Where secrets named by `urlEnv`/`userEnv`/`passwordEnv` are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** The scenario file, named in every problem. */
  source?: string;
  /** Field path of the section, `alerts` unless the caller nests it elsewhere. */
  path?: string;
}

/** The whole section; an absent section means the defaults and no notifier. */
export function parseAlertsSection(
  section: unknown,
  options: ParseAlertsOptions,
): ParseOutcome<AlertsConfig> {
  const path = options.path ?? "alerts";
  const problems = new Problems(options.source);
  let rules = options.defaults.map((r) => ({ ...r }));
  let notifiers: Notifier[] = [];
  let repeatEveryMs: number | undefined;
  let ackFile: string | undefined;
  if (section !== undefined && section !== null) {
    if (!isPlainObject(section)) {
      problems.add(path, section, "a section with `rules:` and/or `notify:`");
    } else {
      checkKeys(section, SECTION_FIELDS, path, problems);
      rules = parseRules(section.rules, options.defaults, `${path}.rules`, problems);
      const notify = parseNotifyConfig(section.notify, { env: options.env, path: `${path}.notify` });
      if (notify.ok) notifiers = notify.value;
      else for (const p of notify.problems) problems.add(p.field, p.value, p.allowed);
      if (section.repeatEvery !== undefined)
        repeatEveryMs = parseRepeat(section.repeatEvery, `${path}.repeatEvery`, problems);
      if (section.ackFile !== undefined) {
        if (typeof section.ackFile === "string" && section.ackFile.trim() !== "") ackFile = section.ackFile;
        else problems.add(`${path}.ackFile`, section.ackFile, "a file path, e.g. alerts.ack");
      }
      if (
        ackFile !== undefined &&
        repeatEveryMs === undefined &&
        !notifiers.some((n) => n.escalateAfterMs !== undefined) &&
        !rules.some((r) => r.repeatEveryMs !== undefined)
      )
        problems.add(
          `${path}.ackFile`,
          ackFile,
          "an ack file together with repeatEvery or an escalateAfter notifier: an acknowledgement silences reminders and escalations, and there are none",
        );
    }
  }
  return problems.list.length > 0
    ? { ok: false, problems: problems.list }
    : { ok: true, value: { rules, notifiers, repeatEveryMs, ackFile } };
}

/**
 * The effective rule list. A rule named like a default rule (of any profile) takes every field it
 * leaves out from that default; a new rule must give metric, op and value.
 */
export function parseRules(
  raw: unknown,
  defaults: readonly AlertRule[],
  path: string,
  problems: Problems,
): AlertRule[] {
  const rules = defaults.map((r) => ({ ...r }));
  if (raw === undefined || raw === null) return rules;
  if (!Array.isArray(raw)) {
    problems.add(path, raw, 'a list of rules, e.g. [{ name: slow, metric: p99_ms, op: ">", value: 50 }]');
    return rules;
  }
  const catalog = allDefaultRules();
  const seen = new Set<string>();
  raw.forEach((item, i) => {
    const at = `${path}[${i}]`;
    if (!isPlainObject(item)) {
      problems.add(at, item, "a rule: name, metric, op, value, and optionally for, severity, description");
      return;
    }
    checkKeys(item, RULE_FIELDS, at, problems);
    const name = parseName(item.name, `${at}.name`, seen, problems);
    if (name === undefined) return;
    const base = catalog.find((r) => r.name === name);
    if (item.disabled !== undefined) {
      if (typeof item.disabled !== "boolean") problems.add(`${at}.disabled`, item.disabled, "true or false");
      else if (item.disabled) {
        if (base === undefined) {
          const names = catalog.map((r) => r.name).join(", ");
          problems.add(`${at}.name`, name, `the name of a default rule to switch off: ${names}`);
        }
        const index = rules.findIndex((r) => r.name === name);
        if (index >= 0) rules.splice(index, 1);
        return;
      }
    }
    const rule = parseRule(item, at, name, base, problems);
    if (rule === undefined) return;
    const index = rules.findIndex((r) => r.name === name);
    if (index >= 0) rules[index] = rule;
    else rules.push(rule);
  });
  return rules;
}

function parseName(value: unknown, field: string, seen: Set<string>, problems: Problems): string | undefined {
  if (typeof value !== "string" || !RULE_NAME.test(value)) {
    problems.add(field, value, "a name of letters, digits, _ . - starting with a letter, e.g. memory_high");
    return undefined;
  }
  if (seen.has(value)) {
    problems.add(field, value, "each rule name once");
    return undefined;
  }
  seen.add(value);
  return value;
}

function parseRule(
  item: Record<string, unknown>,
  at: string,
  name: string,
  base: AlertRule | undefined,
  problems: Problems,
): AlertRule | undefined {
  const before = problems.list.length;
  const required = (key: string): boolean => {
    if (item[key] !== undefined || base !== undefined) return true;
    problems.add(`${at}.${key}`, undefined, `required for a new rule (${ruleFieldHelp(key)})`);
    return false;
  };
  const metric =
    required("metric") && item.metric !== undefined
      ? oneOf(item.metric, ALERT_METRICS, `${at}.metric`, problems)
      : base?.metric;
  const op =
    required("op") && item.op !== undefined ? oneOf(item.op, ALERT_OPS, `${at}.op`, problems) : base?.op;
  let value = base?.value;
  if (required("value") && item.value !== undefined)
    value = parseLimit(item.value, metric, `${at}.value`, problems);
  else if (item.value === undefined && metric !== undefined && value !== undefined)
    value = checkLimit(value, metric, `${at}.metric`, metric, problems);
  const forMs = item.for === undefined ? (base?.forMs ?? 0) : parseFor(item.for, `${at}.for`, problems);
  const repeatEveryMs =
    item.repeatEvery === undefined ? undefined : parseRepeat(item.repeatEvery, `${at}.repeatEvery`, problems);
  const severity =
    item.severity === undefined
      ? (base?.severity ?? "warning")
      : oneOf(item.severity, ALERT_SEVERITIES, `${at}.severity`, problems);
  let description = base?.description;
  if (item.description !== undefined)
    description = nonEmptyString(item.description, `${at}.description`, problems, "a line of text");
  // An amended default keeps its description only while it still measures the same thing.
  if (
    item.description === undefined &&
    base !== undefined &&
    (metric !== base.metric || value !== base.value || op !== base.op)
  )
    description = undefined;
  if (problems.list.length > before) return undefined;
  const rule: AlertRule = {
    name,
    metric: metric!,
    op: op!,
    value: value!,
    forMs: forMs!,
    severity: severity!,
  };
  if (description !== undefined) rule.description = description;
  if (repeatEveryMs !== undefined) rule.repeatEveryMs = repeatEveryMs;
  return rule;
}

function parseLimit(
  raw: unknown,
  metric: AlertMetric | undefined,
  field: string,
  problems: Problems,
): number | undefined {
  if (typeof raw !== "number" || !Number.isFinite(raw)) {
    problems.add(field, raw, "a number in the metric's unit, e.g. 70 for 70 %, 500 for 500 ms");
    return undefined;
  }
  return metric === undefined ? raw : checkLimit(raw, metric, field, raw, problems);
}

/** Every metric is non-negative; shares of a whole cannot pass 100, so such a rule could never fire. */
function checkLimit(
  value: number,
  metric: AlertMetric,
  field: string,
  shown: unknown,
  problems: Problems,
): number | undefined {
  const info = METRIC_INFO[metric];
  if (value < 0 || (info.boundedPercent && value > 100)) {
    const range = info.boundedPercent ? "from 0 to 100" : "0 or more";
    problems.add(field, shown, `a limit ${range} for ${metric} (${info.meaning}); the limit is ${value}`);
    return undefined;
  }
  return value;
}

function parseFor(raw: unknown, field: string, problems: Problems): number | undefined {
  const ms =
    typeof raw === "number"
      ? Number.isFinite(raw) && raw >= 0
        ? raw * 1000
        : undefined
      : typeof raw === "string"
        ? parseDurationMs(raw)
        : undefined;
  if (ms === undefined || ms > MAX_FOR_MS) {
    problems.add(field, raw, "a duration up to 24h, e.g. 0s, 30s, 2m (a bare number is seconds)");
    return undefined;
  }
  return ms;
}

function ruleFieldHelp(key: string): string {
  if (key === "metric") return `one of ${ALERT_METRICS.join(", ")}`;
  if (key === "op") return `one of ${ALERT_OPS.join(" ")}`;
  return "a number in the metric's unit";
}

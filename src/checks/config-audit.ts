import { didYouMean } from "../config/errors.js";
import {
  AUDIT_RULES,
  type AuditContext,
  type AuditProfile,
  type AuditRule,
  type HostKernelSettings,
  type Severity,
} from "./audit-rules.js";
import { displayValue, sameSettingValue } from "./audit-values.js";

/**
 * The config audit itself: what was read from a server in, findings and a verdict out. Pure, so
 * every rule and every way a managed service hides its settings can be tested as a table.
 */

export interface AuditInput {
  /** CONFIG GET * as setting → value; partial or empty when the target blocks or filters CONFIG. */
  config: Record<string, string>;
  /** INFO fields (`maxmemory`, `maxmemory_policy`, `aof_enabled`, `connected_clients`...). */
  info: Record<string, string>;
  /** The default user is on and needs no password (ACL GETUSER default); undefined when unknown. */
  aclDefaultNopass?: boolean;
  /** net.core.somaxconn of the server's host, only known when the server runs on this host. */
  somaxconn?: number;
  /** vm.overcommit_memory and transparent huge pages of the server's host, only when it runs on this host. */
  hostKernel?: HostKernelSettings;
  /** Commands the target refused: `CONFIG GET`, `ACL GETUSER`, `INFO`. */
  unavailable: string[];
  /** The error each of those commands answered with, for the report. */
  unavailableReasons?: Record<string, string>;
  /** The host the audit connected to; decides loopback-or-not when `bind` cannot be read. */
  targetHost?: string;
}

export interface Expectation {
  setting: string;
  value: string;
}

export interface AuditFinding {
  setting: string;
  /** As the server reported it; undefined when it could not be read. Passwords are shown as `***`. */
  value: string | undefined;
  /** Where the value came from: CONFIG GET, or an INFO field when CONFIG is blocked. */
  source?: "config" | "info" | "acl" | "host";
  recommended: string;
  severity: Severity;
  /** True when the value meets the recommendation; false when it does not or could not be read. */
  ok: boolean;
  why: string;
}

export interface ExpectationResult {
  setting: string;
  expected: string;
  actual: string | undefined;
  ok: boolean;
  /** Why `actual` is missing, when it is. */
  note?: string;
}

export interface AuditReport {
  profile: AuditProfile;
  /** The audited server, its URL with secrets redacted; set by the CLI. */
  target?: string;
  serverVersion?: string;
  findings: AuditFinding[];
  expectations: ExpectationResult[];
  /** One sentence per thing that could not be checked and why. */
  couldNotRead: string[];
  /** No high-severity finding and every expectation holds. */
  ok: boolean;
}

interface ReadValue {
  value: string | undefined;
  source?: AuditFinding["source"];
}

const CONFIG_GET = "CONFIG GET";
const ACL_GETUSER = "ACL GETUSER";

export function auditConfig(
  input: AuditInput,
  profile: AuditProfile,
  expectations: readonly Expectation[] = [],
): AuditReport {
  const read = (setting: string): ReadValue => readSetting(input, setting);
  const ctx: AuditContext = {
    profile,
    get: (setting) => read(setting).value,
    info: input.info,
    aclDefaultNopass: input.aclDefaultNopass,
    somaxconn: input.somaxconn,
    hostKernel: input.hostKernel,
    targetHost: input.targetHost,
  };
  const findings = AUDIT_RULES.map((rule) =>
    judge(rule, ctx, rule.read ? ruleRead(rule, ctx) : read(rule.setting)),
  );
  const expectationResults = expectations.map((e) => checkExpectation(e, input, ctx));
  const version = input.info.redis_version ?? input.info.valkey_version;
  return {
    profile,
    ...(version !== undefined ? { serverVersion: version } : {}),
    findings,
    expectations: expectationResults,
    couldNotRead: couldNotRead(input, findings),
    ok: findings.every((f) => f.ok || f.severity !== "high") && expectationResults.every((e) => e.ok),
  };
}

/** CONFIG GET first; a blocked CONFIG falls back to the INFO field that carries the same value. */
function readSetting(input: AuditInput, setting: string): ReadValue {
  const fromConfig = input.config[setting];
  if (fromConfig !== undefined) return { value: fromConfig, source: "config" };
  const fallback = AUDIT_RULES.find((r) => r.setting === setting)?.infoFallback;
  const fromInfo = fallback && input.info[fallback.field];
  if (fallback === undefined || fromInfo === undefined) return { value: undefined };
  return { value: fallback.toConfig ? fallback.toConfig(fromInfo) : fromInfo, source: "info" };
}

function ruleRead(rule: AuditRule, ctx: AuditContext): ReadValue {
  const value = rule.read!(ctx);
  return value === undefined ? { value } : { value, source: rule.readSource ?? "acl" };
}

function judge(rule: AuditRule, ctx: AuditContext, read: ReadValue): AuditFinding {
  const base = { setting: rule.setting, recommended: rule.recommended[ctx.profile] };
  if (read.value === undefined) {
    return {
      ...base,
      value: undefined,
      severity: "info",
      ok: false,
      why: `unreadable on this target; ${rule.why}`,
    };
  }
  const outcome = rule.check(read.value, ctx);
  const shown = displayValue(rule.setting, read.value);
  const where = read.source !== undefined ? { source: read.source } : {};
  if (outcome.ok)
    return { ...base, value: shown, ...where, severity: "info", ok: true, why: outcome.why ?? rule.why };
  return { ...base, value: shown, ...where, severity: outcome.severity, ok: false, why: outcome.why };
}

function checkExpectation(expectation: Expectation, input: AuditInput, ctx: AuditContext): ExpectationResult {
  const setting = expectation.setting.toLowerCase();
  const rule = AUDIT_RULES.find((r) => r.setting === setting);
  const actual = rule?.read ? rule.read(ctx) : readSetting(input, setting).value;
  const expected = displayValue(setting, expectation.value) ?? expectation.value;
  if (actual === undefined) {
    return { setting, expected, actual: undefined, ok: false, note: missingNote(setting, input) };
  }
  return {
    setting,
    expected,
    actual: displayValue(setting, actual),
    ok: sameSettingValue(expectation.value, actual),
  };
}

function missingNote(setting: string, input: AuditInput): string {
  if (setting === "default-user") return `${ACL_GETUSER} is not available on this target`;
  if (input.unavailable.includes(CONFIG_GET)) return `${CONFIG_GET} is not available on this target`;
  const guess = didYouMean(setting, Object.keys(input.config));
  if (Object.keys(input.config).length === 0) return `${CONFIG_GET} returned nothing`;
  return `this server has no setting named ${setting}${guess ? ` (did you mean ${guess}?)` : ""}`;
}

function couldNotRead(input: AuditInput, findings: readonly AuditFinding[]): string[] {
  const lines: string[] = [];
  const reason = (command: string) => {
    const why = input.unavailableReasons?.[command];
    return why !== undefined ? ` (${why})` : "";
  };
  const missing = findings.filter((f) => f.value === undefined).map((f) => f.setting);
  const hostRows = new Set(AUDIT_RULES.filter((r) => r.readSource === "host").map((r) => r.setting));
  const configMissing = missing.filter((s) => s !== "default-user" && !hostRows.has(s));
  const hostMissing = missing.filter((s) => hostRows.has(s));
  const fromInfo = findings.filter((f) => f.source === "info").map((f) => f.setting);
  if (input.unavailable.includes(CONFIG_GET)) {
    const alsoInfo = fromInfo.length > 0 ? `; ${fromInfo.join(", ")} were read from INFO instead` : "";
    lines.push(
      `${CONFIG_GET} is not available on this target${reason(CONFIG_GET)}; managed services such as ElastiCache block it and ` +
        `others rename it: ${configMissing.join(", ")} could not be checked${alsoInfo}`,
    );
  } else if (configMissing.length > 0) {
    lines.push(`${CONFIG_GET} did not report ${configMissing.join(", ")}, so they could not be checked`);
  }
  if (input.aclDefaultNopass === undefined) {
    const why = input.unavailable.includes(ACL_GETUSER)
      ? ` is not available on this target${reason(ACL_GETUSER)}`
      : " was not read";
    lines.push(
      `${ACL_GETUSER} default${why}: whether the default user needs a password could not be checked`,
    );
  }
  if (input.unavailable.includes("INFO")) {
    lines.push(
      `INFO is not available on this target${reason("INFO")}: clients in use and the host's memory could not be checked`,
    );
  }
  if (hostMissing.length > 0) {
    lines.push(
      `${hostMissing.join(", ")} could not be read (the server is not on this host): check them on the server's host`,
    );
  }
  if (input.somaxconn === undefined && input.config["tcp-backlog"] !== undefined) {
    lines.push(
      "net.core.somaxconn could not be read (the server is not on this host): tcp-backlog was not compared with it",
    );
  }
  return lines;
}

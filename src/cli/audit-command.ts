import { parseArgs } from "node:util";
import { AUDIT_PROFILES, type AuditProfile } from "../checks/audit-rules.js";
import { parseMemoryBytes } from "../checks/audit-values.js";
import { type AuditReport, auditConfig, type Expectation } from "../checks/config-audit.js";
import { readAuditInput } from "../checks/read-audit-input.js";
import { renderAuditTable } from "../checks/render-audit.js";
import { ConfigError, type ConfigProblem, didYouMean, formatProblem } from "../config/errors.js";
import { allowedFor as ruleAllowed, rules, urlRule, type ValueRule } from "../config/field-rules.js";
import { asFlagProblems, readTlsFiles, securityProblems } from "../config/target-security.js";
import type { TargetSecurity } from "../config/types.js";
import { AdminClient } from "../core/admin-client.js";
import { type ManagedRedis, startManagedRedis } from "../core/managed-redis.js";
import { redactText, redactUrl } from "../core/redact.js";
import { prepareTarget, TLS_INSECURE_WARNING } from "../run/secure-target.js";
import { describeFailure, EXIT, exitCodeFor } from "./exit-codes.js";
import { unknownFlagProblem } from "./unknown-flag.js";

/**
 * `cachestress audit [--url URL] [--profile cache|buffer|session] [--expect setting=value]... [--json]`:
 * reads a server's configuration, judges it for a use case, and exits 0 (pass), 1 (a high-severity
 * finding or a failed expectation), 2 (bad flags) or 3 (the server could not be reached).
 */

export interface AuditOptions extends Omit<TargetSecurity, "authTokenRefreshMs"> {
  /** Without a URL a throwaway local redis-server is started, audited and stopped, like `run`. */
  url?: string;
  profile: AuditProfile;
  expectations: Expectation[];
}

interface AuditFlags extends AuditOptions {
  json: boolean;
  debug: boolean;
  help: boolean;
}

export const AUDIT_HELP = `Usage: cachestress audit [--url URL] [--profile cache|buffer|session] [--expect setting=value]... [--json]

Reads CONFIG GET *, INFO and ACL GETUSER default and judges each setting for how the cache is used.
The password comes from the URL or REDIS_PASSWORD, an ACL user from the URL or REDIS_USERNAME.

  --url URL              server to audit, redis:// or rediss:// (default: a throwaway local redis-server)
  --profile KIND         cache|buffer|session (default: cache)
  --expect SETTING=VALUE a value the server must have, repeatable: maxmemory=2gb, maxmemory-policy=allkeys-lru
  --tls-ca FILE          rediss://: PEM CA certificate(s) to verify the server with (default: the system CAs)
  --tls-cert FILE        rediss://: PEM client certificate for mutual TLS (with --tls-key)
  --tls-key FILE         rediss://: PEM private key of --tls-cert
  --tls-servername NAME  rediss://: host name for SNI and the certificate check (default: the URL's host)
  --tls-insecure         rediss://: do not verify the server's certificate (prints a warning)
  --auth-token-command CMD  shell command printing a token used as password (user from the URL or REDIS_USERNAME)
  --json                 print the audit as JSON on stdout (the table still goes to stderr)
  --debug                show stack traces
  --help, -h             show this help

Exit codes: 0 pass, 1 a high-severity finding or a failed --expect, 2 bad flags, 3 target unreachable.`;

const OPTIONS = {
  url: { type: "string" },
  profile: { type: "string" },
  expect: { type: "string" },
  "tls-ca": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "tls-servername": { type: "string" },
  "tls-insecure": { type: "boolean" },
  "auth-token-command": { type: "string" },
  json: { type: "boolean" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;
const FLAG_NAMES = Object.keys(OPTIONS).map((name) => `--${name}`);
const EXPECT_ALLOWED = "SETTING=VALUE, e.g. maxmemory=2gb or maxmemory-policy=allkeys-lru";

/** Every problem in the audit flags at once, in the same words as `run`'s flag problems. */
export function parseAuditArgs(argv: string[]): { flags: AuditFlags; problems: ConfigProblem[] } {
  const flags: AuditFlags = { profile: "cache", expectations: [], json: false, debug: false, help: false };
  const problems: ConfigProblem[] = [];
  let rest = argv;
  // `--url --json` would take "--json" as the URL: report the missing value, then parse again from it.
  for (;;) {
    const { tokens } = parseArgs({
      args: rest,
      options: OPTIONS,
      strict: false,
      allowPositionals: true,
      tokens: true,
    });
    let restartAt = -1;
    for (const token of tokens) {
      if (restartAt >= 0) break;
      if (token.kind === "positional") {
        problems.push({
          field: "audit",
          value: token.value,
          allowed: "flags only (the server goes in --url)",
        });
      }
      if (token.kind !== "option") continue;
      const field = `--${token.name}`;
      const spec = (OPTIONS as Record<string, { type: string }>)[token.name];
      if (spec === undefined) {
        problems.push(unknownFlagProblem(token.rawName, FLAG_NAMES, "audit"));
        continue;
      }
      if (spec.type === "boolean") {
        if (token.value !== undefined)
          problems.push({ field, value: token.value, allowed: "no value: it is an on/off flag" });
        else if (token.name === "tls-insecure") flags.tlsInsecure = true;
        else flags[token.name as "json" | "debug" | "help"] = true;
        continue;
      }
      const value = token.value;
      if (value === undefined || (!token.inlineValue && value.startsWith("--"))) {
        problems.push({ field, value: undefined, allowed: allowedFor(token.name) });
        if (value !== undefined) restartAt = token.index + 1;
        continue;
      }
      const problem = applyValue(flags, token.name, value);
      if (problem !== undefined) problems.push({ field, value: problem.shown, allowed: problem.allowed });
    }
    if (restartAt < 0) break;
    rest = rest.slice(restartAt);
  }
  problems.push(...asFlagProblems(securityProblems(flags, flags.url)));
  return { flags, problems };
}

/** The flags shared with `run`, judged by the same rules, into the same fields. */
const SECURITY_VALUE_FLAGS: Record<string, { rule: ValueRule<string>; key: keyof AuditOptions }> = {
  "tls-ca": { rule: rules.tlsFile, key: "tlsCaFile" },
  "tls-cert": { rule: rules.tlsFile, key: "tlsCertFile" },
  "tls-key": { rule: rules.tlsFile, key: "tlsKeyFile" },
  "tls-servername": { rule: rules.tlsServername, key: "tlsServername" },
  "auth-token-command": { rule: rules.authTokenCommand, key: "authTokenCommand" },
};

function allowedFor(name: string): string {
  if (name === "url") return urlRule.allowed;
  const shared = SECURITY_VALUE_FLAGS[name];
  if (shared !== undefined) return shared.rule.allowed;
  if (name === "profile") return `one of ${AUDIT_PROFILES.join(", ")}`;
  return EXPECT_ALLOWED;
}

function applyValue(
  flags: AuditFlags,
  name: string,
  value: string,
): { shown: string; allowed: string } | undefined {
  if (name === "url") {
    if (urlRule.parse(value) === undefined) return { shown: redactUrl(value), allowed: urlRule.allowed };
    flags.url = value;
    return undefined;
  }
  const shared = SECURITY_VALUE_FLAGS[name];
  if (shared !== undefined) {
    const parsed = shared.rule.parse(value);
    if (parsed === undefined) return { shown: value, allowed: ruleAllowed(shared.rule, value) };
    (flags as unknown as Record<string, unknown>)[shared.key] = parsed;
    return undefined;
  }
  if (name === "profile") {
    if ((AUDIT_PROFILES as readonly string[]).includes(value)) {
      flags.profile = value as AuditProfile;
      return undefined;
    }
    const guess = didYouMean(value, AUDIT_PROFILES);
    return {
      shown: value,
      allowed: `one of ${AUDIT_PROFILES.join(", ")}${guess ? ` (did you mean ${guess}?)` : ""}`,
    };
  }
  // --expect: the setting name is checked against the server later, which knows its own settings.
  const match = /^([A-Za-z][A-Za-z0-9-]*)=(.*)$/s.exec(value);
  if (match === null) return { shown: value, allowed: EXPECT_ALLOWED };
  const setting = match[1].toLowerCase();
  if (setting === "maxmemory" && parseMemoryBytes(match[2]) === undefined) {
    return { shown: value, allowed: "maxmemory=SIZE, e.g. maxmemory=2gb, 512mb or 2147483648" };
  }
  flags.expectations.push({ setting, value: match[2] });
  return undefined;
}

/** The library form of the command: audits one server and returns the report. */
export async function auditServer(
  options: AuditOptions,
  onNotice: (message: string) => void = () => {},
): Promise<AuditReport> {
  let managed: ManagedRedis | undefined;
  try {
    let url = options.url;
    if (url === undefined) {
      managed = await startManagedRedis();
      url = managed.url;
      onNotice(
        `no --url given: started a throwaway redis-server on ${managed.host}:${managed.port} (pid ${managed.pid})`,
      );
    }
    const target = await prepareTarget(url, options);
    if (options.tlsInsecure === true) onNotice(TLS_INSECURE_WARNING);
    const { connection } = target;
    const client = await AdminClient.connect(connection, `${connection.host}:${connection.port}`);
    try {
      const input = await readAuditInput(client, {
        host: connection.host,
        authenticated: connection.password !== undefined,
      });
      return { target: target.displayUrl, ...auditConfig(input, options.profile, options.expectations) };
    } finally {
      await client.close();
    }
  } finally {
    await managed?.stop();
  }
}

export async function auditCommand(argv: string[]): Promise<number> {
  const debug = argv.includes("--debug");
  try {
    const { flags, problems } = parseAuditArgs(argv);
    if (flags.help) {
      process.stdout.write(`${AUDIT_HELP}\n`);
      return EXIT.pass;
    }
    // The TLS files are read and checked with the flags, so a missing one is a usage error too.
    problems.push(...asFlagProblems((await readTlsFiles(flags)).problems));
    if (problems.length > 0) throw new ConfigError(problems);
    const report = await auditServer(flags, (message) => process.stderr.write(`cachestress: ${message}\n`));
    process.stderr.write(`${renderAuditTable(report)}\n`);
    if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    return report.ok ? EXIT.pass : EXIT.thresholdsFailed;
  } catch (error) {
    if (error instanceof ConfigError) {
      // ConfigError's own heading speaks of "the run configuration"; these are the audit's flags.
      const n = error.problems.length;
      const heading = `cachestress audit: ${n === 1 ? "1 problem" : `${n} problems`} with the flags:`;
      process.stderr.write(`${[heading, ...error.problems.map(formatProblem)].join("\n")}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`cachestress audit: ${redactText(describeFailure(error))}\n`);
    if (debug && error instanceof Error) process.stderr.write(`${redactText(error.stack ?? "")}\n`);
    return exitCodeFor(error);
  }
}

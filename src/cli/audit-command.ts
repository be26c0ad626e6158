import { AUDIT_PROFILES, type AuditProfile } from "../checks/audit-rules.js";
import { parseMemoryBytes } from "../checks/audit-values.js";
import { type AuditReport, auditConfig, type Expectation } from "../checks/config-audit.js";
import { readAuditInput } from "../checks/read-audit-input.js";
import { renderAuditTable } from "../checks/render-audit.js";
import { ConfigError, type ConfigProblem, formatProblem } from "../config/errors.js";
import { oneOf, type ValueRule } from "../config/field-rules.js";
import { type FlagRow, flagHelpLines, parseFlags } from "../config/flag-parser.js";
import { flagRows } from "../config/settings.js";
import { asFlagProblems, readTlsFiles, securityProblems } from "../config/target-security.js";
import type { TargetSecurity } from "../config/types.js";
import { AdminClient } from "../core/admin-client.js";
import { type ManagedRedis, startManagedRedis } from "../core/managed-redis.js";
import { redactText } from "../core/redact.js";
import { prepareTarget, TLS_INSECURE_WARNING } from "../run/secure-target.js";
import { describeFailure, EXIT, exitCodeFor } from "./exit-codes.js";

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

const EXPECT_ALLOWED = "SETTING=VALUE, e.g. maxmemory=2gb or maxmemory-policy=allkeys-lru";

/** --expect: the setting name is checked against the server later, which knows its own settings. */
const expectRule: ValueRule<Expectation> = {
  allowed: EXPECT_ALLOWED,
  parse(raw) {
    const match = typeof raw === "string" ? /^([A-Za-z][A-Za-z0-9-]*)=(.*)$/s.exec(raw) : null;
    if (match === null) return undefined;
    const setting = match[1].toLowerCase();
    if (setting === "maxmemory" && parseMemoryBytes(match[2]) === undefined) return undefined;
    return { setting, value: match[2] };
  },
  explain(raw) {
    const match = typeof raw === "string" ? /^maxmemory=(.*)$/is.exec(raw) : null;
    return match !== null ? "maxmemory=SIZE, e.g. maxmemory=2gb, 512mb or 2147483648" : undefined;
  },
};

type AuditRow = FlagRow & { key?: string };

/** The target flags are `run`'s rows (src/config/settings.ts); the rest are the audit's own. */
const ROWS: readonly AuditRow[] = [
  {
    ...flagRows("url")[0],
    help: "server to audit, redis:// or rediss://",
    defaultText: "a throwaway local redis-server",
  },
  {
    flag: "profile",
    value: "KIND",
    rule: oneOf(AUDIT_PROFILES),
    key: "profile",
    help: "cache|buffer|session",
    default: "cache",
  },
  {
    flag: "expect",
    value: "SETTING=VALUE",
    rule: expectRule,
    help: "a value the server must have, repeatable: maxmemory=2gb, maxmemory-policy=allkeys-lru",
  },
  ...flagRows("tls-ca", "tls-cert", "tls-key", "tls-servername", "tls-insecure", "auth-token-command"),
  { flag: "json", key: "json", help: "print the audit as JSON on stdout (the table still goes to stderr)" },
  { flag: "debug", key: "debug", help: "show stack traces" },
  { flag: "help", short: "h", key: "help", help: "show this help" },
];

export const AUDIT_HELP = `Usage: cachestress audit [--url URL] [--profile cache|buffer|session] [--expect setting=value]... [--json]

Reads CONFIG GET *, INFO and ACL GETUSER default and judges each setting for how the cache is used.
The password comes from the URL or REDIS_PASSWORD, an ACL user from the URL or REDIS_USERNAME.

${flagHelpLines(ROWS).join("\n")}

Exit codes: 0 pass, 1 a high-severity finding or a failed --expect, 2 bad flags, 3 target unreachable.`;

/** Every problem in the audit flags at once, in the same words as `run`'s flag problems. */
export function parseAuditArgs(argv: string[]): { flags: AuditFlags; problems: ConfigProblem[] } {
  const flags: AuditFlags = { profile: "cache", expectations: [], json: false, debug: false, help: false };
  const { values, positionals, problems } = parseFlags(argv, ROWS, "audit");
  for (const { value } of positionals)
    problems.push({ field: "audit", value, allowed: "flags only (the server goes in --url)" });
  for (const [row, value] of values) {
    if (row.flag === "expect") flags.expectations.push(value as Expectation);
    else if (row.key !== undefined) (flags as unknown as Record<string, unknown>)[row.key] = value;
  }
  problems.push(...asFlagProblems(securityProblems(flags, flags.url)));
  return { flags, problems };
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

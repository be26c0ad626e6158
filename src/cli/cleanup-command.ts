import { parseArgs } from "node:util";
import { ConfigError, type ConfigProblem, formatProblem } from "../config/errors.js";
import { allowedFor as ruleAllowed, rules, urlRule } from "../config/field-rules.js";
import { asFlagProblems, securityProblems } from "../config/target-security.js";
import type { TargetSecurity } from "../config/types.js";
import { redactText, redactUrl } from "../core/redact.js";
import { CLEANUP_PREFIX_ALLOWED, PrimaryAdmins, prefixTooBroad } from "../run/leftover-keys.js";
import { prepareTarget, TLS_INSECURE_WARNING } from "../run/secure-target.js";
import { describeFailure, EXIT, exitCodeFor } from "./exit-codes.js";
import { unknownFlagProblem } from "./unknown-flag.js";

/**
 * `cachestress cleanup --url URL --prefix PREFIX [--dry-run]`: deletes what a run left under its
 * prefix (a double Ctrl-C, a SIGKILL, --keep-keys), on every primary of the target. It says what
 * it will do before doing it, refuses a prefix broad enough to take other people's keys, and
 * counts again afterwards.
 */

export const CLEANUP_HELP = `Usage: cachestress cleanup --url URL --prefix PREFIX [--dry-run] [--json]

Deletes every key that starts with PREFIX (SCAN + UNLINK in batches of 1000, on every primary of
a cluster), then counts again. A run that quit before its own cleanup prints this command with
its prefix. The password comes from the URL or REDIS_PASSWORD, an ACL user from the URL or
REDIS_USERNAME; neither is printed.

  --url URL              the server the run loaded, redis:// or rediss:// (required)
  --prefix PREFIX        the run's key prefix (required): ${CLEANUP_PREFIX_ALLOWED}
  --dry-run              count the keys and show a few of them; delete nothing
  --tls-ca FILE          rediss://: PEM CA certificate(s) to verify the server with (default: the system CAs)
  --tls-cert FILE        rediss://: PEM client certificate for mutual TLS (with --tls-key)
  --tls-key FILE         rediss://: PEM private key of --tls-cert
  --tls-servername NAME  rediss://: host name for SNI and the certificate check (default: the URL's host)
  --tls-insecure         rediss://: do not verify the server's certificate (prints a warning)
  --json                 print {prefix, target, found, deleted, remaining, samples} on stdout
  --debug                show stack traces
  --help, -h             show this help

Exit codes: 0 done (or --dry-run counted), 1 keys were still under the prefix after the deletion
(something is still writing them), 2 bad flags or a prefix that is refused, 3 the server could not
be reached or refused a command.`;

const OPTIONS = {
  url: { type: "string" },
  prefix: { type: "string" },
  "dry-run": { type: "boolean" },
  "tls-ca": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "tls-servername": { type: "string" },
  "tls-insecure": { type: "boolean" },
  json: { type: "boolean" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;
const FLAG_NAMES = Object.keys(OPTIONS).map((name) => `--${name}`);
const TLS_FLAGS = {
  "tls-ca": { rule: rules.tlsFile, key: "tlsCaFile" },
  "tls-cert": { rule: rules.tlsFile, key: "tlsCertFile" },
  "tls-key": { rule: rules.tlsFile, key: "tlsKeyFile" },
  "tls-servername": { rule: rules.tlsServername, key: "tlsServername" },
} as const;
/** Keys shown by --dry-run (and before a deletion). */
const SAMPLE_KEYS = 5;

interface CleanupFlags extends Omit<TargetSecurity, "authTokenRefreshMs" | "authTokenCommand"> {
  url?: string;
  prefix?: string;
  dryRun: boolean;
  json: boolean;
  debug: boolean;
  help: boolean;
}

/** Every problem with the flags at once, as `run` reports its own. */
export function parseCleanupArgs(argv: string[]): { flags: CleanupFlags; problems: ConfigProblem[] } {
  const flags: CleanupFlags = { dryRun: false, json: false, debug: false, help: false };
  const problems: ConfigProblem[] = [];
  const { tokens } = parseArgs({
    args: argv,
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind === "positional") {
      problems.push({
        field: "cleanup",
        value: token.value,
        allowed: "flags only: --url URL --prefix PREFIX",
      });
    }
    if (token.kind !== "option") continue;
    const field = `--${token.name}`;
    const spec = (OPTIONS as Record<string, { type: string }>)[token.name];
    if (spec === undefined) {
      problems.push(unknownFlagProblem(token.rawName, FLAG_NAMES, "cleanup"));
      continue;
    }
    if (spec.type === "boolean") {
      if (token.value !== undefined)
        problems.push({ field, value: token.value, allowed: "no value: an on/off flag" });
      else if (token.name === "dry-run") flags.dryRun = true;
      else if (token.name === "tls-insecure") flags.tlsInsecure = true;
      else flags[token.name as "json" | "debug" | "help"] = true;
      continue;
    }
    const value = token.value;
    if (token.name === "url") {
      if (value === undefined || urlRule.parse(value) === undefined)
        problems.push({
          field,
          value: value === undefined ? undefined : redactUrl(value),
          allowed: urlRule.allowed,
        });
      else flags.url = value;
    } else if (token.name === "prefix") {
      const broad = value === undefined ? "missing" : prefixTooBroad(value);
      if (broad !== undefined)
        problems.push({ field, value, allowed: `${CLEANUP_PREFIX_ALLOWED} (${broad})` });
      else flags.prefix = value;
    } else {
      const tls = TLS_FLAGS[token.name as keyof typeof TLS_FLAGS];
      const parsed = value === undefined ? undefined : tls.rule.parse(value);
      if (parsed === undefined) problems.push({ field, value, allowed: ruleAllowed(tls.rule, value) });
      else flags[tls.key] = parsed;
    }
  }
  if (!flags.help) {
    const given = new Set(tokens.flatMap((t) => (t.kind === "option" ? [t.name] : [])));
    if (!given.has("url"))
      problems.push({
        field: "--url",
        value: undefined,
        allowed: `the server the run loaded: ${urlRule.allowed}`,
      });
    if (!given.has("prefix"))
      problems.push({
        field: "--prefix",
        value: undefined,
        allowed: `the run's prefix: ${CLEANUP_PREFIX_ALLOWED}`,
      });
  }
  problems.push(...asFlagProblems(securityProblems(flags, flags.url)));
  return { flags, problems };
}

export async function cleanupCommand(argv: string[]): Promise<number> {
  const { flags, problems } = parseCleanupArgs(argv);
  if (flags.help) {
    process.stdout.write(`${CLEANUP_HELP}\n`);
    return EXIT.pass;
  }
  const say = (line: string) => process.stderr.write(`cachestress cleanup: ${line}\n`);
  let admins: PrimaryAdmins | undefined;
  try {
    if (problems.length > 0) throw new ConfigError(problems);
    const url = flags.url as string;
    const prefix = flags.prefix as string;
    const target = await prepareTarget(url, flags);
    if (flags.tlsInsecure === true) say(TLS_INSECURE_WARNING);
    const where = `${target.connection.host}:${target.connection.port}`;
    say(
      flags.dryRun
        ? `dry run: counting the keys under ${JSON.stringify(prefix)} on ${target.displayUrl}; nothing is deleted`
        : `deleting every key under ${JSON.stringify(prefix)} on ${target.displayUrl}`,
    );
    admins = await PrimaryAdmins.connect(target.connection, where);
    const found = await admins.find(prefix, SAMPLE_KEYS);
    const nodes = admins.primaries > 1 ? ` over ${admins.primaries} primaries` : "";
    say(
      `found ${found.count} key(s) under ${JSON.stringify(prefix)}${nodes}${sampleText(found.samples, found.count)}`,
    );
    const report = {
      prefix,
      target: target.displayUrl,
      dryRun: flags.dryRun,
      found: found.count,
      deleted: 0,
      remaining: found.count,
      samples: found.samples,
    };
    if (!flags.dryRun && found.count > 0) {
      report.deleted = await admins.deleteKeys(prefix);
      report.remaining = (await admins.find(prefix, 0)).count;
      say(`deleted ${report.deleted} key(s); ${report.remaining} left under ${JSON.stringify(prefix)}`);
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    if (report.remaining > 0 && !flags.dryRun) {
      say("keys are still being written under this prefix: is a run still using it?");
      return EXIT.thresholdsFailed;
    }
    return EXIT.pass;
  } catch (error) {
    if (error instanceof ConfigError) {
      const n = error.problems.length;
      say(`${n === 1 ? "1 problem" : `${n} problems`} with the flags:`);
      process.stderr.write(`${error.problems.map(formatProblem).join("\n")}\n`);
      return EXIT.usage;
    }
    say(redactText(describeFailure(error)));
    if (flags.debug && error instanceof Error) process.stderr.write(`${redactText(error.stack ?? "")}\n`);
    return exitCodeFor(error);
  } finally {
    await admins?.close();
  }
}

function sampleText(samples: string[], count: number): string {
  if (samples.length === 0) return "";
  const more = count > samples.length ? `, ... (${count - samples.length} more)` : "";
  return `: ${samples.map((k) => JSON.stringify(k)).join(", ")}${more}`;
}

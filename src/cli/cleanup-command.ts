import { ConfigError, type ConfigProblem, formatProblem } from "../config/errors.js";
import { urlRule, type ValueRule } from "../config/field-rules.js";
import { type FlagRow, flagHelpLines, parseFlags } from "../config/flag-parser.js";
import { flagRows } from "../config/settings.js";
import { asFlagProblems, securityProblems } from "../config/target-security.js";
import type { TargetSecurity } from "../config/types.js";
import { redactText } from "../core/redact.js";
import { CLEANUP_PREFIX_ALLOWED, PrimaryAdmins, prefixTooBroad } from "../run/leftover-keys.js";
import { prepareTarget, TLS_INSECURE_WARNING } from "../run/secure-target.js";
import { describeFailure, EXIT, exitCodeFor } from "./exit-codes.js";

/**
 * `cachestress cleanup --url URL --prefix PREFIX [--dry-run]`: deletes what a run left under its
 * prefix (a double Ctrl-C, a SIGKILL, --keep-keys), on every primary of the target. It says what
 * it will do before doing it, refuses a prefix broad enough to take other people's keys, and
 * counts again afterwards.
 */

const prefixRule: ValueRule<string> = {
  allowed: CLEANUP_PREFIX_ALLOWED,
  parse: (raw) => (typeof raw === "string" && prefixTooBroad(raw) === undefined ? raw : undefined),
  explain: (raw) =>
    typeof raw === "string" ? `${CLEANUP_PREFIX_ALLOWED} (${prefixTooBroad(raw)})` : undefined,
};

type CleanupRow = FlagRow & { key?: string };

/** The target flags are `run`'s rows (src/config/settings.ts); the rest are cleanup's own. */
const ROWS: readonly CleanupRow[] = [
  {
    ...flagRows("url")[0],
    help: "the server the run loaded, redis:// or rediss:// (required)",
    defaultText: undefined,
  },
  {
    flag: "prefix",
    value: "PREFIX",
    rule: prefixRule,
    key: "prefix",
    help: `the run's key prefix (required): ${CLEANUP_PREFIX_ALLOWED}`,
  },
  { flag: "dry-run", key: "dryRun", help: "count the keys and show a few of them; delete nothing" },
  ...flagRows("tls-ca", "tls-cert", "tls-key", "tls-servername", "tls-insecure"),
  { flag: "json", key: "json", help: "print {prefix, target, found, deleted, remaining, samples} on stdout" },
  { flag: "debug", key: "debug", help: "show stack traces" },
  { flag: "help", short: "h", key: "help", help: "show this help" },
];

export const CLEANUP_HELP = `Usage: cachestress cleanup --url URL --prefix PREFIX [--dry-run] [--json]

Deletes every key that starts with PREFIX (SCAN + UNLINK in batches of 1000, on every primary of
a cluster), then counts again. A run that quit before its own cleanup prints this command with
its prefix. The password comes from the URL or REDIS_PASSWORD, an ACL user from the URL or
REDIS_USERNAME; neither is printed.

${flagHelpLines(ROWS).join("\n")}

Exit codes: 0 done (or --dry-run counted), 1 keys were still under the prefix after the deletion
(something is still writing them), 2 bad flags or a prefix that is refused, 3 the server could not
be reached or refused a command.`;

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
  const { values, positionals, given, problems } = parseFlags(argv, ROWS, "cleanup");
  for (const { value } of positionals)
    problems.push({ field: "cleanup", value, allowed: "flags only: --url URL --prefix PREFIX" });
  for (const [row, value] of values)
    if (row.key !== undefined) (flags as unknown as Record<string, unknown>)[row.key] = value;
  if (!flags.help) {
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

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, type ConfigProblem, didYouMean } from "../config/errors.js";
import type { RunConfig } from "../config/types.js";
import { resolveRunConfig } from "../run/resolve-config.js";

/** What the page (or a script) sends to start a run; validated by the CLI's own rules. */
export interface StartRequest {
  /** A shipped scenario's name (`cachestress scenarios`). */
  scenario?: string;
  /** Or the text of a scenario file (YAML or JSON), uploaded from the page. */
  file?: string;
  /** The target; without it the run starts a throwaway local redis-server. */
  url?: string;
  /** Run flags by name without `--` (`{ duration: "30s", rate: 20000, threshold: ["p(99)<5ms"] }`). */
  overrides?: Record<string, string | number | boolean | string[]>;
  /** Allow a second run on a target that already has one. */
  concurrent?: boolean;
}

/**
 * The run flags a dashboard user may set. Left out on purpose: anything that reads or writes files
 * on the dashboard's machine (--out, --tls-*, --price-file, --events), runs a command there
 * (--auth-token-command), or changes what the CLI prints (--json, --debug, --help); and --shard.
 */
export const OVERRIDABLE_FLAGS = [
  "env",
  "duration",
  "requests",
  "warmup",
  "prefill",
  "connections",
  "pipeline",
  "threads",
  "rate",
  "profile",
  "ramp-to",
  "step-rate",
  "step-every",
  "step-max",
  "burst-multiplier",
  "burst-every",
  "burst-duration",
  "wave-amplitude",
  "wave-period",
  "chaos-min",
  "chaos-max",
  "chaos-every",
  "ratio",
  "command",
  "key-pattern",
  "key-max",
  "data-size",
  "data-size-range",
  "dataset",
  "ttl",
  "prefix",
  "keep-keys",
  "timeout",
  "threshold",
  "seed",
  "use-case",
  "probe-interval",
  "read-from",
  "audit",
  "alerts-dry-run",
  "time-scale",
  "via-proxy",
  "allow-server-faults",
  "tls-servername",
  "tls-insecure",
  "max-cost",
  "max-ops",
] as const;

const REQUEST_FIELDS = ["scenario", "file", "url", "overrides", "concurrent"];

function hint(name: string, known: readonly string[]): string {
  const near = didYouMean(name, known);
  return near === undefined ? "" : ` (did you mean "${near}"?)`;
}

/** Longest uploaded scenario file, bytes. */
export const MAX_FILE_BYTES = 256 * 1024;

/**
 * The request → the same argv the CLI would get → resolveRunConfig: so a start from the page is
 * judged by exactly the rules, and explained in exactly the words, of `cachestress run`. Throws
 * ConfigError with every problem (the request's own and the run configuration's) at once.
 */
export async function resolveStartRequest(body: StartRequest, outDir: string): Promise<RunConfig> {
  const problems: ConfigProblem[] = [];
  const argv: string[] = [];
  for (const field of Object.keys(body))
    if (!REQUEST_FIELDS.includes(field))
      problems.push({
        field,
        value: (body as Record<string, unknown>)[field],
        allowed: `one of the fields ${REQUEST_FIELDS.join(", ")}${hint(field, REQUEST_FIELDS)}`,
      });
  if (body.scenario !== undefined && body.file !== undefined)
    problems.push({
      field: "scenario",
      value: body.scenario,
      allowed: "a shipped scenario or an uploaded file, not both",
    });
  if (body.file !== undefined && Buffer.byteLength(body.file) > MAX_FILE_BYTES)
    problems.push({
      field: "file",
      value: `${Buffer.byteLength(body.file)} bytes`,
      allowed: `a scenario file of at most ${MAX_FILE_BYTES} bytes`,
    });
  if (body.scenario !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(body.scenario))
    problems.push({
      field: "scenario",
      value: body.scenario,
      allowed: "the name of a shipped scenario (cachestress scenarios)",
    });
  for (const [name, value] of Object.entries(body.overrides ?? {})) {
    if (!(OVERRIDABLE_FLAGS as readonly string[]).includes(name)) {
      problems.push({
        field: `overrides.${name}`,
        value,
        allowed: `a run flag the dashboard may set${hint(name, OVERRIDABLE_FLAGS)}: ${OVERRIDABLE_FLAGS.join(", ")}`,
      });
      continue;
    }
    for (const one of Array.isArray(value) ? value : [value]) {
      if (typeof one === "boolean") {
        if (one) argv.push(`--${name}`);
      } else argv.push(`--${name}`, String(one));
    }
  }
  if (body.url !== undefined) argv.push("--url", body.url);
  argv.push("--out", outDir);
  let dir: string | undefined;
  try {
    if (body.file !== undefined && problems.length === 0) {
      dir = mkdtempSync(join(tmpdir(), "cachestress-upload-"));
      const path = join(dir, "uploaded.yaml");
      writeFileSync(path, body.file, { mode: 0o600 });
      argv.unshift(path);
    } else if (body.scenario !== undefined) argv.unshift(body.scenario);
    let config: RunConfig | undefined;
    try {
      config = (await resolveRunConfig(argv, {})).config;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(
        ...error.problems.map((p) => ({
          ...p,
          source: p.source?.includes("cachestress-upload-") ? "the uploaded file" : p.source,
        })),
      );
    }
    if (problems.length > 0 || config === undefined) throw new ConfigError(problems);
    return config;
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

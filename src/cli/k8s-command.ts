import { randomBytes } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import { ConfigError, type ConfigProblem, formatProblem } from "../config/errors.js";
import { type RunInput, wholeNumber } from "../config/field-rules.js";
import { parseRunArgs } from "../config/flags.js";
import { loadScenarioFile, resolveScenarioPath } from "../config/scenario-file.js";
import { MAX_SHARDS, SHARD_ENV } from "../config/shard-rule.js";
import { redactUrl } from "../core/redact.js";
import { resolveRunConfig } from "../run/resolve-config.js";
import { TOOL_VERSION } from "../run/version.js";
import { type K8sJobOptions, renderK8sManifest, SCENARIO_DIR } from "../shard/k8s-manifest.js";
import { EXIT } from "./exit-codes.js";

/**
 * `cachestress k8s --shards N [scenario] [run flags] [--image IMAGE] [--namespace NS] [--name NAME]
 * [--password-secret SECRET[:KEY]]`: prints a Kubernetes Indexed Job that runs the scenario as N
 * shards. The run flags are validated by the same code as `cachestress run --shard 0/N` first, so a
 * manifest that is printed is one whose pods will start.
 */

export const K8S_HELP = `Usage: cachestress k8s --shards N [scenario|file.yaml] [run flags] [--image IMAGE]
                       [--namespace NS] [--name NAME] [--password-secret SECRET[:KEY]]

Prints (stdout) a Kubernetes Indexed Job whose pod i runs 'cachestress run ... --shard i/N --json'.
Apply it, wait, collect each pod's log and run 'cachestress merge' on them: docs/kubernetes.md.

  --shards N                      number of shards = pods, all running at once (required)
  --image IMAGE                   image with 'cachestress' on its PATH (default: cachestress:${TOOL_VERSION})
  --namespace NS                  namespace of the Job (default: kubectl's current one)
  --name NAME                     name of the Job (default: cachestress-<scenario>)
  --password-secret SECRET[:KEY]  read the server's password from this Secret's KEY (default key:
                                  password) into REDIS_PASSWORD; a password in --url is refused
  --help, -h                      show this help

Every other flag is a 'cachestress run' flag (see 'cachestress run --help'); --url is required, and
--prefix and --seed are chosen once here when not given, so every shard uses the same ones.`;

const K8S_FLAGS = ["shards", "image", "namespace", "name", "password-secret"] as const;
type K8sFlag = (typeof K8S_FLAGS)[number];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SECRET_SPEC = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)(?::([-._a-zA-Z0-9]{1,253}))?$/;
const IMAGE = /^\S{1,4096}$/;
const shardsRule = wholeNumber(1, MAX_SHARDS);

/** The k8s flags apart from the run flags, in order; `--flag value` and `--flag=value` both work. */
export function splitK8sArgs(argv: string[]): {
  k8s: Map<K8sFlag, string | undefined>;
  run: string[];
  help: boolean;
} {
  const k8s = new Map<K8sFlag, string | undefined>();
  const run: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    const name = match?.[1] as K8sFlag | undefined;
    if (match === null || !K8S_FLAGS.includes(name as K8sFlag)) {
      run.push(arg);
      continue;
    }
    if (match[2] !== undefined) k8s.set(name!, match[2]);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) k8s.set(name!, argv[++i]);
    else k8s.set(name!, undefined);
  }
  return { k8s, run, help };
}

/** The manifest for argv, or every problem with it. */
export async function planK8sJob(
  argv: string[],
): Promise<{ options: K8sJobOptions; notes: string[] } | { problems: ConfigProblem[] }> {
  const { k8s, run } = splitK8sArgs(argv);
  const problems: ConfigProblem[] = [];
  const notes: string[] = [];

  const shardsText = k8s.get("shards");
  const shards = shardsRule.parse(shardsText);
  if (shards === undefined)
    problems.push({ field: "--shards", value: shardsText, allowed: shardsRule.allowed });
  const image = k8s.get("image") ?? `cachestress:${TOOL_VERSION}`;
  if (!IMAGE.test(image))
    problems.push({ field: "--image", value: image, allowed: "an image reference without spaces" });
  const namespace = k8s.get("namespace");
  if (k8s.has("namespace") && (namespace === undefined || !DNS_LABEL.test(namespace))) {
    problems.push({
      field: "--namespace",
      value: namespace,
      allowed: "a namespace: lower-case letters, digits and '-', at most 63",
    });
  }
  const secretText = k8s.get("password-secret");
  const secret = secretText === undefined ? null : SECRET_SPEC.exec(secretText);
  if (k8s.has("password-secret") && secret === null) {
    problems.push({
      field: "--password-secret",
      value: secretText,
      allowed: "SECRET or SECRET:KEY, a Secret name in lower case, e.g. cache-auth:password",
    });
  }

  const parsed = parseRunArgs(run);
  const { shard, outDir } = parsed.flags;
  if (shard !== undefined) {
    problems.push({
      field: "--shard",
      value: `${shard.index}/${shard.count}`,
      allowed: "nothing: each pod gets --shard from its index",
    });
  }
  if (outDir !== undefined) {
    problems.push({
      field: "--out",
      value: outDir,
      allowed: "nothing: each pod writes to its /results volume",
    });
  }

  // A local scenario file travels in a ConfigMap; a shipped scenario's name works as it is.
  const localArgs = [...run];
  const podArgs = [...run];
  let scenarioFile: K8sJobOptions["scenarioFile"];
  let fileInput: RunInput = {};
  if (parsed.scenarioArg !== undefined && parsed.scenarioIndex !== undefined) {
    const arg = parsed.scenarioArg;
    if (await isFile(arg)) {
      const fileName = basename(arg);
      scenarioFile = { fileName, text: await readFile(arg, "utf8") };
      podArgs[parsed.scenarioIndex] = `${SCENARIO_DIR}/${fileName}`;
    }
    try {
      fileInput = (await loadScenarioFile(await resolveScenarioPath(arg))).input;
    } catch {
      // The validation below reports what is wrong with the file.
    }
  }
  const url = parsed.flags.url ?? fileInput.url;
  if (url !== undefined && URL.canParse(url) && new URL(url).password !== "") {
    problems.push({
      field: "--url",
      value: redactUrl(url),
      allowed:
        "a URL without a password: it would be written into the manifest; put it in a Secret and use --password-secret",
    });
  }
  if (url === undefined) {
    problems.push({
      field: "--url",
      value: undefined,
      allowed: "the server the pods load, reachable from inside the cluster",
    });
  }

  const extra: string[] = [];
  if (parsed.flags.prefix === undefined && fileInput.prefix === undefined) {
    extra.push("--prefix", `cachestress:${randomBytes(4).toString("hex")}:`);
  }
  if (parsed.flags.seed === undefined && fileInput.seed === undefined) {
    extra.push("--seed", String(randomBytes(4).readUInt32LE(0)));
  }
  if (extra.length > 0) notes.push(`every shard gets ${extra.join(" ")}`);

  let scenario = "adhoc";
  const env = { ...process.env };
  delete env[SHARD_ENV];
  try {
    // Shard 0 has the largest share, so if it is valid every shard is; with a bad --shards the
    // run flags are still checked, as one shard.
    const resolved = await resolveRunConfig([...localArgs, ...extra, "--shard", `0/${shards ?? 1}`], env, {
      // The pods write their reports on their own file systems, not here.
      checkFiles: false,
    });
    scenario = resolved.config.scenario;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // The k8s checks above already name a missing --url; keep the list free of repeats.
    problems.push(...error.problems.filter((p) => !(p.field === "--url" && url === undefined)));
  }
  const name =
    k8s.get("name") ??
    `cachestress-${scenario.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`.slice(0, 63).replace(/-+$/, "");
  if (!DNS_LABEL.test(name)) {
    problems.push({
      field: "--name",
      value: name,
      allowed: "a Job name: lower-case letters, digits and '-', at most 63",
    });
  }
  if (problems.length > 0) return { problems };
  const options: K8sJobOptions = {
    name,
    image,
    shards: shards!,
    runArgs: [...podArgs, ...extra],
    ...(namespace !== undefined && { namespace }),
    ...(scenarioFile !== undefined && { scenarioFile }),
    ...(secret !== null && { passwordSecret: { name: secret[1], key: secret[3] ?? "password" } }),
  };
  return { options, notes };
}

export async function k8sCommand(argv: string[]): Promise<number> {
  if (splitK8sArgs(argv).help) {
    process.stdout.write(`${K8S_HELP}\n`);
    return EXIT.pass;
  }
  const plan = await planK8sJob(argv);
  if ("problems" in plan) {
    const n = plan.problems.length;
    process.stderr.write(
      `cachestress k8s: ${n === 1 ? "1 problem" : `${n} problems`}:\n${plan.problems.map(formatProblem).join("\n")}\n`,
    );
    return EXIT.usage;
  }
  for (const note of plan.notes) process.stderr.write(`cachestress k8s: ${note}\n`);
  const { options } = plan;
  const comment = [
    `cachestress k8s: ${options.shards} shards of '${options.runArgs.join(" ")}'`,
    "apply, wait, collect and merge: see docs/kubernetes.md",
  ];
  process.stdout.write(renderK8sManifest(options, comment));
  return EXIT.pass;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

import type { ConfigProblem } from "./errors.js";
import { durationRule, oneOf, type ValueRule, wholeNumber } from "./field-rules.js";
import { rowDefault } from "./flag-parser.js";
import type { Setting, SettingTarget } from "./settings.js";

/**
 * The `--publish*` flags: where a run's figures go while it runs (docs/publishers.md). They belong to
 * the command line, not the scenario file (like `--events`): where metrics go depends on who runs the
 * scenario, not on the scenario. Every problem is listed at once, with the flag that caused it.
 */

export const PUBLISH_TARGETS = ["prometheus", "pushgateway", "otlp", "cloudwatch", "azure"] as const;
export type PublishTarget = (typeof PUBLISH_TARGETS)[number];

/** What the user typed; resolvePublishOptions fills in defaults and checks the combinations. */
export interface PublishFlags {
  /** `none` switches off the publisher that --env aws / azure would pick. */
  targets?: (PublishTarget | "none")[];
  intervalMs?: number;
  dryRun?: boolean;
  metricsPort?: number;
  metricsHost?: string;
  pushgatewayUrl?: string;
  otlpUrl?: string;
  cloudwatchNamespace?: string;
  resolutionS?: 1 | 60;
  azureResourceId?: string;
  azureRegion?: string;
}

export interface PublishOptions {
  targets: PublishTarget[];
  /** How often each push publisher sends, ms (Prometheus is scraped whenever it likes). */
  intervalMs: number;
  /** Print every payload, checked against the service's limits, and send nothing. */
  dryRun: boolean;
  metricsPort: number;
  metricsHost: string;
  pushgatewayUrl?: string;
  otlpUrl: string;
  cloudwatchNamespace: string;
  /** CloudWatch StorageResolution: 1 = high resolution (per second), 60 = standard. */
  resolutionS: 1 | 60;
  azureResourceId?: string;
  azureRegion?: string;
}

function httpUrlRule(example: string): ValueRule<string> {
  return {
    allowed: `an http:// or https:// URL, e.g. ${example}`,
    parse(raw) {
      if (typeof raw !== "string" || !URL.canParse(raw)) return undefined;
      const url = new URL(raw);
      return url.protocol === "http:" || url.protocol === "https:" ? raw : undefined;
    },
  };
}

export const publishRules = {
  target: oneOf([...PUBLISH_TARGETS, "none"] as const),
  interval: {
    allowed: "a duration from 1s to 1h, such as 5s or 1m (a bare number means seconds)",
    parse(raw: unknown) {
      const ms = durationRule(false, 3_600_000).parse(raw);
      return ms !== undefined && ms >= 1000 ? ms : undefined;
    },
  } satisfies ValueRule<number>,
  port: wholeNumber(0, 65535, "a TCP port"),
  host: {
    allowed: "an IP address or host name to listen on, e.g. 127.0.0.1 or 0.0.0.0",
    parse: (raw: unknown) =>
      typeof raw === "string" && /^[A-Za-z0-9.:-]{1,253}$/.test(raw) ? raw : undefined,
  } satisfies ValueRule<string>,
  pushgatewayUrl: httpUrlRule("http://127.0.0.1:9091"),
  otlpUrl: httpUrlRule("http://127.0.0.1:4318/v1/metrics"),
  namespace: {
    allowed: "1 to 255 characters of letters, digits and . - _ / # : (not starting with AWS/)",
    parse: (raw: unknown) =>
      typeof raw === "string" && /^[A-Za-z0-9.\-_/#:]{1,255}$/.test(raw) && !raw.startsWith("AWS/")
        ? raw
        : undefined,
  } satisfies ValueRule<string>,
  resolution: {
    allowed: "1 (high resolution, per second) or 60 (standard)",
    parse: (raw: unknown) => (raw === "1" || raw === 1 ? 1 : raw === "60" || raw === 60 ? 60 : undefined),
  } satisfies ValueRule<1 | 60>,
  azureResourceId: {
    allowed:
      "an Azure resource ID, e.g. /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Cache/redis/<name>",
    parse: (raw: unknown) =>
      typeof raw === "string" &&
      /^\/subscriptions\/[^/\s]+\/resourceGroups\/[^/\s]+\/providers\/[^\s]+$/i.test(raw)
        ? raw
        : undefined,
  } satisfies ValueRule<string>,
  azureRegion: {
    allowed: "an Azure region name, e.g. westeurope or eastus2",
    parse: (raw: unknown) => (typeof raw === "string" && /^[a-z0-9]{2,40}$/.test(raw) ? raw : undefined),
  } satisfies ValueRule<string>,
};

/** Sets one field of PublishFlags. */
const to =
  (key: keyof PublishFlags) =>
  (flags: SettingTarget, value: unknown): void => {
    flags.publish = { ...flags.publish, [key]: value };
  };

function row(
  flag: string,
  value: string,
  rule: ValueRule<unknown>,
  key: keyof PublishFlags,
  help: string,
  dflt?: string,
): Setting {
  return { flag, value, rule, set: to(key), help, default: dflt, section: "publish" };
}

/** The --publish rows of the settings table (src/config/settings.ts). */
export const PUBLISH_SETTINGS: readonly Setting[] = [
  {
    flag: "publish",
    value: "WHERE",
    rule: publishRules.target,
    set: (flags, value) => {
      const target = value as PublishTarget | "none";
      flags.publish = { ...flags.publish, targets: [...(flags.publish?.targets ?? []), target] };
    },
    help: "repeatable: prometheus|pushgateway|otlp|cloudwatch|azure|none: publish metrics while the run runs",
    defaultText: "cloudwatch with --env aws, azure with --env azure, else none",
    section: "publish",
  },
  row("publish-interval", "DUR", publishRules.interval, "intervalMs", "how often publishers push", "5s"),
  {
    flag: "publish-dry-run",
    set: to("dryRun"),
    help: "print the exact payloads publishers would send (checked), send nothing",
    section: "publish",
  },
  row("metrics-port", "PORT", publishRules.port, "metricsPort", "prometheus: port of /metrics", "9464"),
  row(
    "metrics-host",
    "HOST",
    publishRules.host,
    "metricsHost",
    "prometheus: address /metrics listens on",
    "127.0.0.1",
  ),
  row(
    "pushgateway-url",
    "URL",
    publishRules.pushgatewayUrl,
    "pushgatewayUrl",
    "pushgateway: the Pushgateway's URL",
  ),
  row(
    "otlp-url",
    "URL",
    publishRules.otlpUrl,
    "otlpUrl",
    "otlp: OTLP/HTTP metrics endpoint",
    "http://127.0.0.1:4318/v1/metrics",
  ),
  row(
    "cloudwatch-namespace",
    "NS",
    publishRules.namespace,
    "cloudwatchNamespace",
    "cloudwatch: metric namespace",
    "CacheStress",
  ),
  row(
    "publish-resolution",
    "S",
    publishRules.resolution,
    "resolutionS",
    "cloudwatch: StorageResolution 1 (high) or 60",
    "60",
  ),
  row(
    "azure-resource-id",
    "ID",
    publishRules.azureResourceId,
    "azureResourceId",
    "azure: resource ID the metrics are attached to",
  ),
  row(
    "azure-region",
    "REGION",
    publishRules.azureRegion,
    "azureRegion",
    "azure: region of that resource, e.g. westeurope",
  ),
];

/** A publish setting's default, parsed from its row. */
const defaultOf = <T>(flag: string): T =>
  rowDefault<T>(PUBLISH_SETTINGS as (Setting & { flag: string })[], flag);

export const PUBLISH_DEFAULTS = {
  intervalMs: defaultOf<number>("publish-interval"),
  metricsPort: defaultOf<number>("metrics-port"),
  metricsHost: defaultOf<string>("metrics-host"),
  otlpUrl: defaultOf<string>("otlp-url"),
  cloudwatchNamespace: defaultOf<string>("cloudwatch-namespace"),
  resolutionS: defaultOf<1 | 60>("publish-resolution"),
};

/** Which flag needs which publisher: a setting for a publisher that is not on is a mistake. */
const NEEDS: [keyof PublishFlags, string, PublishTarget[]][] = [
  ["metricsPort", "--metrics-port", ["prometheus"]],
  ["metricsHost", "--metrics-host", ["prometheus"]],
  ["pushgatewayUrl", "--pushgateway-url", ["pushgateway"]],
  ["otlpUrl", "--otlp-url", ["otlp"]],
  ["cloudwatchNamespace", "--cloudwatch-namespace", ["cloudwatch"]],
  ["resolutionS", "--publish-resolution", ["cloudwatch"]],
  ["azureResourceId", "--azure-resource-id", ["azure"]],
  ["azureRegion", "--azure-region", ["azure"]],
];

/**
 * The publishers a run uses: the --publish list, else the one its environment implies (`--env aws`
 * → CloudWatch when AWS_REGION or AWS_DEFAULT_REGION is set, `--env azure` → Azure Monitor when
 * --azure-resource-id is given). Undefined when nothing is published.
 */
export function resolvePublishOptions(
  flags: PublishFlags,
  env: string,
  problems: ConfigProblem[],
  processEnv: NodeJS.ProcessEnv = process.env,
): PublishOptions | undefined {
  const add = (field: string, value: unknown, allowed: string) => problems.push({ field, value, allowed });
  const typed = flags.targets ?? [];
  // --env picks a publisher only when that cloud is set up here: an AWS region in the environment,
  // or the cache's Azure resource ID. Otherwise --env is only a label, and nothing is sent anywhere
  // (without a region the AWS SDK would go looking for credentials on the EC2 metadata address).
  const awsReady = (processEnv.AWS_REGION ?? processEnv.AWS_DEFAULT_REGION ?? "") !== "";
  const fromEnv: PublishTarget[] =
    env === "aws" && awsReady
      ? ["cloudwatch"]
      : env === "azure" && flags.azureResourceId !== undefined
        ? ["azure"]
        : [];
  if (typed.includes("none") && typed.length > 1)
    add("--publish", typed.join(","), "none alone, or publishers without none");
  const targets = [
    ...new Set(typed.length > 0 ? typed.filter((t): t is PublishTarget => t !== "none") : fromEnv),
  ];
  const picked = typed.length === 0 && fromEnv.length > 0 ? ` (picked by --env ${env})` : "";
  for (const [key, flag, needs] of NEEDS) {
    if (flags[key] !== undefined && !needs.some((t) => targets.includes(t)))
      add(flag, flags[key], `only with --publish ${needs.join(" or ")}`);
  }
  if (targets.length === 0) {
    for (const [key, flag] of [
      ["intervalMs", "--publish-interval"],
      ["dryRun", "--publish-dry-run"],
    ] as const)
      if (flags[key] !== undefined) add(flag, flags[key], "only with --publish");
    return undefined;
  }
  if (targets.includes("pushgateway") && flags.pushgatewayUrl === undefined)
    add("--pushgateway-url", undefined, "the Pushgateway's URL, which --publish pushgateway needs");
  if (targets.includes("azure") && !flags.dryRun) {
    if (flags.azureResourceId === undefined)
      add(
        "--azure-resource-id",
        undefined,
        `the resource ID of the cache, which --publish azure${picked} needs`,
      );
    if (flags.azureRegion === undefined)
      add("--azure-region", undefined, `the cache's region, which --publish azure${picked} needs`);
  }
  return {
    targets,
    intervalMs: flags.intervalMs ?? PUBLISH_DEFAULTS.intervalMs,
    dryRun: flags.dryRun ?? false,
    metricsPort: flags.metricsPort ?? PUBLISH_DEFAULTS.metricsPort,
    metricsHost: flags.metricsHost ?? PUBLISH_DEFAULTS.metricsHost,
    ...(flags.pushgatewayUrl !== undefined && { pushgatewayUrl: flags.pushgatewayUrl }),
    otlpUrl: flags.otlpUrl ?? PUBLISH_DEFAULTS.otlpUrl,
    cloudwatchNamespace: flags.cloudwatchNamespace ?? PUBLISH_DEFAULTS.cloudwatchNamespace,
    resolutionS: flags.resolutionS ?? PUBLISH_DEFAULTS.resolutionS,
    ...(flags.azureResourceId !== undefined && { azureResourceId: flags.azureResourceId }),
    ...(flags.azureRegion !== undefined && { azureRegion: flags.azureRegion }),
  };
}

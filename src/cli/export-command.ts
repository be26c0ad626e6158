import { didYouMean } from "../config/errors.js";
import { PUBLISH_DEFAULTS } from "../config/publish-rules.js";
import { alertmanagerConfig } from "../publishers/exports/alertmanager.js";
import { azureAlerts, cloudWatchAlarms } from "../publishers/exports/cloud-alarms.js";
import { grafanaDashboard } from "../publishers/exports/grafana-dashboard.js";
import { prometheusRules } from "../publishers/exports/prometheus-rules.js";
import { resolveRunConfig } from "../run/resolve-config.js";
import { EXIT, reportFailure } from "./exit-codes.js";

/**
 * `cachestress export KIND [scenario|file.yaml] [run flags] [--apply]`: prints what other systems
 * need to watch the metrics the publishers send (docs/publishers.md). The scenario and run flags are
 * resolved exactly as `cachestress run` would, so the exported limits are the run's own.
 */

export const EXPORT_KINDS = [
  "grafana",
  "prometheus-rules",
  "alertmanager",
  "cloudwatch-alarms",
  "azure-alerts",
] as const;
type ExportKind = (typeof EXPORT_KINDS)[number];

export const EXPORT_HELP = `Usage: cachestress export KIND [scenario|file.yaml] [run flags] [--apply]

Prints (stdout):
  grafana             a Grafana dashboard for the cachestress_ metrics beside redis_exporter's
  prometheus-rules    the run's alert rules and thresholds as Prometheus alerting rules (promtool check rules)
  alertmanager        an Alertmanager example: Slack receivers and a route for the exported rules
  cloudwatch-alarms   PutMetricAlarm inputs for the CloudWatch publisher's metrics; --apply creates them
                      through the AWS SDK (region and credentials the SDK's usual way)
  azure-alerts        metric alert rules for the Azure Monitor publisher's metrics, as an ARM template

Run flags such as --use-case, --threshold, --env, --url (the CloudWatch target dimension),
--cloudwatch-namespace and --publish-resolution shape the rules.`;

export async function exportCommand(argv: string[]): Promise<number> {
  const [kind, ...rest] = argv;
  if (kind === undefined || kind === "--help" || kind === "-h") {
    process.stdout.write(`${EXPORT_HELP}\n`);
    return kind === undefined ? EXIT.usage : EXIT.pass;
  }
  if (!(EXPORT_KINDS as readonly string[]).includes(kind)) {
    const guess = didYouMean(kind, EXPORT_KINDS);
    process.stderr.write(
      `cachestress: export: got "${kind}"; allowed: ${EXPORT_KINDS.join(", ")}${guess ? ` (did you mean ${guess}?)` : ""}\n`,
    );
    return EXIT.usage;
  }
  const apply = rest.includes("--apply");
  if (apply && kind !== "cloudwatch-alarms") {
    process.stderr.write("cachestress: export: --apply is only for cloudwatch-alarms\n");
    return EXIT.usage;
  }
  let args = rest.filter((a) => a !== "--apply");
  // The CloudWatch settings are publisher flags; here they describe the alarms' metrics.
  if (kind === "cloudwatch-alarms" && !args.includes("--publish"))
    args = [...args, "--publish", "cloudwatch"];
  try {
    const { config, publish } = await resolveRunConfig(args);
    const text = await render(kind as ExportKind, config, publish, apply);
    process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
    return EXIT.pass;
  } catch (error) {
    return reportFailure(error, rest.includes("--debug"));
  }
}

async function render(
  kind: ExportKind,
  config: Awaited<ReturnType<typeof resolveRunConfig>>["config"],
  publish: Awaited<ReturnType<typeof resolveRunConfig>>["publish"],
  apply: boolean,
): Promise<string> {
  switch (kind) {
    case "grafana":
      return grafanaDashboard();
    case "prometheus-rules":
      return prometheusRules(config);
    case "alertmanager":
      return alertmanagerConfig();
    case "azure-alerts":
      return azureAlerts(config);
    default: {
      const { alarms, skipped } = cloudWatchAlarms(config, {
        namespace: publish?.cloudwatchNamespace ?? PUBLISH_DEFAULTS.cloudwatchNamespace,
        resolutionS: publish?.resolutionS ?? PUBLISH_DEFAULTS.resolutionS,
      });
      for (const s of skipped) process.stderr.write(`cachestress: not exported: ${s}\n`);
      if (apply) {
        const { CloudWatchClient, PutMetricAlarmCommand } = await import("@aws-sdk/client-cloudwatch");
        const client = new CloudWatchClient({});
        try {
          for (const alarm of alarms) {
            await client.send(new PutMetricAlarmCommand(alarm));
            process.stderr.write(`cachestress: created or updated alarm ${alarm.AlarmName}\n`);
          }
        } finally {
          client.destroy();
        }
      }
      return JSON.stringify(alarms, null, 2);
    }
  }
}

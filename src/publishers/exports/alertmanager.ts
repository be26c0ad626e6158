import { stringify } from "yaml";

/**
 * `cachestress export alertmanager`: an Alertmanager config example for the exported rules: critical
 * alerts to one Slack channel, the rest to another, grouped per run. The webhook URL is read from a
 * file (`api_url_file`), so the secret never sits in the config or in this tool's output.
 */
export function alertmanagerConfig(): string {
  const slack = (channel: string) => ({
    api_url_file: "/etc/alertmanager/slack-webhook-url",
    channel,
    send_resolved: true,
    title: "{{ .Status | toUpper }} {{ .CommonLabels.alertname }} ({{ .CommonLabels.scenario }})",
    text: "{{ range .Alerts }}{{ .Annotations.summary }}: {{ .Annotations.description }}\n{{ end }}",
  });
  const config = {
    route: {
      receiver: "cachestress-slack",
      group_by: ["alertname", "run"],
      group_wait: "10s",
      group_interval: "1m",
      repeat_interval: "1h",
      routes: [{ matchers: ['severity="critical"'], receiver: "cachestress-slack-critical" }],
    },
    receivers: [
      { name: "cachestress-slack", slack_configs: [slack("#cache-alerts")] },
      { name: "cachestress-slack-critical", slack_configs: [slack("#cache-incidents")] },
    ],
  };
  return [
    "# Alertmanager example for cachestress alerts (cachestress export alertmanager).",
    "# Put the Slack incoming-webhook URL in /etc/alertmanager/slack-webhook-url; check with: amtool check-config FILE",
    stringify(config, { lineWidth: 0 }),
  ].join("\n");
}

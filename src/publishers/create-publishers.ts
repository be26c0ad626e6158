import { randomBytes } from "node:crypto";
import type { PublishOptions } from "../config/publish-rules.js";
import type { RunOutput } from "../run/run-event-bus.js";
import { AzureMonitorOutput } from "./azure-monitor-output.js";
import { CloudWatchOutput } from "./cloudwatch-output.js";
import { OtlpOutput } from "./otlp-output.js";
import { PrometheusOutput } from "./prometheus-output.js";
import { PushgatewayOutput } from "./pushgateway-output.js";

export interface PublisherHooks {
  /** Where --publish-dry-run prints each payload. */
  print(text: string): void;
  /** Plain-language notes (`serving /metrics on ...`). */
  notice(message: string): void;
}

/**
 * One RunOutput per --publish target, all sharing one run id (the `run` label, the Pushgateway
 * group), so the same run can be found in every backend.
 */
export function createPublishers(options: PublishOptions, hooks: PublisherHooks): RunOutput[] {
  const run = randomBytes(4).toString("hex");
  const dry = (name: string) =>
    options.dryRun
      ? (payload: string) => hooks.print(`--- ${name} (dry run, not sent) ---\n${payload}`)
      : undefined;
  return options.targets.map((target): RunOutput => {
    switch (target) {
      case "prometheus":
        return new PrometheusOutput(run, options.metricsHost, options.metricsPort, (url) =>
          hooks.notice(`serving Prometheus metrics on ${url} while the run runs (run="${run}")`),
        );
      case "pushgateway":
        return new PushgatewayOutput(run, options.pushgatewayUrl!, options.intervalMs, dry(target));
      case "cloudwatch":
        return new CloudWatchOutput(
          {
            namespace: options.cloudwatchNamespace,
            resolutionS: options.resolutionS,
            intervalMs: options.intervalMs,
          },
          dry(target),
        );
      case "azure":
        return new AzureMonitorOutput(
          {
            resourceId:
              options.azureResourceId ??
              "/subscriptions/DRY-RUN/resourceGroups/DRY-RUN/providers/Microsoft.Cache/redis/DRY-RUN",
            region: options.azureRegion ?? "westeurope",
            intervalMs: options.intervalMs,
          },
          dry(target),
        );
      default:
        return new OtlpOutput({ url: options.otlpUrl, intervalMs: options.intervalMs, run }, dry(target));
    }
  });
}

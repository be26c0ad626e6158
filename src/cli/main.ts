#!/usr/bin/env node
import { isCapacityRun } from "../capacity/resolve-capacity.js";
import { RUN_FLAGS_HELP } from "../config/flags.js";
import { renderProgressLine } from "../reports/progress-line.js";
import { renderSummary } from "../reports/summary-table.js";
import { resolveRunConfig } from "../run/resolve-config.js";
import { runScenario } from "../run/run-scenario.js";
import { TOOL_VERSION } from "../run/version.js";
import { describeFailure, EXIT, reportFailure } from "./exit-codes.js";
import { stopRunOnSignal } from "./stop-on-signal.js";

// Every other command, the publishers and the events file are imported when used: loading them all
// up front (fastify, OpenTelemetry, Parquet...) doubled the time to a run's first command
// (docs/engine.md, "Start-up").
const commands: Record<string, () => Promise<(argv: string[]) => number | Promise<number>>> = {
  audit: async () => (await import("./audit-command.js")).auditCommand,
  alerts: async () => (await import("./alerts-command.js")).alertsCommand,
  merge: async () => (await import("./merge-command.js")).mergeCommand,
  k8s: async () => (await import("./k8s-command.js")).k8sCommand,
  capacity: async () => (await import("./capacity-command.js")).capacityCommand,
  cleanup: async () => (await import("./cleanup-command.js")).cleanupCommand,
  dashboard: async () => (await import("./dashboard-command.js")).dashboardCommand,
  report: async () => (await import("./report-command.js")).reportCommand,
  compare: async () => (await import("./compare-command.js")).compareCommand,
  summary: async () => (await import("./summary-command.js")).summaryCommand,
  advise: async () => (await import("./advise-command.js")).adviseCommand,
  "stream-writer": async () => (await import("./stream-writer-command.js")).streamWriterCommand,
  export: async () => (await import("./export-command.js")).exportCommand,
  // Deployment validation: the checklist of a scenario (docs/checklist.md).
  checklist: async () => (await import("./checklist-command.js")).checklistCommand,
};

const USAGE = `cachestress ${TOOL_VERSION} — stress-test, validate and watch Redis-compatible caches

Usage:
  cachestress run [scenario|file.yaml] [flags]   run load and write Reports/result_{env}_{time}.json, .md, .html
  cachestress audit [--url URL] [--profile cache|buffer|session] [--expect setting=value]...
                                                 judge the server's configuration for a use case
  cachestress capacity [scenario|file.yaml] [run flags] [--start-rate OPS] [--step-factor N]
      [--step-duration DUR] [--max-rate OPS] [--max-steps N] [--precision PCT] [--slo EXPR]...
                                                 step the open-loop rate up until the SLO breaks;
                                                 write Reports/capacity_{env}_{time}.json, .md, .html
  cachestress scenarios                          list the scenarios that ship with the tool
  cachestress checklist [scenario|file.yaml] [run flags] [--json]
                                                 print the deployment-validation checklist of that run
  cachestress dashboard [--port N] [--api-key KEY | --key-file FILE]
                                                 live web dashboard: start, watch, stop runs (127.0.0.1)
  cachestress alerts ack RULE... --file FILE     acknowledge firing alerts of a live run (no more
                                                 reminders or escalations for this firing)
  cachestress run ... --shard I/N                run share I (0-based) of N of the scenario
  cachestress merge FILE... [--out DIR] [--json] [--cleanup-url URL]
                                                 merge every shard's result into one, thresholds re-judged
  cachestress k8s --shards N [run flags] [--image IMAGE] [--namespace NS] [--name NAME]
                                                 print a Kubernetes Indexed Job that runs N shards
  cachestress cleanup --url URL --prefix PREFIX [--dry-run]
                                                 delete the keys an interrupted run left under its prefix
  cachestress report FILE... --format html|md|csv|json [--out DIR] [--template FILE]
                                                 render result files again, in any format
  cachestress compare BASE CURRENT... | --base GLOB --current GLOB [--max-regression 'p(99)=10%']...
                                                 runs side by side; exit 1 on a regression
  cachestress summary FILE... [--out DIR]        one document across environments and scenarios
  cachestress advise --results DIR               memory trend over many runs and a sizing suggestion
  cachestress stream-writer --url URL --streams KEYS --out DIR [--once | --every DUR | --cron EXPR]
                                                 drain Redis Streams into partitioned Parquet, losing nothing
  cachestress stream-writer verify --url URL --streams KEYS --out DIR
                                                 read the Parquet back: every entry exactly once?
  cachestress run ... --publish prometheus|pushgateway|otlp|cloudwatch|azure
                                                 publish metrics while the run runs (docs/publishers.md)
  cachestress export grafana|prometheus-rules|alertmanager|cloudwatch-alarms|azure-alerts [run flags] [--apply]
                                                 print dashboards and alert rules for the published metrics
  cachestress --help | --version

Without --url, 'run' starts a throwaway local redis-server on 127.0.0.1 and stops it afterwards.

Exit codes: 0 all thresholds hold, 1 a threshold (or the scenario's check) failed, no operation
              succeeded or the target was gone at the end, 2 usage or config error (--out, --price-file too),
            3 the target could not be reached, the run could not start, the target went away or an
              engine thread failed (the report is written),
            4 stopped by a signal (Ctrl-C, SIGTERM, SIGHUP) or because the parent process went away:
              cleaned up, partial report written, never a pass,
            5 quit at once on a second signal (or 30 s + --timeout after the first): no report; the prefix and
              the 'cachestress cleanup' command that removes its keys are printed.
            capacity: 0 a rate met the SLO, 1 none did (the start rate broke it), 2 as above,
            3 the target could not be reached or went away during the search, 4 and 5 as above.

Run 'cachestress run --help' for every flag.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? EXIT.usage : EXIT.pass;
  }
  if (command === "--version" || command === "-v") {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.pass;
  }
  if (command === "scenarios") {
    const { listScenarios } = await import("./scenarios-command.js");
    process.stdout.write(`${await listScenarios()}\n`);
    return EXIT.pass;
  }
  if (Object.hasOwn(commands, command)) return (await commands[command]())(rest);
  if (command !== "run") {
    process.stderr.write(
      `cachestress: unknown command "${command}"; allowed: run, capacity, checklist, audit, alerts, dashboard, scenarios, merge, k8s, cleanup, report, compare, summary, advise, stream-writer, export, --help, --version\n`,
    );
    return EXIT.usage;
  }
  // A scenario with a `capacity:` section (`cachestress run capacity`) is a capacity search.
  if (await isCapacityRun(rest)) return (await commands.capacity())(rest);
  return runCommand(rest);
}

async function runCommand(argv: string[]): Promise<number> {
  const debug = argv.includes("--debug");
  // Before anything slow: a signal that arrives while the config is read still stops the run.
  const stop = stopRunOnSignal("the load");
  try {
    const resolved = await resolveRunConfig(argv);
    if (resolved.help) {
      process.stdout.write(`Usage: cachestress run [scenario|file.yaml] [flags]\n\n${RUN_FLAGS_HELP}\n`);
      return EXIT.pass;
    }
    const { config, json, events, publish } = resolved;
    stop.know(config);

    const tty = process.stderr.isTTY === true;
    const outputs = [
      ...(events !== undefined
        ? [new (await import("../outputs/ndjson-output.js")).NdjsonOutput(events)]
        : []),
      ...(publish !== undefined
        ? (await import("../publishers/create-publishers.js")).createPublishers(
            publish,
            publisherHooks(json || events === "-"),
          )
        : []),
    ];
    const { result, jsonPath, markdownPath, htmlPath } = await runScenario(config, {
      signal: stop.signal,
      onNotice: (message) => process.stderr.write(`cachestress: ${message}\n`),
      onProgress: tty ? (p) => process.stderr.write(`\r\x1b[2K${renderProgressLine(p)}`) : undefined,
      outputs,
    });
    if (tty) process.stderr.write("\r\x1b[2K");
    process.stderr.write(`${renderSummary(result, { color: tty })}\n`);
    process.stderr.write(`report: ${jsonPath}\n        ${markdownPath}\n        ${htmlPath}\n`);
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    if (result.status === "stopped") return EXIT.stopped;
    return result.status === "failed"
      ? EXIT.couldNotRun
      : result.verdict === "pass"
        ? EXIT.pass
        : EXIT.thresholdsFailed;
  } catch (error) {
    return reportFailure(error, debug);
  }
}

/** Dry-run payloads go to stdout, unless stdout already carries --json or --events -. */
function publisherHooks(stdoutTaken: boolean) {
  return {
    print: (text: string) => (stdoutTaken ? process.stderr : process.stdout).write(`${text}\n`),
    notice: (message: string) => process.stderr.write(`cachestress: ${message}\n`),
  };
}

let settled = false;
// A pending promise keeps no process alive: if the work stops making progress with nothing left to
// wait on, Node would end with exit code 0, which a CI job reads as a pass. Say so and fail instead.
process.on("beforeExit", () => {
  if (settled) return;
  settled = true;
  process.stderr.write(
    "cachestress: internal error: the work stopped with nothing left to wait on (a bug); no verdict\n",
  );
  process.exitCode = EXIT.couldNotRun;
});

main(process.argv.slice(2))
  .finally(() => {
    settled = true;
  })
  .then(
    (code) => {
      process.exitCode = code;
      // Exit even if a stray handle lingers; the timer itself does not keep the process alive.
      setTimeout(() => process.exit(code), 2000).unref();
    },
    (error: unknown) => {
      process.stderr.write(`cachestress: internal error: ${describeFailure(error)}\n`);
      if (error instanceof Error && process.argv.includes("--debug"))
        process.stderr.write(`${error.stack}\n`);
      process.exitCode = EXIT.couldNotRun;
    },
  );

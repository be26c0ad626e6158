import { renderCapacityTable, stepResultText } from "../capacity/render-report.js";
import { resolveCapacity } from "../capacity/resolve-capacity.js";
import { runCapacity } from "../capacity/run-capacity.js";
import { CAPACITY_SETTINGS } from "../capacity/search-options.js";
import { DEFAULT_SLO } from "../capacity/slo.js";
import { writeCapacityReport } from "../capacity/write-capacity-report.js";
import { RUN_FLAGS_HELP } from "../config/flags.js";
import { formatMs, formatPercent, formatRate } from "../reports/format.js";
import { renderProgressLine } from "../reports/progress-line.js";
import { EXIT, reportFailure } from "./exit-codes.js";
import { stopRunOnSignal } from "./stop-on-signal.js";

const HELP = `Usage: cachestress capacity [scenario|file.yaml] [run flags] [capacity flags]

Steps the open-loop rate up (×2 by default) until the SLO breaks, then bisects between the last
good and the first bad rate. Each step is a real constant-rate run against the same target (one
throwaway redis-server for the whole search without --url). Writes Reports/capacity_{env}_{time}.json
and .md; exit 0 when a rate met the SLO, 1 when none did, 2 usage error, 3 target unreachable,
4 stopped by a signal or because the parent process went away (the steps measured are written),
5 quit at once on a second signal (no report; the cleanup command is printed).

Capacity flags:
${CAPACITY_SETTINGS.map((s) => `  ${`${s.flag} ${s.value}`.padEnd(22)}${s.help}${s.default ? ` (default: ${s.default})` : ""}`).join("\n")}
  ${"--slo EXPR".padEnd(22)}a step passes when every SLO holds, repeatable (default: ${DEFAULT_SLO.map((s) => `'${s}'`).join(" ")})

--rate, --duration, --requests, --profile and --shard are set by the search. Any run threshold
(--threshold) is judged on every step too.

Run flags:
${RUN_FLAGS_HELP}`;

/** `cachestress capacity ...` (and `cachestress run` of a scenario with a `capacity:` section). */
export async function capacityCommand(argv: string[]): Promise<number> {
  const debug = argv.includes("--debug");
  // Before anything slow: a signal that arrives while the config is read still stops the search.
  const stop = stopRunOnSignal("the search");
  try {
    const resolved = await resolveCapacity(argv);
    if (resolved.help) {
      process.stdout.write(`${HELP}\n`);
      return EXIT.pass;
    }
    const { config, search, json } = resolved;
    stop.know(config);

    const tty = process.stderr.isTTY === true;
    const say = (line: string) => process.stderr.write(`${tty ? "\r\x1b[2K" : ""}cachestress: ${line}\n`);
    const result = await runCapacity(config, search, {
      signal: stop.signal,
      onNotice: say,
      onStepStart: (index, rate, phase) =>
        say(
          `step ${index}/${search.maxSteps} (${phase}): ${formatRate(rate)} ops/s for ${search.stepDurationMs / 1000}s`,
        ),
      onProgress: tty ? (p) => process.stderr.write(`\r\x1b[2K${renderProgressLine(p)}`) : undefined,
      onStep: (s) =>
        say(
          `step ${s.index}: ${formatRate(s.achievedRate)} ops/s achieved (${formatPercent(s.achievedPercent)}), ` +
            `p99 ${formatMs(s.latencyMs.p99)} ms, errors ${formatPercent(s.errorPercent)}: ${stepResultText(s)}`,
        ),
    });
    const { jsonPath, markdownPath, htmlPath } = await writeCapacityReport(result, config.outDir);
    process.stderr.write(`\n${renderCapacityTable(result, { color: tty })}\n`);
    process.stderr.write(`report: ${jsonPath}\n        ${markdownPath}\n        ${htmlPath}\n`);
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    // A search the target walked out of is not a capacity, whatever passed before: exit 3, as a run.
    if (result.status === "failed") return EXIT.couldNotRun;
    if (result.status === "stopped") return EXIT.stopped;
    return result.capacity.lastGoodRate !== null ? EXIT.pass : EXIT.thresholdsFailed;
  } catch (error) {
    return reportFailure(error, debug);
  }
}

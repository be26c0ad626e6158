import { redactText } from "../core/redact.js";
import { checklistFor, renderChecklistText } from "../result/checklist.js";
import { resolveRunConfig } from "../run/resolve-config.js";
import { EXIT, reportFailure } from "./exit-codes.js";

/**
 * `cachestress checklist SCENARIO [run flags] [--json]`: the deployment-validation checklist of a
 * run of that scenario with those flags, before anything runs: the pre-run, during-run and post-run
 * items, and how cachestress checks each. Every run's report shows the same list ticked
 * (docs/checklist.md). Nothing is connected to; the flags are validated as `run` validates them.
 */

export const CHECKLIST_HELP = `Usage: cachestress checklist [scenario|file.yaml] [run flags] [--json]

Prints the deployment-validation checklist of that run: what to make sure of before it (target
reachable, configuration audited, keys writable, baseline captured), during it (each threshold,
alert rules, each fault, the target staying up) and after it (the scenario's check, counts match,
keys cleaned, report written), with how cachestress checks each item. The run's report shows the
same list ticked: pass, fail or not done, with the evidence. Nothing is connected to.

  --json        print the items as JSON on stdout
  --help, -h    show this help

Run flags (see 'cachestress run --help') change the list: --audit, --threshold, --restart-command,
--warm-top, --keep-keys...

Exit codes: 0 printed, 2 bad flags or scenario.`;

export async function checklistCommand(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${CHECKLIST_HELP}\n`);
    return EXIT.pass;
  }
  try {
    // No file checks: the list describes a run, it does not prepare one (--out need not exist yet).
    const { config, json } = await resolveRunConfig(argv, process.env, { checkFiles: false });
    const items = checklistFor(config);
    if (json) {
      process.stdout.write(`${JSON.stringify({ scenario: config.scenario, items }, null, 2)}\n`);
      return EXIT.pass;
    }
    const lines = [`Checklist for ${config.scenario}:`, "", ...renderChecklistText(items)];
    process.stdout.write(`${lines.map(redactText).join("\n")}\n`);
    return EXIT.pass;
  } catch (error) {
    return reportFailure(error, argv.includes("--debug"));
  }
}

import { parseArgs } from "node:util";
import { ACK_RULE_NAME, appendAcks } from "../alerts/ack-file.js";
import { type ConfigProblem, formatProblem } from "../config/errors.js";
import { EXIT } from "./exit-codes.js";

export const ALERTS_HELP = `Usage: cachestress alerts ack RULE... --file FILE [--by NAME]

Acknowledges firing alert rules of a live run: appends one line per rule, stamped now, to the ack
file the scenario names (alerts.ackFile). The run reads it every interval; an acknowledged firing
gets no more reminders (alerts.repeatEvery) and is not escalated (notify[].escalateAfter). Its
resolution is still sent. The next firing of the same rule starts afresh.

  --file FILE   the run's ack file (alerts.ackFile in the scenario)
  --by NAME     who acknowledges, shown in the run's notices and report
  --help, -h    show this help

Exit codes: 0 written, 2 bad arguments, 3 the file could not be written.`;

const OPTIONS = {
  file: { type: "string" },
  by: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** `cachestress alerts ack RULE... --file FILE [--by NAME]`. */
export function alertsCommand(argv: string[]): number {
  const problems: ConfigProblem[] = [];
  let parsed: ReturnType<
    typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; args: string[] }>
  >;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`cachestress alerts: ${(error as Error).message}\n\n${ALERTS_HELP}\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(`${ALERTS_HELP}\n`);
    return EXIT.pass;
  }
  const [action, ...rules] = positionals;
  if (action !== "ack") problems.push({ field: "action", value: action, allowed: "ack" });
  if (rules.length === 0)
    problems.push({ field: "RULE", value: undefined, allowed: "one or more alert rule names" });
  for (const rule of rules)
    if (!ACK_RULE_NAME.test(rule))
      problems.push({
        field: "RULE",
        value: rule,
        allowed: "a rule name: letters, digits, _ . - starting with a letter",
      });
  if (values.file === undefined || values.file.trim() === "")
    problems.push({ field: "--file", value: values.file, allowed: "the run's ack file (alerts.ackFile)" });
  const by = values.by?.trim();
  if (by !== undefined && (by === "" || by.length > 80 || /[\r\n]/.test(by)))
    problems.push({
      field: "--by",
      value: values.by,
      allowed: "a name of at most 80 characters on one line",
    });
  if (problems.length > 0) {
    process.stderr.write(
      `cachestress alerts: ${problems.length} problem(s):\n${problems.map((p) => formatProblem(p)).join("\n")}\n`,
    );
    return EXIT.usage;
  }
  try {
    for (const line of appendAcks(values.file as string, rules, by))
      process.stderr.write(`acknowledged: ${line}\n`);
    return EXIT.pass;
  } catch (error) {
    process.stderr.write(`cachestress alerts: cannot write ${values.file}: ${(error as Error).message}\n`);
    return EXIT.couldNotRun;
  }
}

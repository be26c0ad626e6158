import { type ParseArgsConfig, parseArgs } from "node:util";
import { describeFailure, EXIT } from "./exit-codes.js";
import { ResultFileError } from "./read-result.js";

/**
 * What `report`, `compare` and `summary` share: strict flag parsing with `--help`, and one way of
 * saying why result files were refused (a line per file, exit 2) or the command failed.
 */

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The parsed flags, or the exit code when the command is done (help printed, or a bad flag). */
export type ParsedArgs<T extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
>;

export function parseResultCommandArgs<const T extends Options>(
  command: string,
  argv: string[],
  options: T,
  help: string,
): ParsedArgs<T> | number {
  let parsed: ParsedArgs<T>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(
      `cachestress ${command}: ${describeFailure(error)}; see cachestress ${command} --help\n`,
    );
    return EXIT.usage;
  }
  if ((parsed.values as { help?: boolean }).help === true) {
    process.stdout.write(`${help}\n`);
    return EXIT.pass;
  }
  return parsed;
}

/** Exit code for an error that ended the command, after saying what it was. */
export function resultCommandFailure(command: string, error: unknown): number {
  if (error instanceof ResultFileError) {
    process.stderr.write(error.lines.map((l) => `cachestress ${command}: ${l}\n`).join(""));
    return EXIT.usage;
  }
  if ((error as { code?: string } | undefined)?.code === "E_CONFIG") {
    process.stderr.write(`cachestress ${command}: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  process.stderr.write(`cachestress ${command}: ${describeFailure(error)}\n`);
  return EXIT.couldNotRun;
}

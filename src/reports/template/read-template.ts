import { readFile } from "node:fs/promises";
import { ConfigError, type ConfigProblem } from "../../config/errors.js";
import { PLACEHOLDERS, unknownPlaceholders } from "./render-template.js";

/** Templates are small text files; a bigger one is a wrong path (a result JSON, a binary). */
const MAX_TEMPLATE_BYTES = 1024 * 1024;

/**
 * Reads a Markdown template for `--template FILE`, before any load runs: a missing file or an
 * unknown `{{placeholder}}` is a usage error (exit 2) listing every unknown name at once.
 */
export async function readTemplate(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigError([
      { field: "--template", value: path, allowed: `a readable Markdown file (${why})` },
    ]);
  }
  const problems: ConfigProblem[] = [];
  if (Buffer.byteLength(text) > MAX_TEMPLATE_BYTES)
    problems.push({
      field: "--template",
      value: path,
      allowed: `a file of at most ${MAX_TEMPLATE_BYTES} bytes`,
    });
  for (const name of unknownPlaceholders(text)) {
    problems.push({
      field: `--template {{${name}}}`,
      value: name,
      allowed: `one of ${PLACEHOLDERS.join(", ")} (docs/reports.md)`,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return text;
}

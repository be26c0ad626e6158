import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { packageRoot } from "../config/scenario-paths.js";

/** `cachestress scenarios`: one line per shipped scenario, its name and the first sentence of its description. */
export async function listScenarios(): Promise<string> {
  const dir = join(packageRoot(), "scenarios");
  const files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  const rows: [string, string][] = [];
  for (const file of files) {
    const doc = parse(await readFile(join(dir, file), "utf8")) as { description?: string } | null;
    rows.push([file.replace(/\.(ya?ml|json)$/, ""), firstSentence(doc?.description ?? "")]);
  }
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, description]) => `${name.padEnd(width)}  ${description}`).join("\n");
}

/** Descriptions are folded paragraphs; the listing shows up to the first full stop or colon. */
export function firstSentence(description: string, maxChars = 110): string {
  const text = description.replace(/\s+/g, " ").trim();
  const end = text.search(/\.(\s|$)/);
  const sentence = end >= 0 ? text.slice(0, end) : text;
  return sentence.length <= maxChars ? sentence : `${sentence.slice(0, maxChars - 1).trimEnd()}…`;
}

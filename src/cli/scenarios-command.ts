import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { packageRoot } from "../config/scenario-file.js";

/** `cachestress scenarios`: one line per shipped scenario, name and description. */
export async function listScenarios(): Promise<string> {
  const dir = join(packageRoot(), "scenarios");
  const files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  const rows: [string, string][] = [];
  for (const file of files) {
    const doc = parse(await readFile(join(dir, file), "utf8")) as { description?: string } | null;
    rows.push([file.replace(/\.(ya?ml|json)$/, ""), doc?.description?.split("\n")[0] ?? ""]);
  }
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, description]) => `${name.padEnd(width)}  ${description}`).join("\n");
}

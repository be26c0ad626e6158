import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, extname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, didYouMean } from "./errors.js";

/**
 * Where scenario files are and how their paths are shown: apart from scenario-file.ts, so that a
 * run without a scenario file (and the tool's version) never loads the YAML reader and the schema
 * library, a good part of the start-up time (docs/engine.md, "Start-up").
 */

/** Paths inside the working directory are shown relative to it, the way the user typed them. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== "" && !rel.startsWith("..") ? rel : path;
}

let cachedRoot: string | undefined;

/** The directory holding cachestress's package.json, whether run from src/ (tests) or dist/src/. */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`cachestress: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  cachedRoot = dir;
  return dir;
}

export function scenariosDir(): string {
  return join(packageRoot(), "scenarios");
}

/** Names of the scenarios that ship with the tool, sorted. */
export async function listScenarioNames(): Promise<string[]> {
  const entries = await readdir(scenariosDir()).catch(() => [] as string[]);
  return entries
    .filter((e) => /\.(ya?ml|json)$/.test(e))
    .map((e) => basename(e, extname(e)))
    .sort();
}

/** An existing file path as given, else a shipped scenario by name (`baseline` → scenarios/baseline.yaml). */
export async function resolveScenarioPath(nameOrPath: string): Promise<string> {
  if (await isFile(nameOrPath)) return resolve(nameOrPath);
  if (/^[A-Za-z0-9._-]+$/.test(nameOrPath)) {
    for (const candidate of [nameOrPath, `${nameOrPath}.yaml`, `${nameOrPath}.yml`, `${nameOrPath}.json`]) {
      const path = join(scenariosDir(), candidate);
      if (await isFile(path)) return path;
    }
  }
  const names = await listScenarioNames();
  const guess = didYouMean(nameOrPath, names);
  const hint = guess ? ` (did you mean ${guess}?)` : "";
  const allowed = `an existing scenario file, or a shipped scenario: ${names.join(", ")}${hint}`;
  throw new ConfigError([{ field: "scenario", value: nameOrPath, allowed }]);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

// Brings a checkout to the point where the CLI and the tests can run: dependencies installed,
// TypeScript compiled, redis-server present. Plain Node with no dependencies, because it runs
// before `npm install` has. Each step it takes is one line on stderr; stdout stays free for the
// command that runs after it (the CLI's --json output, for one).
//
//   node scripts/setup.mjs            run every step that is needed
//   import { ensureSetup } from "./setup.mjs"; ensureSetup({ needRedis: true, build: "always" })

import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync, statSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const CLI_JS = join(ROOT, "dist", "src", "cli", "main.js");

/** Exit code for "could not run", the same one the CLI uses. */
const EXIT_COULD_NOT_RUN = 3;
const REDIS_FALLBACK_DIRS = ["/usr/bin", "/usr/local/bin", "/usr/sbin", "/opt/homebrew/bin"];

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The same lookup as src/core/managed-redis.ts: PATH, then the usual install directories. */
export function findExecutable(name, fallbackDirs = REDIS_FALLBACK_DIRS) {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...fallbackDirs];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function mtimeMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The newest modification time of the .ts files under `dir`, 0 when there are none. */
function newestTs(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestTs(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, mtimeMs(path) ?? 0);
  }
  return newest;
}

/** Runs a step with its output on stderr; exits with `failCode` when it fails. */
function run(cmd, args, failCode) {
  const result = spawnSync(cmd, args, { cwd: ROOT, stdio: ["ignore", 2, 2] });
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : `exit code ${result.status ?? result.signal}`;
    process.stderr.write(`setup: '${[cmd, ...args].join(" ")}' failed (${why})\n`);
    process.exit(failCode);
  }
}

function dependenciesStale() {
  const lock = mtimeMs(join(ROOT, "package-lock.json"));
  // npm writes node_modules/.package-lock.json on every install, so its time is the install's time.
  const installed =
    mtimeMs(join(ROOT, "node_modules", ".package-lock.json")) ?? mtimeMs(join(ROOT, "node_modules"));
  if (installed === undefined) return "node_modules is missing";
  if (lock !== undefined && lock > installed) return "package-lock.json is newer than node_modules";
  return undefined;
}

function buildStale() {
  const built = mtimeMs(CLI_JS);
  if (built === undefined) return "dist/src/cli/main.js is missing";
  const newest = Math.max(...["src", "test", "bench"].map((d) => newestTs(join(ROOT, d))));
  if (newest > built) return "TypeScript sources changed since the last build";
  return undefined;
}

function installRedis(say) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const aptGet = findExecutable("apt-get");
  if (isRoot && aptGet) {
    say("redis-server not found → apt-get update && apt-get install -y redis-server redis-tools");
    run(aptGet, ["update"], EXIT_COULD_NOT_RUN);
    process.env.DEBIAN_FRONTEND = "noninteractive";
    run(aptGet, ["install", "-y", "redis-server", "redis-tools"], EXIT_COULD_NOT_RUN);
    if (findExecutable("redis-server")) return;
  }
  process.stderr.write(
    "setup: redis-server not found; cachestress starts a local redis-server when no --url is given, and the tests need one.\n" +
      "setup: install it with 'sudo apt-get install -y redis-server redis-tools' (Debian/Ubuntu) or 'brew install redis' (macOS), then run this again.\n",
  );
  process.exit(EXIT_COULD_NOT_RUN);
}

/** Debian's chromium, for the HTML report's browser test; never fatal, only that test needs it. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

function installChromium(say) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const aptGet = findExecutable("apt-get");
  if (isRoot && aptGet) {
    say(`${CHROMIUM_PATH} not found → apt-get install -y chromium`);
    process.env.DEBIAN_FRONTEND = "noninteractive";
    const result = spawnSync(aptGet, ["install", "-y", "chromium"], { cwd: ROOT, stdio: ["ignore", 2, 2] });
    if (result.status === 0 && isExecutable(CHROMIUM_PATH)) return;
  }
  process.stderr.write(
    `setup: ${CHROMIUM_PATH} not found; the HTML report's browser test (test/e2e/html-report.test.ts) needs it: 'sudo apt-get install -y chromium'.\n`,
  );
}

/**
 * The publisher tests run Debian's real Prometheus, Pushgateway and promtool. Installed only for the
 * tests, only as root with apt-get, and only when promtool is missing; elsewhere the tests that need
 * them fail with the same install hint.
 */
function installPrometheus(say) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const aptGet = findExecutable("apt-get");
  if (!isRoot || !aptGet) {
    say(
      "promtool not found: the publisher tests need 'apt-get install -y prometheus prometheus-pushgateway'",
    );
    return;
  }
  say("promtool not found → apt-get update && apt-get install -y prometheus prometheus-pushgateway");
  run(aptGet, ["update"], EXIT_COULD_NOT_RUN);
  process.env.DEBIAN_FRONTEND = "noninteractive";
  run(aptGet, ["install", "-y", "prometheus", "prometheus-pushgateway"], EXIT_COULD_NOT_RUN);
}

/**
 * @param {{ needRedis?: boolean; needChromium?: boolean; needPrometheus?: boolean; quiet?: boolean; build?: "auto" | "always" }} [opts]
 *   needChromium: install Debian's chromium when missing (as root with apt-get), else print how; default false.
 *   needPrometheus: install Debian's prometheus and prometheus-pushgateway when promtool is missing; default false.
 *   needRedis: install (or ask for) redis-server when it is missing; default true.
 *   quiet: do not print the steps (failures are always printed).
 *   build: "always" compiles even when dist/ looks up to date; default "auto".
 */
export function ensureSetup({
  needRedis = true,
  needChromium = false,
  needPrometheus = false,
  quiet = false,
  build = "auto",
} = {}) {
  const say = (line) => {
    if (!quiet) process.stderr.write(`setup: ${line}\n`);
  };

  const deps = dependenciesStale();
  if (deps) {
    const useCi = existsSync(join(ROOT, "package-lock.json"));
    say(`${deps} → npm ${useCi ? "ci" : "install"}`);
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    run(npm, [useCi ? "ci" : "install"], EXIT_COULD_NOT_RUN);
  }

  const stale = build === "always" ? "building" : buildStale();
  if (stale) {
    say(`${stale} → tsc -p tsconfig.json`);
    run(
      process.execPath,
      [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
      EXIT_COULD_NOT_RUN,
    );
  }

  if (needRedis && !findExecutable("redis-server")) installRedis(say);
  if (needChromium && !isExecutable(CHROMIUM_PATH)) installChromium(say);
  if (needPrometheus && !findExecutable("promtool")) installPrometheus(say);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  ensureSetup({ build: process.argv.includes("--build") ? "always" : "auto", needChromium: true });
}

// `npm test`: builds, then runs every compiled test file with node's own test runner.
//
//   npm test                          all tests
//   npm test -- integration           only files whose path contains "integration" (several = any)
//   npm test -- --test-name-pattern=x  options starting with "--" go to `node --test` as they are
//
// Progress is node's spec reporter on stdout; at the end the TAP summary lines (`# pass N`,
// `# fail N`, ...) are printed as well, because CI reads them. The exit code is the runner's.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { ensureSetup, ROOT } from "./setup.mjs";

/**
 * Longest a single test may take before the runner fails it, ms. Keeps a stuck test from hanging CI.
 * It bounds each test file too: the scenario catalogue runs every shipped scenario through the CLI
 * in one file (about 2 minutes on a 2-core machine), so the bound sits well above that.
 */
const TEST_TIMEOUT_MS = Number(process.env.CACHESTRESS_TEST_TIMEOUT_MS ?? 300_000);
const SUMMARY_FIELDS = ["tests", "suites", "pass", "fail", "cancelled", "skipped", "todo", "duration_ms"];

function compiledTests(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...compiledTests(path));
    else if (entry.name.endsWith(".test.js")) files.push(path);
  }
  return files;
}

/** A compiled test whose .ts source was deleted or renamed is left over in dist/; skip it. */
function hasSource(compiled) {
  const rel = relative(join(ROOT, "dist"), compiled);
  return existsSync(join(ROOT, rel.replace(/\.js$/, ".ts")));
}

/** The last top-level `# name value` line of each summary field in a TAP file. */
function tapSummary(path) {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  const last = new Map();
  for (const line of text.split("\n")) {
    const match = /^# (\w+) (.*)$/.exec(line);
    if (match && SUMMARY_FIELDS.includes(match[1])) last.set(match[1], line);
  }
  return SUMMARY_FIELDS.filter((f) => last.has(f)).map((f) => last.get(f));
}

const args = process.argv.slice(2).filter((a) => a !== "--");
const filters = args.filter((a) => !a.startsWith("--"));
const runnerOptions = args.filter((a) => a.startsWith("--"));

ensureSetup({ needRedis: true, needChromium: true, needPrometheus: true, build: "always" });

const all = compiledTests(join(ROOT, "dist", "test"))
  .filter(hasSource)
  .sort();
const files = filters.length === 0 ? all : all.filter((f) => filters.some((want) => f.includes(want)));
if (files.length === 0) {
  const what = filters.length === 0 ? "" : ` matching ${filters.map((f) => `'${f}'`).join(" or ")}`;
  process.stderr.write(`test: no test files${what} under dist/test (looked for *.test.js)\n`);
  process.exit(1);
}
process.stderr.write(
  `test: ${files.length} file(s): ${files.map((f) => relative(join(ROOT, "dist"), f).split(sep).join("/")).join(" ")}\n`,
);

const tapDir = mkdtempSync(join(tmpdir(), "cachestress-test-"));
const tapFile = join(tapDir, "report.tap");
const child = spawn(
  process.execPath,
  [
    "--test",
    "--test-concurrency=2",
    `--test-timeout=${TEST_TIMEOUT_MS}`,
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=tap",
    `--test-reporter-destination=${tapFile}`,
    ...runnerOptions,
    ...files,
  ],
  { cwd: ROOT, stdio: "inherit" },
);

// Ctrl-C reaches the runner directly (same process group); wait for it to report and exit.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => child.kill("SIGTERM"));

child.on("exit", (code, signal) => {
  const summary = tapSummary(tapFile);
  rmSync(tapDir, { recursive: true, force: true });
  if (summary.length > 0) {
    process.stdout.write(`${summary.join("\n")}\n`);
    process.exit(code ?? 1);
  }
  process.stdout.write(`# fail 1\n# the test runner ended (${signal ?? `code ${code}`}) without a summary\n`);
  process.exit(code || 1);
});

// `npm run demo`: the first command in the README. Sets the checkout up (dependencies, build,
// redis-server), then runs the demo scenario against a redis-server the CLI starts and stops
// itself (no --url). The CLI prints the summary and where the reports went; this script exits
// with the CLI's exit code. Arguments after `--` go to the CLI: `npm run demo -- --duration 5s`.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { CLI_JS, ensureSetup, ROOT } from "./setup.mjs";

ensureSetup({ needRedis: true });
if (!existsSync(CLI_JS)) {
  process.stderr.write(
    `demo: ${CLI_JS} is missing after the build; run 'npx tsc -p tsconfig.json' to see why\n`,
  );
  process.exit(3);
}

const passThrough = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"));

// The CLI runs in its own process group and gets each signal exactly once from here: a Ctrl-C
// typed under `npm run` reaches this process twice (from the terminal and forwarded by npm), and a
// load tool reads a second SIGINT as "stop now, skip the clean-up".
const child = spawn(process.execPath, [CLI_JS, "run", "demo", ...passThrough], {
  cwd: ROOT,
  stdio: "inherit",
  detached: true,
});
const lastForwardedAt = new Map();
const DUPLICATE_WINDOW_MS = 300;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    const now = Date.now();
    if (now - (lastForwardedAt.get(signal) ?? 0) < DUPLICATE_WINDOW_MS) return;
    lastForwardedAt.set(signal, now);
    child.kill(signal);
  });
}

child.on("error", (err) => {
  process.stderr.write(`demo: could not start the CLI: ${err.message}\n`);
  process.exit(3);
});
child.on("exit", (code, signal) => {
  process.exit(code ?? 128 + (constants.signals[signal] ?? 1));
});

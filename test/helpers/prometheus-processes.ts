import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../src/core/managed-redis.js";

/**
 * Debian's real `prometheus` and `prometheus-pushgateway`, each started as a process of this test on
 * a free port of 127.0.0.1 with a data directory of its own, and stopped by its PID. Installed by
 * `npm test`'s setup (scripts/setup.mjs) and .ci/run; a missing binary fails with how to install it.
 */

export interface StartedProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export function requireBinary(name: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === "")
    throw new Error(
      `${name} is not installed: this test needs Debian's prometheus and prometheus-pushgateway packages ` +
        "(apt-get install -y prometheus prometheus-pushgateway; npm test's setup and .ci/run install them)",
    );
  return path;
}

async function startHttpProcess(
  binary: string,
  args: (port: number, dir: string) => string[],
  readyPath: string,
): Promise<StartedProcess> {
  const path = requireBinary(binary);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `cachestress-${binary}-`));
  const child: ChildProcess = spawn(path, args(port, dir), { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(child.pid!, "SIGTERM");
      const timer = setTimeout(() => child.exitCode === null && process.kill(child.pid!, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(1_000) })).ok)
        return { url, pid: child.pid!, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`${binary} did not become ready on ${url} within 20 s: ${stderr}`);
}

/** Prometheus scraping `targets` (host:port) every second. */
export function startPrometheus(targets: string[]): Promise<StartedProcess> {
  return startHttpProcess(
    "prometheus",
    (port, dir) => {
      const config = join(dir, "prometheus.yml");
      writeFileSync(
        config,
        [
          "global:",
          "  scrape_interval: 1s",
          "scrape_configs:",
          "  - job_name: cachestress",
          "    static_configs:",
          `      - targets: [${targets.map((t) => `"${t}"`).join(", ")}]`,
          "",
        ].join("\n"),
      );
      return [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
      ];
    },
    "/-/ready",
  );
}

export function startPushgateway(): Promise<StartedProcess> {
  return startHttpProcess(
    "prometheus-pushgateway",
    (port) => [`--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    "/-/ready",
  );
}

/** Runs a promtool subcommand on `input` (text on stdin, or a file path in args). */
export function promtool(args: string[], input?: string): { status: number | null; output: string } {
  const path = requireBinary("promtool");
  const run = spawnSync(path, args, { input, encoding: "utf8", timeout: 30_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Polls `check` until it returns a value or `timeoutMs` passes (bounded in count and time). */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 200 && Date.now() < deadline; i++) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return undefined;
}

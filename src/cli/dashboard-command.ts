import { join } from "node:path";
import { parseArgs } from "node:util";
import { type ConfigProblem, formatProblem } from "../config/errors.js";
import { type AccessKey, digestOf, generateKey, KeyRing, readKeyFile } from "../dashboard/access-keys.js";
import { buildDashboard } from "../dashboard/server.js";
import { EXIT } from "./exit-codes.js";

export const DASHBOARD_HELP = `Usage: cachestress dashboard [--port N] [--host ADDR] [--api-key KEY | --key-file FILE] [--out DIR]

Serves the live dashboard: start runs from shipped scenarios or an uploaded file, watch them
(throughput, latency, errors, server memory, hit ratio, CPU, alerts and faults as they happen),
stop or emergency-stop them, browse past reports, and a full-screen presentation view.

  --port N          port to listen on (default 8377; 0 = any free port)
  --host ADDR       address to bind (default 127.0.0.1: only this machine); anything else is
                    reachable from the network, so pair it with --allow-ip
  --api-key KEY     the admin key (or CACHESTRESS_API_KEY); without it and without --key-file a
                    key is generated and printed once
  --key-file FILE   YAML/JSON list of { id, role: viewer|operator|admin, key | keyEnv }
  --allow-ip A      only these addresses or CIDR ranges may connect (repeatable)
  --out DIR         results folder: runs write their reports here, history reads it (default Reports)
  --audit-log FILE  append-only log of every control action (default DIR/dashboard-audit.log)
  --help, -h        show this help

Exit codes: 0 stopped cleanly (Ctrl-C), 2 bad flags or key file, 3 could not listen.`;

const OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  "api-key": { type: "string" },
  "key-file": { type: "string" },
  "allow-ip": { type: "string", multiple: true },
  out: { type: "string" },
  "audit-log": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Default port: none of the well-known cache or monitoring ports. */
const DEFAULT_PORT = 8377;

export async function dashboardCommand(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    process.stderr.write(`cachestress dashboard: ${(error as Error).message}\n\n${DASHBOARD_HELP}\n`);
    return EXIT.usage;
  }
  if (values.help === true) {
    process.stdout.write(`${DASHBOARD_HELP}\n`);
    return EXIT.pass;
  }
  const problems: ConfigProblem[] = [];
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push({ field: "--port", value: values.port, allowed: "a port from 0 to 65535" });
  const host = (values.host as string | undefined) ?? "127.0.0.1";
  const allowIps = (values["allow-ip"] as string[] | undefined) ?? [];
  for (const ip of allowIps)
    if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(ip))
      problems.push({
        field: "--allow-ip",
        value: ip,
        allowed: "an IP address or CIDR range, e.g. 10.0.0.0/8",
      });
  const keys: AccessKey[] = [];
  let generated: string | undefined;
  const adminKey = (values["api-key"] as string | undefined) ?? env.CACHESTRESS_API_KEY;
  if (adminKey !== undefined) {
    if (adminKey.length < 16)
      problems.push({ field: "--api-key", value: "(hidden)", allowed: "a key of at least 16 characters" });
    else keys.push({ id: "admin", role: "admin", digest: digestOf(adminKey) });
  }
  if (values["key-file"] !== undefined) {
    const read = readKeyFile(values["key-file"] as string, env);
    problems.push(...read.problems);
    keys.push(...read.keys);
  }
  if (problems.length > 0) {
    process.stderr.write(
      `cachestress dashboard: ${problems.length} problem(s):\n${problems.map(formatProblem).join("\n")}\n`,
    );
    return EXIT.usage;
  }
  if (keys.length === 0) {
    generated = generateKey();
    keys.push({ id: "admin", role: "admin", digest: digestOf(generated) });
  }
  const outDir = (values.out as string | undefined) ?? "Reports";
  const { app } = await buildDashboard({
    keys: new KeyRing(keys),
    outDir,
    auditLogPath: (values["audit-log"] as string | undefined) ?? join(outDir, "dashboard-audit.log"),
    allowIps,
  });
  let address: string;
  try {
    address = await app.listen({ port, host });
  } catch (error) {
    process.stderr.write(
      `cachestress dashboard: cannot listen on ${host}:${port}: ${(error as Error).message}\n`,
    );
    return EXIT.couldNotRun;
  }
  process.stderr.write(`cachestress dashboard: ${address}/ (reports in ${outDir})\n`);
  if (generated !== undefined)
    process.stderr.write(`cachestress dashboard: admin key (shown once, not stored): ${generated}\n`);
  if (host !== "127.0.0.1" && host !== "::1" && host !== "localhost" && allowIps.length === 0)
    process.stderr.write(
      `cachestress dashboard: WARNING: listening on ${host} without --allow-ip; anyone who can reach it may try keys\n`,
    );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  process.stderr.write("cachestress dashboard: stopping; live runs stop and write their reports\n");
  await app.close();
  return EXIT.pass;
}

import { createClient } from "@redis/client";
import { freePort, type ManagedRedis, startManagedRedis } from "../../src/core/managed-redis.js";
import type { TestCertificates } from "./tls-certs.js";

/**
 * Helpers for integration tests: a real redis-server per test file, and the server's own view of
 * what happened (INFO commandstats is the ground truth the tool's counts are checked against).
 * Each helper opens its own connection and closes it, so the helpers' traffic is limited to the
 * INFO/DBSIZE/SCAN commands they send themselves.
 */

export type { ManagedRedis };

export function startRedis(extraArgs: string[] = []): Promise<ManagedRedis> {
  return startManagedRedis({ extraArgs });
}

export interface TlsRedis extends ManagedRedis {
  tlsPort: number;
  /** `rediss://127.0.0.1:<tlsPort>`: what the tool under test is pointed at. */
  tlsUrl: string;
}

/**
 * A redis-server that also listens with TLS on a second port, with the test certificates. The plain
 * port (`url`) stays open on 127.0.0.1 for the helpers' own INFO reads, so the ground truth never
 * depends on the TLS code being tested; the tool is pointed at `tlsUrl` only.
 */
export async function startTlsRedis(
  certs: TestCertificates,
  opts: { clientCertificates?: boolean; extraArgs?: string[] } = {},
): Promise<TlsRedis> {
  const tlsPort = await freePort();
  const redis = await startRedis([
    "--tls-port",
    String(tlsPort),
    "--tls-cert-file",
    certs.serverCert,
    "--tls-key-file",
    certs.serverKey,
    "--tls-ca-cert-file",
    certs.ca,
    "--tls-auth-clients",
    opts.clientCertificates === true ? "yes" : "no",
    ...(opts.extraArgs ?? []),
  ]);
  return { ...redis, tlsPort, tlsUrl: `rediss://127.0.0.1:${tlsPort}` };
}

/** `ACL SETUSER name ...rules` through the default user, e.g. `on >pw ~prefix:* +@all`. */
export async function aclSetUser(url: string, name: string, ...rules: string[]): Promise<void> {
  await withClient(url, (c) => c.sendCommand(["ACL", "SETUSER", name, ...rules]));
}

async function withClient<T>(
  url: string,
  use: (client: ReturnType<typeof createClient>) => Promise<T>,
): Promise<T> {
  // Typed with the default (module-less) client type that `use` takes, as src/core/target-client.ts does.
  const client: ReturnType<typeof createClient> = createClient({ url } as never);
  client.on("error", () => {
    // Reported through the rejected command instead.
  });
  await client.connect();
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

/** `INFO <section>` as a map of field → raw value (`used_memory` → `"1234"`). */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split("\r\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

export async function info(url: string, section: string): Promise<Record<string, string>> {
  return parseInfo(await withClient(url, (c) => c.info(section)));
}

export interface CommandStat {
  calls: number;
  failedCalls: number;
}

/**
 * Per command, from `INFO commandstats`, keyed in lower case (`set`, `get`, `client|setname`).
 * The INFO command that reads them is counted after its reply is built, so it is not in its own
 * result. A fresh managed server already shows `ping` and `info` once each (its readiness probe).
 */
export async function commandStats(url: string): Promise<Record<string, CommandStat>> {
  const stats: Record<string, CommandStat> = {};
  for (const [field, value] of Object.entries(await info(url, "commandstats"))) {
    if (!field.startsWith("cmdstat_")) continue;
    const parts = parseInfoValue(value);
    stats[field.slice("cmdstat_".length).toLowerCase()] = {
      calls: Number(parts.calls ?? 0),
      failedCalls: Number(parts.failed_calls ?? 0),
    };
  }
  return stats;
}

/** `calls=3,usec=12,usec_per_call=4.00` → `{ calls: "3", usec: "12", usec_per_call: "4.00" }`. */
function parseInfoValue(value: string): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const pair of value.split(",")) {
    const eq = pair.indexOf("=");
    if (eq > 0) parts[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return parts;
}

export function dbsize(url: string): Promise<number> {
  return withClient(url, (c) => c.dbSize());
}

/** How many keys match `pattern`, by a full SCAN (the server's MATCH, not KEYS). */
export function scanCount(url: string, pattern: string): Promise<number> {
  return withClient(url, async (c) => {
    let count = 0;
    for await (const keys of c.scanIterator({ MATCH: pattern, COUNT: 1000 })) count += keys.length;
    return count;
  });
}

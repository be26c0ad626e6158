import { createClient } from "@redis/client";
import { type ConnectionTarget, tlsOptions } from "./connection-target.js";

/** How long connecting (TCP, TLS, AUTH) may take before the target counts as unreachable, ms. */
export const CONNECT_TIMEOUT_MS = 3000;

export type TargetClient = ReturnType<typeof createClient>;

/**
 * A node-redis client for everything off the hot path (admin, probes, a check's own reads and
 * side loads), not yet connected, with the target's TLS, credentials and database. It never
 * reconnects by itself: each user decides what a lost connection means (a retry once per probe
 * interval, a loss to report). It sends no CLIENT SETINFO, which is noise in the server's
 * commandstats and refused by some managed services. Callers add their own "error" listener.
 */
export function createTargetClient(target: ConnectionTarget): TargetClient {
  return createClient({
    socket: {
      host: target.host,
      port: target.port,
      ...(target.tls && { tls: true, ...tlsOptions(target) }),
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: false,
    } as never,
    username: target.username,
    password: target.password,
    database: target.db,
    disableClientInfo: true,
  });
}

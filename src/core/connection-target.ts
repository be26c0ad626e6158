import net from "node:net";
import type tls from "node:tls";

/** Where and how a hot-path connection connects. Secrets stay in memory only. */
export interface ConnectionTarget {
  host: string;
  port: number;
  tls: boolean;
  /** TLS: verify the server certificate (on unless the user asked otherwise). */
  rejectUnauthorized: boolean;
  servername?: string;
  /** TLS: PEM text (read once before the run), CA certificates to trust instead of the system's. */
  ca?: string;
  /** TLS: PEM client certificate and its key, for servers that ask for one (mutual TLS). */
  cert?: string;
  key?: string;
  /** Updated in place when a token is refreshed, so that every new connection uses the newest one. */
  username?: string;
  password?: string;
  db: number;
  /** Send READONLY after connecting: a cluster replica then serves reads of its primary's slots. */
  readOnly?: boolean;
}

/** What tls.connect needs beyond host and port; node-redis clients take the same socket options. */
export function tlsOptions(t: ConnectionTarget): tls.ConnectionOptions {
  return {
    servername: t.servername ?? (net.isIP(t.host) ? undefined : t.host),
    rejectUnauthorized: t.rejectUnauthorized,
    ca: t.ca,
    cert: t.cert,
    key: t.key,
  };
}

/** Wall-clock milliseconds with sub-ms precision, comparable across worker threads. */
const EPOCH_OFFSET_MS = performance.timeOrigin;
export function epochNowMs(): number {
  return EPOCH_OFFSET_MS + performance.now();
}

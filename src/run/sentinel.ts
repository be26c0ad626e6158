import { createClient } from "@redis/client";
import { CONNECT_TIMEOUT_MS, TargetUnreachableError } from "../core/admin-client.js";
import { TargetUrlError } from "../core/target.js";
import type { ConnectionTarget } from "../engine/load-connection.js";
import { epochNowMs } from "../engine/load-connection.js";

/** How often the sentinels are asked who the primary is during a run, ms. */
const POLL_EVERY_MS = 250;

export interface SentinelTarget {
  sentinels: { host: string; port: number }[];
  masterName: string;
}

/**
 * `redis+sentinel://[user:pass@]host:port[,host:port...]/mastername` (`rediss+sentinel://` for TLS
 * to the data nodes). The user and password are the data nodes'; the sentinels are asked without.
 * Undefined when the URL is not a sentinel URL.
 */
export function parseSentinelUrl(
  url: string,
): { sentinel: SentinelTarget; dataUrl: (host: string, port: number) => string } | undefined {
  const match = /^(rediss?)\+sentinel:\/\/(?:([^@/]*)@)?([^/]+)\/([^/?#]+)\/?$/.exec(url);
  if (match === null) {
    if (/^rediss?\+sentinel:/.test(url)) {
      throw new TargetUrlError(
        "--url: a sentinel URL is redis+sentinel://[user:pass@]host:port[,host:port...]/mastername",
      );
    }
    return undefined;
  }
  const [, scheme, userinfo, hosts, masterName] = match;
  const sentinels = hosts.split(",").map((hostPort) => {
    const colon = hostPort.lastIndexOf(":");
    const host = (colon > 0 ? hostPort.slice(0, colon) : hostPort).replace(/^\[(.*)\]$/, "$1");
    const port = colon > 0 ? Number(hostPort.slice(colon + 1)) : 26379;
    if (host === "" || !Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new TargetUrlError(`--url: sentinel address "${hostPort}" must be host:port`);
    }
    return { host, port };
  });
  return {
    sentinel: { sentinels, masterName: decodeURIComponent(masterName) },
    dataUrl: (host, port) =>
      `${scheme}://${userinfo !== undefined ? `${userinfo}@` : ""}${host.includes(":") ? `[${host}]` : host}:${port}`,
  };
}

/** Asks each sentinel in turn for the primary's address; the first answer wins. */
export async function askPrimary(sentinel: SentinelTarget): Promise<{ host: string; port: number }> {
  const causes: string[] = [];
  for (const s of sentinel.sentinels) {
    const client = createClient({
      socket: { host: s.host, port: s.port, connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false },
    });
    client.on("error", () => {});
    try {
      await client.connect();
      const reply = (await client.sendCommand([
        "SENTINEL",
        "GET-MASTER-ADDR-BY-NAME",
        sentinel.masterName,
      ])) as [string, string] | null;
      if (reply === null) {
        causes.push(`${s.host}:${s.port} does not know a primary named "${sentinel.masterName}"`);
        continue;
      }
      return { host: String(reply[0]), port: Number(reply[1]) };
    } catch (error) {
      causes.push(`${s.host}:${s.port}: ${(error as Error).message.split("\n")[0]}`);
    } finally {
      try {
        client.destroy();
      } catch {
        // never opened
      }
    }
  }
  throw new TargetUnreachableError(
    `no sentinel named the primary "${sentinel.masterName}": ${causes.join("; ")}`,
  );
}

export interface Failover {
  /** Seconds since the measured part started. */
  tS: number;
  from: string;
  to: string;
}

/**
 * Follows the primary during a run: asks the sentinels every 250 ms and, when the answer changes,
 * tells the engine threads to reconnect to the new primary. Each switch is recorded for the report.
 */
export class SentinelWatch {
  readonly failovers: Failover[] = [];
  private originMs = epochNowMs();
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly sentinel: SentinelTarget,
    private current: ConnectionTarget,
    private readonly onSwitch: (host: string, port: number) => void,
    private readonly say: (line: string) => void,
  ) {
    this.timer = setInterval(() => this.poll(), POLL_EVERY_MS);
  }

  setOrigin(epochMs: number): void {
    this.originMs = epochMs;
  }

  get primary(): { host: string; port: number } {
    return { host: this.current.host, port: this.current.port };
  }

  private poll(): void {
    this.running = this.running.then(async () => {
      if (this.stopped) return;
      const next = await askPrimary(this.sentinel).catch(() => undefined);
      if (next === undefined || this.stopped) return;
      if (next.host === this.current.host && next.port === this.current.port) return;
      const failover = {
        tS: Math.round((epochNowMs() - this.originMs) / 100) / 10,
        from: `${this.current.host}:${this.current.port}`,
        to: `${next.host}:${next.port}`,
      };
      this.current = { ...this.current, host: next.host, port: next.port };
      this.failovers.push(failover);
      this.say(
        `sentinel: primary "${this.sentinel.masterName}" moved from ${failover.from} to ${failover.to} at ${failover.tS}s`,
      );
      this.onSwitch(next.host, next.port);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}

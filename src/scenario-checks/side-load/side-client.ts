import { createTargetClient, type TargetClient } from "../../core/target-client.js";
import type { ConnectionTarget } from "../../engine/load-connection.js";

export type RedisClient = TargetClient;

/**
 * A node-redis connection a check drives beside the load (a flag reader, a publisher, a
 * subscriber). It never reconnects and sends no CLIENT SETINFO: every command it sends is one the
 * check counts, so the count check against INFO commandstats stays exact, and a connection the
 * server killed stays dead, which is what a loss measurement must see.
 */
export class SideClient {
  /** Why the connection ended while it was meant to be open; undefined while it is fine. */
  brokenBy: string | undefined;
  private closing = false;

  private constructor(readonly client: RedisClient) {}

  static async connect(target: ConnectionTarget): Promise<SideClient> {
    const client = createTargetClient(target);
    const side = new SideClient(client);
    client.on("error", (error: Error) => {
      // node-redis reports a broken socket here; without a listener it would crash the process.
      if (!side.closing && side.brokenBy === undefined) side.brokenBy = error.message.split("\n")[0];
    });
    await client.connect();
    return side;
  }

  get isOpen(): boolean {
    return this.client.isOpen && this.brokenBy === undefined;
  }

  /** Drops the socket without a QUIT: nothing more reaches the server's command counts. */
  close(): void {
    this.closing = true;
    try {
      this.client.destroy();
    } catch {
      // Already closed (killed by the server, or never opened): nothing left to release.
    }
  }
}

/** Opens `count` side clients together; on a failure closes the ones that opened and rethrows. */
export async function connectSideClients(target: ConnectionTarget, count: number): Promise<SideClient[]> {
  const settled = await Promise.allSettled(Array.from({ length: count }, () => SideClient.connect(target)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed !== undefined) {
    for (const s of settled) if (s.status === "fulfilled") s.value.close();
    throw failed.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<SideClient>).value);
}

import { ErrorReply, RESP_TYPES } from "redis";
import type { ConnectionTarget } from "../engine/load-connection.js";
import { createTargetClient, type TargetClient } from "../run/target-client.js";

/** The check cannot work against this target (a cluster, a refused MGET...); found before any load. */
export class CheckUnavailableError extends Error {
  readonly code = "E_CHECK_UNAVAILABLE";
}

/** Values come back as Buffers, so a comparison with the written record is byte for byte. */
const AS_BUFFERS = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } };

/**
 * A check's own connection to the server (never through the fault proxy): MGET of a batch of keys
 * with the values as raw bytes. It counts the MGETs it sent and the replies it read, so the reads a
 * check makes while the load runs can be added to the run's count check.
 */
export class KeyReader {
  /** MGET commands written to the socket, and those answered (with values or an error reply). */
  readonly counts = { sent: 0, completed: 0 };

  private constructor(private readonly client: TargetClient) {}

  static async open(target: ConnectionTarget, where: string): Promise<KeyReader> {
    const client = createTargetClient(target);
    client.on("error", () => {
      // A broken connection rejects the commands in flight; that rejection is what gets reported.
    });
    try {
      await client.connect();
    } catch (error) {
      client.destroy();
      throw new CheckUnavailableError(
        `the check cannot open its own connection to ${where}: ${(error as Error).message}`,
      );
    }
    return new KeyReader(client);
  }

  /** The values of `names` in order; null for a key that does not exist. */
  async mget(names: string[]): Promise<(Buffer | null)[]> {
    this.counts.sent++;
    try {
      const reply = await this.client.sendCommand<(Buffer | null)[]>(["MGET", ...names], AS_BUFFERS);
      this.counts.completed++;
      return reply;
    } catch (error) {
      // An error reply was read (the server counts it as a rejected call); a broken connection answered nothing.
      if (error instanceof ErrorReply) this.counts.completed++;
      throw error;
    }
  }

  /** `INFO <section>` as text. */
  info(section: string): Promise<string> {
    return this.client.info(section);
  }

  get isOpen(): boolean {
    return this.client.isOpen;
  }

  close(): void {
    try {
      this.client.destroy();
    } catch {
      // Already closed; nothing left to release.
    }
  }
}

import { ClientClosedError, ClientOfflineError, ErrorReply } from "@redis/client";

/**
 * What a check sent and how many replies it read, per upper-case command name: the check's share
 * of the run's count check (ScenarioCheck.sentCommands). A command is counted as sent just before
 * it is handed to the client and as completed when any reply (an error reply too: the server
 * counted it) came back; a broken connection leaves it sent but not completed.
 */
export class CommandTally {
  private readonly counts: Record<string, { sent: number; completed: number }> = {};

  /** Counts `name` as sent, and as completed once `reply` settles with a server reply. */
  track<T>(name: string, reply: Promise<T>): Promise<T> {
    const count = this.entry(name);
    count.sent++;
    return reply.then(
      (value) => {
        count.completed++;
        return value;
      },
      (error: unknown) => {
        if (error instanceof ErrorReply) count.completed++;
        // Refused by node-redis before a byte was written: the server never saw it.
        else if (error instanceof ClientClosedError || error instanceof ClientOfflineError) count.sent--;
        throw error;
      },
    );
  }

  snapshot(): Record<string, { sent: number; completed: number }> {
    const copy: Record<string, { sent: number; completed: number }> = {};
    for (const [name, c] of Object.entries(this.counts)) copy[name] = { ...c };
    return copy;
  }

  private entry(name: string): { sent: number; completed: number } {
    this.counts[name] ??= { sent: 0, completed: 0 };
    return this.counts[name];
  }
}

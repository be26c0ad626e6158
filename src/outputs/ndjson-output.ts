import { createWriteStream, type WriteStream } from "node:fs";
import type { RunOutput } from "../run/run-event-bus.js";
import type { RunEvent } from "../run/run-events.js";

/**
 * `--events FILE` / `--events -`: every event as one JSON line, the way k6's `--out json` does,
 * for tools that follow a run live (`tail -f`, jq) or replay it afterwards. Writes are queued on the
 * stream and never awaited per event, so a slow disk cannot slow the run.
 */
export class NdjsonOutput implements RunOutput {
  readonly name: string;
  private stream: WriteStream | NodeJS.WritableStream | undefined;
  private failure: Error | undefined;

  constructor(private readonly path: string) {
    this.name = path === "-" ? "events-stdout" : "events-file";
  }

  start(): void {
    if (this.path === "-") {
      this.stream = process.stdout;
      return;
    }
    const file = createWriteStream(this.path, { flags: "w" });
    file.on("error", (error) => {
      this.failure ??= error;
    });
    this.stream = file;
  }

  onEvent(event: RunEvent): void {
    if (this.failure !== undefined) throw this.failure;
    this.stream?.write(`${JSON.stringify(event)}\n`);
  }

  async stop(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (stream === undefined || stream === process.stdout) return;
    await new Promise<void>((resolve, reject) => {
      (stream as WriteStream).end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
    if (this.failure !== undefined) throw this.failure;
  }
}

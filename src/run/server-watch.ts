import type { ConnectionTarget } from "../engine/load-connection.js";
import { epochNowMs } from "../engine/load-connection.js";
import { ServerProber } from "../probes/server-prober.js";
import type { ServerSample } from "../probes/types.js";

/**
 * Samples the server every probe interval for the whole run, on a connection of its own, so the
 * result has the server's view (memory, hit ratio, evictions, CPU...) on the same timeline as the
 * client's. A prober that cannot connect is not fatal: the run goes on without server samples.
 */
export class ServerWatch {
  readonly samples: ServerSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  /** Called with each new sample (the run's event stream). */
  onSample: ((sample: ServerSample) => void) | undefined;

  private constructor(
    private readonly prober: ServerProber | undefined,
    /** Epoch ms the sample times are measured from; set when the measured phase starts. */
    private originMs: number,
  ) {}

  static async start(
    target: ConnectionTarget,
    intervalMs: number,
    pid: number | undefined,
  ): Promise<ServerWatch> {
    let prober: ServerProber | undefined;
    try {
      prober = await ServerProber.connect(target, { pid, intervalMs });
    } catch {
      prober = undefined;
    }
    const watch = new ServerWatch(prober, epochNowMs());
    watch.timer = setInterval(() => void watch.takeSample(), intervalMs);
    await watch.takeSample();
    return watch;
  }

  /** Sample times (tS) are seconds since this moment: the start of the measured phase. */
  setOrigin(epochMs: number): void {
    this.originMs = epochMs;
  }

  get latest(): ServerSample | undefined {
    return this.samples.at(-1);
  }

  /** Commands the target refused (blocked or renamed), each reported once. */
  get unavailable(): string[] {
    return this.prober?.unavailable ?? ["server probes: could not open a probe connection"];
  }

  /** Refreshed credentials for the probe connection; its error's first line, or undefined. */
  reauthenticate(username: string | undefined, password: string): Promise<string | undefined> {
    return this.prober?.reauthenticate(username, password) ?? Promise.resolve(undefined);
  }

  async stop(): Promise<ServerSample[]> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.takeSample();
    await this.prober?.close();
    return this.samples;
  }

  private async takeSample(): Promise<void> {
    if (this.prober === undefined || this.inFlight) return;
    this.inFlight = true;
    try {
      const tS = Math.round(epochNowMs() - this.originMs) / 1000;
      const sample = await this.prober.sample(tS);
      this.samples.push(sample);
      this.onSample?.(sample);
    } finally {
      this.inFlight = false;
    }
  }
}

import { setTimeout as sleep } from "node:timers/promises";
import { redactText } from "../core/redact.js";
import { type NotificationContext, type Notifier, NotifyError } from "./notifier.js";
import type { AlertEvent } from "./rule-types.js";

/**
 * Delivers alert events to every notifier without ever slowing or failing the run: `notify` only
 * queues, one queue per notifier (so a dead SMTP server does not delay Slack, and a rule's
 * `resolved` never overtakes its `firing`), and every outcome becomes a DeliveryRecord instead of an
 * exception. Failed attempts are retried with exponential backoff and jitter; `flush` waits for the
 * queues with a bound, so a stuck receiver cannot keep a finished run from exiting.
 */

export interface DeliveryRecord {
  /** The notifier's redacted description (`slack https://hooks.slack.com/***`). */
  notifier: string;
  eventRule: string;
  eventType: AlertEvent["type"];
  /** The event's time, s since the measured part started. */
  eventTS: number;
  ok: boolean;
  /** Sends tried; 0 in a dry run. */
  attempts: number;
  dryRun?: true;
  error?: string;
}

export interface DispatcherOptions {
  context: NotificationContext;
  /** Print what would be sent and send nothing. */
  dryRun?: boolean;
  /** Where progress lines go (stderr in the CLI); never given a secret. */
  log?: (line: string) => void;
  /** Attempts per event and notifier, the first included. */
  maxAttempts?: number;
  /** Wait before the 2nd attempt, ms; doubled for each further attempt. */
  baseDelayMs?: number;
  /** Cap on one wait, ms, also on a receiver's `Retry-After`. */
  maxDelayMs?: number;
  /** 0..1; replaceable so tests can pin the jitter. */
  random?: () => number;
}

interface Job {
  event: AlertEvent;
  attempts: number;
  /** Set once its record is written, so an abandoned send that ends later is not recorded twice. */
  settled: boolean;
}

export class NotificationDispatcher {
  readonly records: DeliveryRecord[] = [];
  private readonly queues: Job[][];
  private readonly active: (Job | undefined)[];
  private readonly drains: (Promise<void> | undefined)[];
  private readonly stop = new AbortController();
  private readonly options: Required<Omit<DispatcherOptions, "context">> & { context: NotificationContext };

  constructor(
    private readonly notifiers: readonly Notifier[],
    options: DispatcherOptions,
  ) {
    this.options = {
      dryRun: false,
      log: () => {},
      maxAttempts: 4,
      baseDelayMs: 250,
      maxDelayMs: 10_000,
      random: Math.random,
      ...options,
    };
    this.queues = notifiers.map(() => []);
    this.active = notifiers.map(() => undefined);
    this.drains = notifiers.map(() => undefined);
  }

  /**
   * Queues the event and returns at once; never throws. Without `only` it goes to every notifier
   * that is not an escalation step (`escalateAfter`); with it, to exactly those notifiers (indexes).
   */
  notify(event: AlertEvent, only?: readonly number[]): void {
    this.notifiers.forEach((notifier, i) => {
      if (only !== undefined ? !only.includes(i) : notifier.escalateAfterMs !== undefined) return;
      try {
        if (this.options.dryRun) this.dryRun(notifier, event);
        else if (this.stop.signal.aborted)
          this.record(
            notifier,
            { event, attempts: 0, settled: false },
            false,
            "not sent: notifications were already flushed and closed",
          );
        else {
          this.queues[i].push({ event, attempts: 0, settled: false });
          this.drains[i] ??= this.drain(i).finally(() => {
            this.drains[i] = undefined;
          });
        }
      } catch (error) {
        this.record(notifier, { event, attempts: 0, settled: false }, false, messageOf(error));
      }
    });
  }

  /**
   * Waits until every queued event is delivered or given up, at most `timeoutMs`. Past that, what
   * is still queued or being retried is recorded as not delivered and no further attempt is made.
   * Returns every record so far.
   */
  async flush(timeoutMs: number): Promise<DeliveryRecord[]> {
    const pending = this.drains.filter((d): d is Promise<void> => d !== undefined);
    if (pending.length > 0) {
      // The timer is cancelled when the queues finish first, so it neither lingers nor holds the process.
      const cancelTimer = new AbortController();
      const timer = sleep(timeoutMs, "timeout" as const, { signal: cancelTimer.signal }).catch(
        () => "done" as const,
      );
      const outcome = await Promise.race([Promise.all(pending).then(() => "done" as const), timer]);
      cancelTimer.abort();
      if (outcome === "timeout") this.abandon(`not delivered within the flush timeout of ${timeoutMs}ms`);
    }
    return [...this.records];
  }

  private async drain(i: number): Promise<void> {
    const queue = this.queues[i];
    while (queue.length > 0 && !this.stop.signal.aborted) {
      const job = queue.shift()!;
      this.active[i] = job;
      await this.deliver(this.notifiers[i], job);
      this.active[i] = undefined;
    }
  }

  private async deliver(notifier: Notifier, job: Job): Promise<void> {
    const { maxAttempts, context } = this.options;
    const what = `${job.event.type} ${job.event.rule}`;
    for (;;) {
      job.attempts++;
      try {
        await notifier.send(job.event, context);
        const tries = job.attempts === 1 ? "" : ` after ${job.attempts} attempts`;
        if (!job.settled) this.log(`alert notification: ${notifier.describe()} ← ${what}: delivered${tries}`);
        this.record(notifier, job, true);
        return;
      } catch (error) {
        const message = messageOf(error);
        const retryable = !(error instanceof NotifyError) || error.retryable;
        if (!retryable || job.attempts >= maxAttempts || this.stop.signal.aborted) {
          const why = retryable ? "" : " (not retried: the receiver's answer will not change)";
          if (!job.settled)
            this.log(
              `alert notification: ${notifier.describe()} ← ${what}: NOT delivered after ${job.attempts} attempt(s)${why}: ${message}`,
            );
          this.record(notifier, job, false, message);
          return;
        }
        const delayMs = this.backoffMs(
          job.attempts,
          error instanceof NotifyError ? error.retryAfterMs : undefined,
        );
        this.log(
          `alert notification: ${notifier.describe()} ← ${what}: attempt ${job.attempts} of ${maxAttempts} failed (${message}); retrying in ${delayMs}ms`,
        );
        try {
          await sleep(delayMs, undefined, { signal: this.stop.signal });
        } catch {
          // Aborted by a flush timeout: `abandon` has already recorded this job.
          return;
        }
      }
    }
  }

  /**
   * Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries from
   * several notifiers spread out but never come back immediately. A `Retry-After` is honoured up to
   * the cap.
   */
  backoffMs(failedAttempts: number, retryAfterMs?: number): number {
    const { baseDelayMs, maxDelayMs, random } = this.options;
    const exponentialMs = Math.min(maxDelayMs, baseDelayMs * 2 ** (failedAttempts - 1));
    const jitteredMs = Math.round(exponentialMs / 2 + random() * (exponentialMs / 2));
    return retryAfterMs === undefined ? jitteredMs : Math.max(jitteredMs, Math.min(retryAfterMs, maxDelayMs));
  }

  private abandon(reason: string): void {
    this.stop.abort();
    this.notifiers.forEach((notifier, i) => {
      const jobs = [...(this.active[i] ? [this.active[i]] : []), ...this.queues[i].splice(0)];
      for (const job of jobs) {
        this.log(
          `alert notification: ${notifier.describe()} ← ${job.event.type} ${job.event.rule}: ${reason}`,
        );
        this.record(notifier, job, false, reason);
      }
    });
  }

  private dryRun(notifier: Notifier, event: AlertEvent): void {
    const rendered = notifier.render(event, this.options.context);
    this.log(
      `[dry-run] ${rendered.summary}\n[dry-run] would send:\n${JSON.stringify(rendered.payload, null, 2)}`,
    );
    this.records.push({ ...this.base(notifier, event), ok: true, attempts: 0, dryRun: true });
  }

  private record(notifier: Notifier, job: Job, ok: boolean, error?: string): void {
    if (job.settled) return;
    job.settled = true;
    const record: DeliveryRecord = { ...this.base(notifier, job.event), ok, attempts: job.attempts };
    if (error !== undefined) record.error = error;
    this.records.push(record);
  }

  private base(notifier: Notifier, event: AlertEvent) {
    return { notifier: notifier.describe(), eventRule: event.rule, eventType: event.type, eventTS: event.tS };
  }

  /** A logger that throws must not turn into a crashed run. */
  private log(line: string): void {
    try {
      this.options.log(line);
    } catch {
      // Nothing better to do with a broken log sink.
    }
  }
}

function messageOf(error: unknown): string {
  return redactText(error instanceof Error ? error.message : String(error));
}

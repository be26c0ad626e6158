import type { AlertEvent } from "./rule-types.js";

/**
 * What happens after an alert fires, as on-call tools do it (Alertmanager's `repeat_interval`,
 * PagerDuty's escalation and acknowledgement):
 *
 * - a rule that keeps firing is sent again every `repeatEveryMs` as a reminder;
 * - a rule that is still firing `escalateAfterMs` after it fired also goes to that escalation
 *   notifier (a second team, a pager), once per firing;
 * - an acknowledgement silences both, for the firing it was given for; when the rule resolves, the
 *   resolution still goes out (to the escalation notifiers too, if they were told), and the next
 *   firing of the rule starts afresh.
 *
 * Pure apart from its own state: the caller passes the run's time and the acknowledgements it read.
 */

/** An escalation step: notifier `notifier` (its index) hears of a firing after `afterMs`. */
export interface EscalationStep {
  notifier: number;
  afterMs: number;
}

export interface FollowUpOptions {
  /** Send a reminder of a firing rule this often, ms; undefined: never. Per rule, overrides it. */
  repeatEveryMs?: number;
  repeatEveryMsByRule?: Record<string, number>;
  escalations: readonly EscalationStep[];
}

/** A notification to send: the event, and to whom ("primary" = every notifier that is not an escalation). */
export interface FollowUpDelivery {
  event: AlertEvent;
  to: "primary" | number[];
}

/** What a run records of its follow-ups, for the result. */
export interface FollowUpRecord {
  rule: string;
  kind: "reminder" | "escalation" | "acknowledged";
  /** Seconds since the measured part started. */
  tS: number;
  /** Escalations: the notifier's index in `notify`. */
  notifier?: number;
  /** Acknowledgements: who or what acknowledged it, as the ack line said. */
  by?: string;
}

interface Episode {
  firing: AlertEvent;
  firedAtS: number;
  /** Wall time it fired, epoch ms: an acknowledgement counts for a firing that started before it. */
  firedAtMs: number;
  lastSentS: number;
  reminders: number;
  escalatedTo: Set<number>;
  acknowledged: boolean;
}

/** An acknowledgement: the rule, when it was given (epoch ms), and by whom. */
export interface Acknowledgement {
  rule: string;
  atMs: number;
  by?: string;
}

export class AlertFollowUp {
  readonly records: FollowUpRecord[] = [];
  private readonly open = new Map<string, Episode>();

  constructor(private readonly options: FollowUpOptions) {}

  /** True when this run has anything to follow up; callers skip reading ack files otherwise. */
  get active(): boolean {
    return (
      this.options.repeatEveryMs !== undefined ||
      Object.keys(this.options.repeatEveryMsByRule ?? {}).length > 0 ||
      this.options.escalations.length > 0
    );
  }

  /**
   * One interval: the evaluator's events of this interval, the run's time (`tS`, and `nowMs` epoch)
   * and every acknowledgement known now. Returns what to send, in order.
   */
  step(
    events: readonly AlertEvent[],
    tS: number,
    nowMs: number,
    acks: readonly Acknowledgement[],
  ): FollowUpDelivery[] {
    const out: FollowUpDelivery[] = [];
    for (const event of events) {
      if (event.type === "firing") {
        this.open.set(event.rule, {
          firing: event,
          firedAtS: event.tS,
          firedAtMs: nowMs,
          lastSentS: event.tS,
          reminders: 0,
          escalatedTo: new Set(),
          acknowledged: false,
        });
        out.push({ event, to: "primary" });
      } else {
        const episode = this.open.get(event.rule);
        this.open.delete(event.rule);
        out.push({ event, to: "primary" });
        if (episode !== undefined && episode.escalatedTo.size > 0)
          out.push({ event: { ...event, escalated: true }, to: [...episode.escalatedTo] });
      }
    }
    for (const [rule, episode] of this.open) {
      if (!episode.acknowledged) {
        const ack = acks.find((a) => a.rule === rule && a.atMs >= episode.firedAtMs);
        if (ack !== undefined) {
          episode.acknowledged = true;
          this.records.push({ rule, kind: "acknowledged", tS, by: ack.by });
        }
      }
      if (episode.acknowledged) continue;
      const repeatMs = this.options.repeatEveryMsByRule?.[rule] ?? this.options.repeatEveryMs;
      if (repeatMs !== undefined && (tS - episode.lastSentS) * 1000 + 0.001 >= repeatMs) {
        episode.reminders++;
        episode.lastSentS = tS;
        this.records.push({ rule, kind: "reminder", tS });
        out.push({ event: reminderOf(episode, tS), to: "primary" });
      }
      for (const step of this.options.escalations) {
        if (episode.escalatedTo.has(step.notifier)) continue;
        if ((tS - episode.firedAtS) * 1000 + 0.001 < step.afterMs) continue;
        episode.escalatedTo.add(step.notifier);
        this.records.push({ rule, kind: "escalation", tS, notifier: step.notifier });
        const held = Math.round((tS - episode.firedAtS) * 10) / 10;
        out.push({
          event: {
            ...episode.firing,
            tS,
            escalated: true,
            message: `${episode.firing.message} (escalated: firing for ${held}s, not acknowledged)`,
          },
          to: [step.notifier],
        });
      }
    }
    return out;
  }
}

function reminderOf(episode: Episode, tS: number): AlertEvent {
  const held = Math.round((tS - episode.firedAtS) * 10) / 10;
  return {
    ...episode.firing,
    tS,
    repeat: episode.reminders,
    message: `${episode.firing.message} (still firing after ${held}s, reminder ${episode.reminders})`,
  };
}

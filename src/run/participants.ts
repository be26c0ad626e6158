import { firstLine } from "../config/errors.js";
import type { RunConfig } from "../config/types.js";
import type { EngineThreads } from "../engine/engine-threads.js";
import type { ServerSample } from "../probes/types.js";
import type { RunResult, SeriesPoint } from "../result/result-types.js";
import type { ScenarioCheck } from "../scenario-checks/index.js";
import { AlertsParticipant } from "./alerts-participant.js";
import { AuditParticipant } from "./audit-participant.js";
import { budgetWatch } from "./budget-watch.js";
import { CheckParticipant } from "./check-participant.js";
import { costParticipant } from "./cost-participant.js";
import type { KeyIsolation } from "./key-isolation.js";
import type { Participant, RunContext } from "./participant.js";
import type { RunFaults } from "./run-faults.js";
import { parseSentinelUrl } from "./sentinel.js";
import { SentinelParticipant } from "./sentinel-participant.js";
import type { ServerWatches } from "./server-watches.js";
import { TokenParticipant } from "./token-participant.js";
import { TopologyParticipant } from "./topology-participant.js";

/** What the orchestrator builds itself and hands in: they shape the load, not only watch it. */
export interface RunParts {
  isolation: KeyIsolation;
  faults: RunFaults;
  watches: ServerWatches;
  check: ScenarioCheck | undefined;
}

import { ResourceWatch } from "./resource-watch.js";
import { warmTopParticipant } from "./warm-top.js";

/**
 * The participants a run gets from its config, in the order their hooks run. A new participant is
 * one file implementing Participant (src/run/participant.ts) and one line here. Key isolation
 * comes first (nothing is written before the prefix is judged); the scenario check comes last (it
 * judges a result every other participant has filled in).
 */
export function createParticipants(config: RunConfig, parts: RunParts): Participant[] {
  const participants: Participant[] = [parts.isolation, parts.faults, parts.watches];
  // After the server watches: it replaces the resource zones their analysis put in the result.
  participants.push(new ResourceWatch(config));
  if (config.audit) participants.push(new AuditParticipant());
  participants.push(new TopologyParticipant());
  const sentinel = config.url !== undefined ? parseSentinelUrl(config.url) : undefined;
  if (sentinel !== undefined) participants.push(new SentinelParticipant(sentinel.sentinel));
  participants.push(new TokenParticipant(parts.watches));
  participants.push(new AlertsParticipant());
  const budget = budgetWatch(config);
  if (budget !== undefined) participants.push(budget);
  participants.push(...warmTopParticipant(config));
  // After alerts and the server analysis: it judges their cost estimate and adds to their alerts.
  const cost = costParticipant(config);
  if (cost !== undefined) participants.push(cost);
  if (parts.check !== undefined) participants.push(new CheckParticipant(parts.check));
  return participants;
}

/**
 * Calls one hook on every participant in order. beforeLoad lets a failure stop the run (the target
 * cannot be used); later hooks turn it into a warning in the result, so a watch that breaks never
 * costs the user the report of a load that ran.
 */
export class RunParticipants {
  /** Failures after the load started, as warnings for the result. */
  readonly problems: string[] = [];

  constructor(readonly list: readonly Participant[]) {}

  managedServerArgs(): string[] {
    return this.list.flatMap((p) => p.managedServerArgs?.() ?? []);
  }

  async beforeLoad(run: RunContext): Promise<void> {
    for (const p of this.list) await p.beforeLoad?.(run);
  }

  onLoadStart(engine: EngineThreads): void {
    for (const p of this.list) this.guard(p, "onLoadStart", () => p.onLoadStart?.(engine));
  }

  onMeasureStart(startEpochMs: number): void {
    for (const p of this.list) this.guard(p, "onMeasureStart", () => p.onMeasureStart?.(startEpochMs));
  }

  onInterval(point: SeriesPoint, server: ServerSample | undefined): void {
    for (const p of this.list) this.guard(p, "onInterval", () => p.onInterval?.(point, server));
  }

  async stopLoad(): Promise<void> {
    for (const p of this.list) await this.guardAsync(p, "stopLoad", () => p.stopLoad?.());
  }

  /** Commands participants sent while the load ran, added up per command. */
  sentCommands(): Record<string, { sent: number; completed: number }> | undefined {
    let total: Record<string, { sent: number; completed: number }> | undefined;
    for (const p of this.list) {
      const sent = p.sentCommands?.();
      if (sent === undefined) continue;
      total ??= {};
      for (const [name, c] of Object.entries(sent)) {
        const before = total[name] ?? { sent: 0, completed: 0 };
        total[name] = { sent: before.sent + c.sent, completed: before.completed + c.completed };
      }
    }
    return total;
  }

  async afterLoad(run: RunContext): Promise<void> {
    for (const p of this.list) await this.guardAsync(p, "afterLoad", () => p.afterLoad?.(run));
  }

  async contribute(result: RunResult): Promise<void> {
    for (const p of this.list) await this.guardAsync(p, "contribute", () => p.contribute?.(result));
    result.warnings.push(...this.problems);
  }

  /** Every participant's close, in reverse order; a failure here changes nothing any more. */
  async close(): Promise<void> {
    for (const p of [...this.list].reverse()) await p.close?.().catch(() => {});
  }

  private guard(p: Participant, hook: string, call: () => unknown): void {
    try {
      call();
    } catch (error) {
      this.note(p, hook, error);
    }
  }

  private async guardAsync(p: Participant, hook: string, call: () => unknown): Promise<void> {
    try {
      await call();
    } catch (error) {
      this.note(p, hook, error);
    }
  }

  /** Once per kind: a watch that fails every second is one warning, not one per second. */
  private note(p: Participant, hook: string, error: unknown): void {
    const text = `${p.name} failed in ${hook}: ${firstLine(error)}`;
    if (!this.problems.includes(text)) this.problems.push(text);
  }
}

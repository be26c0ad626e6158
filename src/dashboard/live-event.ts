import { addEncoded, newLatencyHistogram } from "../measure/histogram.js";
import type { RunResult } from "../result/result-types.js";
import type { RunEvent } from "../run/run-events.js";

/**
 * What the page gets of each run event: the figures the charts draw, without the raw HDR histograms
 * (they stay on the server), so a second screen on a slow link keeps up. Undefined: not shown.
 */
export type LiveEvent =
  | { type: "run-started"; scenario: string; target: string; serverVersion?: string; rate?: number }
  | { type: "phase"; phase: string; state: "started" | "ended" }
  | {
      type: "interval";
      phase: string;
      tS: number;
      opsPerSec: number;
      targetRate?: number;
      p50Ms: number;
      p99Ms: number;
      maxMs: number;
      /** From the actual send (open loop); from the intended start is p50Ms/p99Ms. */
      serviceP50Ms?: number;
      serviceP99Ms?: number;
      errors: number;
      timeouts: number;
      lateStarts?: number;
      perCommand: Record<string, { ops: number; p50Ms: number; p99Ms: number }>;
    }
  | {
      type: "server";
      tS: number;
      memoryUsedPercent?: number;
      usedMemoryBytes?: number;
      hitRatio?: number;
      evictedKeysPerSec?: number;
      cpuPercent?: number;
      connectedClients?: number;
    }
  | { type: "alert"; state: string; rule: string; severity: string; tS: number; message: string }
  | { type: "fault"; state: "started" | "ended"; name: string; kind: string; tS?: number }
  | { type: "notice"; message: string }
  /** Pause, resume and rate changes of the run (StartedRun.pause/resume/setRate). */
  | { type: "control"; action: "paused" | "resumed" | "rate-changed"; message: string; opsPerSecond?: number }
  | { type: "run-ended"; summary: RunSummary };

export interface RunSummary {
  status: RunResult["status"];
  verdict: RunResult["verdict"];
  ops: number;
  opsPerSec: number;
  p99Ms: number;
  errors: number;
  zones: { metric: string; zone: string }[];
  thresholds: { expression: string; ok: boolean; actual: number }[];
  countCheckOk: boolean;
  keysDeleted: number;
  durationMs: number;
  /** Why a partial run stopped (a budget, a stop button...). */
  stopReason?: string;
  stoppedBy?: RunResult["stoppedBy"];
}

export function summarize(result: RunResult): RunSummary {
  return {
    status: result.status,
    verdict: result.verdict,
    ops: result.totals.ops,
    opsPerSec: result.totals.opsPerSec,
    p99Ms: result.latency.p99,
    errors: result.totals.errors,
    zones: (result.zones ?? []).map((z) => ({ metric: z.label, zone: z.zone ?? "not measured" })),
    thresholds: result.thresholds.map((t) => ({ expression: t.expression, ok: t.ok, actual: t.actual })),
    countCheckOk: result.countCheck.ok,
    keysDeleted: result.cleanup.keysDeleted,
    durationMs: result.durationMs,
    stopReason: result.stopReason,
    stoppedBy: result.stoppedBy,
  };
}

export function liveEvent(event: RunEvent): LiveEvent | undefined {
  switch (event.type) {
    case "paused":
      return { type: "control", action: "paused", message: "paused: no new sends" };
    case "resumed":
      return {
        type: "control",
        action: "resumed",
        message: `resumed after ${(event.pausedMs / 1000).toFixed(1)} s paused`,
      };
    case "rate-changed":
      return {
        type: "control",
        action: "rate-changed",
        message: `rate set to ${event.opsPerSecond} ops/s`,
        opsPerSecond: event.opsPerSecond,
      };
    case "run-started":
      return {
        type: "run-started",
        scenario: event.scenario,
        target: event.target,
        serverVersion: event.serverVersion,
        rate: event.config.rate,
      };
    case "phase-started":
    case "phase-ended":
      return {
        type: "phase",
        phase: event.phase,
        state: event.type === "phase-started" ? "started" : "ended",
      };
    case "interval": {
      const p = event.point;
      const service = newLatencyHistogram();
      for (const c of event.commands) addEncoded(service, c.serviceTimeUs);
      const hasService = service.totalCount > 0;
      return {
        type: "interval",
        phase: event.phase,
        tS: event.tS,
        opsPerSec: p.opsPerSec,
        targetRate: p.targetRate,
        p50Ms: p.p50Ms,
        p99Ms: p.p99Ms,
        maxMs: p.maxMs,
        serviceP50Ms: hasService ? service.getValueAtPercentile(50) / 1000 : undefined,
        serviceP99Ms: hasService ? service.getValueAtPercentile(99) / 1000 : undefined,
        errors: p.errors,
        timeouts: p.timeouts,
        perCommand: p.perCommand,
      };
    }
    case "server-sample": {
      const s = event.sample;
      return {
        type: "server",
        tS: s.tS,
        memoryUsedPercent: s.memoryUsedPercent,
        usedMemoryBytes: s.usedMemoryBytes,
        hitRatio: s.hitRatio,
        evictedKeysPerSec: s.evictedKeysPerSec,
        cpuPercent: s.processCpuPercent,
        connectedClients: s.connectedClients,
      };
    }
    case "alert":
      return {
        type: "alert",
        state: event.alert.type,
        rule: event.alert.rule,
        severity: event.alert.severity,
        tS: event.alert.tS,
        message: event.alert.message,
      };
    case "fault-started":
    case "fault-ended":
      return {
        type: "fault",
        state: event.type === "fault-started" ? "started" : "ended",
        name: event.fault.name,
        kind: event.fault.kind,
        tS: event.type === "fault-started" ? event.fault.startS : event.fault.endS,
      };
    case "notice":
      return { type: "notice", message: event.message };
    case "run-ended":
      return { type: "run-ended", summary: summarize(event.result) };
  }
}

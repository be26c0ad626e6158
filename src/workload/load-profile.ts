import { formatDurationMs } from "../config/duration.js";
import type { Stage } from "../config/types.js";
import { hashUnit } from "./random.js";

/*
 * Schedule math for open-loop load profiles: the target rate at any moment, and when each
 * connection's next operation is due. Pure functions of (stages, seed, time), so the engine, the
 * report's target-rate series and the tests all agree on the same schedule.
 *
 * Time t is milliseconds since the measured part started. Rates are operations per second.
 * Stages run back to back; the rate is 0 before 0 and from the end of the last stage on.
 */

/** Ramps and waves change continuously; the schedule integrates them in slices this long. */
const CONTINUOUS_SLICE_MS = 10;
/** Guarantees progress when float rounding puts a boundary a hair before t. */
const MIN_ADVANCE_MS = 1e-6;

export function profileDurationMs(stages: readonly Stage[]): number {
  let totalMs = 0;
  for (const stage of stages) totalMs += stage.durationMs;
  return totalMs;
}

// Set by stageIndexAt so the hot path can return two numbers without allocating an object.
let foundStageStartMs = 0;

/** Index of the stage running at tMs (and its start in foundStageStartMs), or -1 outside the profile. */
function stageIndexAt(stages: readonly Stage[], tMs: number): number {
  if (!(tMs >= 0)) return -1;
  let startMs = 0;
  for (let i = 0; i < stages.length; i++) {
    const endMs = startMs + stages[i].durationMs;
    if (tMs < endMs) {
      foundStageStartMs = startMs;
      return i;
    }
    startMs = endMs;
  }
  return -1;
}

/** The target rate, ops/s, at tMs since the measured start; 0 outside the profile. */
export function rateAt(stages: readonly Stage[], tMs: number, seed: number): number {
  const index = stageIndexAt(stages, tMs);
  if (index < 0) return 0;
  return stageRate(stages[index], index, tMs - foundStageStartMs, seed);
}

function stageRate(stage: Stage, index: number, localMs: number, seed: number): number {
  switch (stage.kind) {
    case "constant":
      return stage.rate;
    case "ramp":
      return stage.fromRate + ((stage.toRate - stage.fromRate) * localMs) / stage.durationMs;
    case "step": {
      const rate = stage.startRate + Math.floor(localMs / stage.stepEveryMs) * stage.stepRate;
      return stage.maxRate === undefined ? rate : Math.min(rate, stage.maxRate);
    }
    case "burst": {
      // Each period runs at the base rate and ends with the burst, so a stage as long as one
      // period already contains a full burst.
      const phaseMs = localMs % stage.burstEveryMs;
      return phaseMs >= stage.burstEveryMs - stage.burstMs
        ? stage.baseRate * stage.multiplier
        : stage.baseRate;
    }
    case "wave":
      return Math.max(
        0,
        stage.baseRate + stage.amplitude * Math.sin((2 * Math.PI * localMs) / stage.periodMs),
      );
    case "chaos": {
      const segment = Math.floor(localMs / stage.changeEveryMs);
      return stage.minRate + (stage.maxRate - stage.minRate) * hashUnit(seed, index, segment);
    }
  }
}

/** For rates that hold still between change points: the stage-local time of the next change. */
function nextChangeLocalMs(stage: Stage, localMs: number): number {
  switch (stage.kind) {
    case "step": {
      const rate = stage.startRate + Math.floor(localMs / stage.stepEveryMs) * stage.stepRate;
      if (stage.maxRate !== undefined && rate >= stage.maxRate) return stage.durationMs;
      return (Math.floor(localMs / stage.stepEveryMs) + 1) * stage.stepEveryMs;
    }
    case "burst": {
      const phaseMs = localMs % stage.burstEveryMs;
      const burstStartMs = stage.burstEveryMs - stage.burstMs;
      return localMs - phaseMs + (phaseMs < burstStartMs ? burstStartMs : stage.burstEveryMs);
    }
    case "chaos":
      return (Math.floor(localMs / stage.changeEveryMs) + 1) * stage.changeEveryMs;
    default:
      return stage.durationMs;
  }
}

// The rate over the slice most recently returned by sliceEndMs (midpoint rate for continuous stages).
let sliceRate = 0;

/**
 * The end of the slice of time starting at tMs over which sliceRate is the rate: up to the next
 * change point for step-shaped stages (exact), at most maxSliceMs for ramps and waves (midpoint rule).
 */
function sliceEndMs(stages: readonly Stage[], seed: number, tMs: number, maxSliceMs: number): number {
  const index = stageIndexAt(stages, tMs);
  const stage = stages[index];
  const startMs = foundStageStartMs;
  const localMs = tMs - startMs;
  let endMs: number;
  if (stage.kind === "ramp" || stage.kind === "wave") {
    endMs = Math.min(tMs + Math.min(maxSliceMs, CONTINUOUS_SLICE_MS), startMs + stage.durationMs);
    sliceRate = stageRate(stage, index, (localMs + endMs - startMs) / 2, seed);
  } else {
    endMs = startMs + Math.min(nextChangeLocalMs(stage, localMs), stage.durationMs);
    sliceRate = stageRate(stage, index, localMs, seed);
  }
  return endMs > tMs ? endMs : tMs + MIN_ADVANCE_MS;
}

/** Target operations between two times, i.e. the integral of the rate. */
export function opsBetween(stages: readonly Stage[], seed: number, fromMs: number, toMs: number): number {
  const endMs = Math.min(toMs, profileDurationMs(stages));
  let tMs = Math.max(fromMs, 0);
  let ops = 0;
  while (tMs < endMs) {
    const sliceEnd = Math.min(sliceEndMs(stages, seed, tMs, Number.POSITIVE_INFINITY), endMs);
    ops += (sliceRate * (sliceEnd - tMs)) / 1000;
    tMs = sliceEnd;
  }
  return ops;
}

/** The mean target rate over the whole profile, ops/s. */
export function meanRate(stages: readonly Stage[], seed: number): number {
  const totalMs = profileDurationMs(stages);
  return totalMs > 0 ? (opsBetween(stages, seed, 0, totalMs) * 1000) / totalMs : 0;
}

/**
 * When one connection's next operation is due, given its previous intended start tMs.
 *
 * Each of `connections` connections takes every connections-th operation of the schedule, so the
 * next one is due once the schedule has advanced by `connections` operations: t + connections ×
 * 1000 / rate for a steady rate. Where the rate changes on the way, the rate is integrated, so a
 * ramp from 0 or a rate that drops to 0 neither stalls a connection nor fires early. Returns
 * Infinity when the profile ends first.
 */
export function nextIntendedStartMs(
  stages: readonly Stage[],
  seed: number,
  tMs: number,
  connections: number,
): number {
  const endMs = profileDurationMs(stages);
  let t = Math.max(tMs, 0);
  let remainingOps = connections;
  while (t < endMs) {
    // Centre the midpoint rule on where the operation will probably land.
    const rateNow = rateAt(stages, t, seed);
    const guessMs = rateNow > 0 ? (remainingOps * 1000) / rateNow : Number.POSITIVE_INFINITY;
    const sliceEnd = sliceEndMs(stages, seed, t, guessMs);
    const sliceOps = (sliceRate * (sliceEnd - t)) / 1000;
    if (sliceRate > 0 && sliceOps >= remainingOps) {
      const dueMs = t + (remainingOps * 1000) / sliceRate;
      return dueMs < endMs ? dueMs : Number.POSITIVE_INFINITY;
    }
    remainingOps -= sliceOps;
    t = sliceEnd;
  }
  return Number.POSITIVE_INFINITY;
}

/** One line for humans: `5s at 2000 ops/s, then 5s ramp 2000 → 8000 ops/s`. */
export function describeStages(stages: readonly Stage[]): string {
  if (stages.length === 0) return "no stages";
  return stages.map(describeStage).join(", then ");
}

function describeStage(stage: Stage): string {
  const d = formatDurationMs(stage.durationMs);
  switch (stage.kind) {
    case "constant":
      return `${d} at ${n(stage.rate)} ops/s`;
    case "ramp":
      return `${d} ramp ${n(stage.fromRate)} → ${n(stage.toRate)} ops/s`;
    case "step": {
      const max = stage.maxRate === undefined ? "" : ` up to ${n(stage.maxRate)}`;
      return `${d} steps from ${n(stage.startRate)} ops/s, +${n(stage.stepRate)} every ${formatDurationMs(stage.stepEveryMs)}${max}`;
    }
    case "burst":
      return (
        `${d} at ${n(stage.baseRate)} ops/s with bursts ×${n(stage.multiplier)} ` +
        `for ${formatDurationMs(stage.burstMs)} every ${formatDurationMs(stage.burstEveryMs)}`
      );
    case "wave":
      return `${d} wave ${n(stage.baseRate)} ± ${n(stage.amplitude)} ops/s, period ${formatDurationMs(stage.periodMs)}`;
    case "chaos":
      return `${d} chaos ${n(stage.minRate)}–${n(stage.maxRate)} ops/s, new rate every ${formatDurationMs(stage.changeEveryMs)}`;
  }
}

function n(value: number): string {
  return String(Math.round(value * 100) / 100);
}

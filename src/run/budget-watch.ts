import { join } from "node:path";
import { packageRoot } from "../config/scenario-paths.js";
import type { RunBudget, RunConfig } from "../config/types.js";
import type { EngineThreads } from "../engine/engine-threads.js";
import type { ServerSample } from "../probes/types.js";
import { loadPriceTable, type PriceTable } from "../result/cost-estimate.js";
import type { RunResult, SeriesPoint } from "../result/result-types.js";
import { rateAt } from "../workload/load-profile.js";
import { bytesPerOp } from "./analyze.js";
import type { Participant, RunContext } from "./participant.js";

/**
 * --max-cost / --max-ops: the run stops itself once its measured part has done that many
 * operations or cost that much on ElastiCache Serverless (the same prices and ECPU rule as the
 * report's monthly estimate). Checked once a second with each interval; between two checks the
 * crossing is predicted from the current rate and a timer stops the load then, so a run at
 * 20,000 ops/s with --max-ops 5000 stops near 5,000 rather than at 20,000. Prefill and warm-up are
 * not counted: they are not part of what the report measures.
 */

/** A check comes about once a second; a crossing predicted sooner than this is left to a timer, s. */
const PREDICT_WITHIN_S = 1.5;

type Limit = NonNullable<RunResult["stoppedBy"]>["limit"];

export interface RunCost {
  costUsd: number;
  /** The engine of the price table whose price this is: the dearest one. */
  engine: string;
}

/**
 * What `ops` operations over `elapsedS` seconds, holding `dataBytes`, cost on ElastiCache
 * Serverless: ECPUs (one per operation, one more per KB moved) plus the data stored for that long
 * (never below the engine's minimum). The dearest engine of the table, so the budget holds
 * whichever one is picked.
 */
export function runCostUsd(
  usage: { ops: number; elapsedS: number; dataBytes: number; bytesPerOp: number },
  prices: PriceTable,
): RunCost {
  const ecpuPerOp = Math.max(1, usage.bytesPerOp / prices.ecpu.bytesPerEcpu);
  let dearest: RunCost = { costUsd: 0, engine: Object.keys(prices.engines)[0] ?? "none" };
  for (const [engine, p] of Object.entries(prices.engines)) {
    const ecpuCost = ((usage.ops * ecpuPerOp) / 1e6) * p.perMillionEcpu;
    const dataGb = Math.max(p.minimumDataGb, usage.dataBytes / 1e9);
    const dataCost = dataGb * p.dataStoredPerGbHour * (usage.elapsedS / 3600);
    if (ecpuCost + dataCost > dearest.costUsd) dearest = { costUsd: ecpuCost + dataCost, engine };
  }
  return dearest;
}

/** The rate an open-loop run starts at, ops/s; undefined in closed loop (known after a second). */
function plannedStartRate(config: RunConfig): number | undefined {
  if (config.stages !== undefined && config.stages.length > 0) return rateAt(config.stages, 0, config.seed);
  return config.rate;
}

export class BudgetWatch implements Participant {
  readonly name = "budget";
  private prices: PriceTable | undefined;
  private readonly bytesPerOp: number;
  private engine: EngineThreads | undefined;
  private say: (line: string) => void = () => {};
  private measureStartMs = 0;
  private ops = 0;
  private peakDataBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private passed: { limit: Limit; atS: number } | undefined;

  constructor(
    private readonly config: RunConfig,
    private readonly budget: RunBudget,
  ) {
    this.bytesPerOp = bytesPerOp(config);
  }

  async beforeLoad(run: RunContext): Promise<void> {
    this.say = run.say;
    // Read even for --max-ops alone: the result says what the run cost when it stopped.
    this.prices = await loadPriceTable(
      this.config.priceFile ?? join(packageRoot(), "data", "elasticache-serverless-prices.json"),
    );
    if (this.budget.maxCostUsd !== undefined && this.prices.currency !== "USD")
      run.say(`budget: the price table is in ${this.prices.currency}; --max-cost is compared in it`);
    const parts = [
      this.budget.maxOps !== undefined && `${this.budget.maxOps} operations`,
      this.budget.maxCostUsd !== undefined &&
        `USD ${this.budget.maxCostUsd} (ElastiCache Serverless estimate)`,
    ].filter(Boolean);
    run.say(`budget: the run stops itself past ${parts.join(" or ")}`);
  }

  onLoadStart(engine: EngineThreads): void {
    this.engine = engine;
  }

  onMeasureStart(startEpochMs: number): void {
    this.measureStartMs = startEpochMs;
    const rate = plannedStartRate(this.config);
    if (rate !== undefined && rate > 0) this.check(0, rate);
  }

  onInterval(point: SeriesPoint, server: ServerSample | undefined): void {
    this.ops += point.ops;
    this.peakDataBytes = Math.max(this.peakDataBytes, server?.usedMemoryBytes ?? 0);
    this.check(point.tS, point.opsPerSec);
  }

  async stopLoad(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  contribute(result: RunResult): void {
    if (this.passed === undefined) return;
    const elapsedS = result.durationMs / 1000;
    const spent = this.cost(result.totals.ops, elapsedS);
    const limit = this.passed.limit;
    const budget = limit === "max-ops" ? this.budget.maxOps! : this.budget.maxCostUsd!;
    result.stoppedBy = {
      reason: "budget",
      limit,
      budget,
      atS: this.passed.atS,
      ops: result.totals.ops,
      costUsd: round(spent?.costUsd ?? 0, 6),
      engine: spent?.engine ?? "none",
    };
    // The run did not do all it was planned to: a partial run, never a pass (exit 4), and says why.
    if (result.status === "completed") result.status = "stopped";
    result.stopReason =
      `budget reached: --${limit} ${budget} (${result.totals.ops} operations, about USD ${round(spent?.costUsd ?? 0, 6)} on ElastiCache Serverless ${spent?.engine ?? ""})`.trim();
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
  }

  private cost(ops: number, elapsedS: number): RunCost | undefined {
    if (this.prices === undefined) return undefined;
    return runCostUsd(
      { ops, elapsedS, dataBytes: this.peakDataBytes, bytesPerOp: this.bytesPerOp },
      this.prices,
    );
  }

  /**
   * At `tS` into the measured part, at `opsPerSec`: stops the load if a limit is passed, else sets a
   * timer for a crossing that comes before the next check.
   */
  private check(tS: number, opsPerSec: number): void {
    if (this.passed !== undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    let soonest: { limit: Limit; inS: number } | undefined;
    const consider = (limit: Limit, value: number, perSecond: number, budget: number | undefined) => {
      if (budget === undefined) return;
      if (value >= budget) soonest = { limit, inS: 0 };
      else if (perSecond > 0) {
        const inS = (budget - value) / perSecond;
        if (inS < PREDICT_WITHIN_S && (soonest === undefined || inS < soonest.inS)) soonest = { limit, inS };
      }
    };
    consider("max-ops", this.ops, opsPerSec, this.budget.maxOps);
    const now = this.cost(this.ops, tS);
    const next = this.cost(this.ops + opsPerSec, tS + 1);
    if (now !== undefined && next !== undefined)
      consider("max-cost", now.costUsd, next.costUsd - now.costUsd, this.budget.maxCostUsd);
    if (soonest === undefined) return;
    const { limit, inS } = soonest;
    if (inS <= 0) {
      this.stop(limit);
      return;
    }
    // Measured from now, not from tS: the interval's point arrives a little after its end, and the
    // measured part starts a few ms after onMeasureStart (sinceTS is then negative).
    const sinceTS = (Date.now() - this.measureStartMs) / 1000 - tS;
    this.timer = setTimeout(() => this.stop(limit), Math.max(0, (inS - sinceTS) * 1000));
    this.timer.unref();
  }

  private stop(limit: Limit): void {
    if (this.passed !== undefined || this.engine === undefined) return;
    const atS = round(Math.max(0, (Date.now() - this.measureStartMs) / 1000), 3);
    this.passed = { limit, atS };
    const budget = limit === "max-ops" ? `${this.budget.maxOps} operations` : `USD ${this.budget.maxCostUsd}`;
    this.say(`budget reached: --${limit} (${budget}) at ${atS} s; stopping the load`);
    this.engine.stop();
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The participant for a run with a budget, or none. */
export function budgetWatch(config: RunConfig): BudgetWatch | undefined {
  const b = config.budget;
  return b !== undefined && (b.maxOps !== undefined || b.maxCostUsd !== undefined)
    ? new BudgetWatch(config, b)
    : undefined;
}

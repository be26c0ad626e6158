import { generatorFellBehind, keepUpAdvice, lateSendPercent } from "./generator-behind.js";
import type { RunResult } from "./result-types.js";
import { looksLikeServerless, serverlessScalingLag } from "./serverless-lag.js";

/** What the server side of a run showed; every field is optional because managed services hide some. */
export interface ServerFacts {
  memoryUsedPercentMax?: number;
  usedMemoryBytesMax?: number;
  maxmemoryBytes?: number;
  /** 0..1 over the run. */
  hitRatio?: number;
  evictedKeys?: number;
  rejectedConnections?: number;
  fragmentationMax?: number;
  usedMemoryRssBytesMax?: number;
  slowCommands?: { command: string; durationUs: number }[];
  maxmemoryPolicy?: string;
}

export interface Recommendation {
  id: string;
  severity: "action" | "consider" | "info";
  title: string;
  advice: string;
  /** Numbers from this run that triggered it. */
  evidence: string[];
}

export interface RecommendationContext {
  result: RunResult;
  server: ServerFacts;
  profile?: "cache" | "buffer" | "session";
  /** ECPUs one operation costs on ElastiCache Serverless (from the cost estimate). */
  ecpuPerOp: number;
}

/** Peak load is multiplied by this for a minimum-capacity advice, to leave headroom. */
const HEADROOM = 1.25;

/** Scaling and configuration advice, each with the evidence from this run that triggered it. */
export function recommend(context: RecommendationContext): Recommendation[] {
  const { result, server, profile } = context;
  const out: Recommendation[] = [];
  // When cachestress itself sent late, that comes first, and no advice about the server is built
  // on the latency it inflated.
  const behind = generatorFellBehind(result);
  if (behind) {
    const open = result.openLoop;
    out.push({
      id: "load-generator-behind",
      severity: "action",
      title: "The load generator fell behind: part of the latency is its own, not the server's",
      advice: `Rerun before acting on latency: ${keepUpAdvice(result.config.threads)}. Advice built on this run's latency is held back.`,
      evidence: [
        `${lateSendPercent(result).toFixed(1)} % of sends left 1 ms or more after their intended start (limit 1 %)`,
        ...(open !== undefined
          ? [
              `schedule lag p99 ${open.scheduleLagMs.p99.toFixed(2)} ms, event-loop delay p99 ${open.eventLoopDelayMs.p99.toFixed(2)} ms`,
            ]
          : []),
        ...(result.serviceTime !== undefined
          ? [
              `p99 from the intended start ${result.latency.p99.toFixed(2)} ms vs ${result.serviceTime.p99.toFixed(2)} ms from the actual send`,
            ]
          : []),
      ],
    });
  }
  const memory = server.memoryUsedPercentMax;
  if (memory !== undefined && memory > 80) {
    out.push({
      id: "memory-upsize",
      severity: "action",
      title: "Upsize: memory above 80 % of maxmemory",
      advice:
        "Move to a node type with more memory (or raise maxmemory / the Serverless data limit) before production load; keep at least 20 % headroom for fragmentation and bursts.",
      evidence: [`peak used memory ${pct(memory)} of maxmemory ${mb(server.maxmemoryBytes)}`],
    });
  } else if (memory !== undefined && memory < 20 && (server.maxmemoryBytes ?? 0) > 0) {
    out.push({
      id: "memory-downsize",
      severity: "consider",
      title: "Downsize: memory below 20 % of maxmemory",
      advice:
        "The cache holds far less than it can; a smaller node type would serve this data set, if CPU and network allow.",
      evidence: [`peak used memory ${pct(memory)} of maxmemory ${mb(server.maxmemoryBytes)}`],
    });
  }

  const trend = behind ? undefined : latencyTrend(result);
  if (trend !== undefined) {
    const peakOps = Math.max(...result.series.map((p) => p.opsPerSec));
    const minEcpu = Math.ceil(peakOps * context.ecpuPerOp * HEADROOM);
    out.push({
      id: "latency-rises-with-load",
      severity: "action",
      title: "Latency climbs with load: add capacity before the peak",
      advice:
        "Add shards or a larger node type. On ElastiCache Serverless, set the minimum ECPU/s to at least " +
        `${minEcpu.toLocaleString("en-US")} at least 60 minutes before the expected peak (capacity doubles only every 10–12 minutes).`,
      evidence: [
        `p99 ${trend.lowP99Ms.toFixed(2)} ms at ~${Math.round(trend.lowOps)} ops/s vs ${trend.highP99Ms.toFixed(2)} ms at ~${Math.round(trend.highOps)} ops/s`,
        `peak ${Math.round(peakOps)} ops/s × ${context.ecpuPerOp.toFixed(2)} ECPU/op × ${HEADROOM} headroom = ${minEcpu} ECPU/s`,
      ],
    });
  }

  // Serverless scaling that lagged the load: only on latency the generator did not inflate.
  const lag =
    behind || !looksLikeServerless(result)
      ? undefined
      : serverlessScalingLag(result.series, context.ecpuPerOp);
  if (lag !== undefined) {
    const peakEcpu = Math.ceil(
      Math.max(...result.series.map((p) => p.opsPerSec)) * context.ecpuPerOp * HEADROOM,
    );
    out.push({
      id: "serverless-scaling-lag",
      severity: "consider",
      title: "Serverless scaling lagged the load: consider the managed (node-based) mode",
      advice:
        "ElastiCache Serverless adds capacity gradually (it doubles about every 10–12 minutes), so a load that rises faster waits for it. " +
        `Either set the minimum ECPU/s to at least ${peakEcpu.toLocaleString("en-US")} an hour before such a rise, or run a node-based (self-designed) cluster sized for the peak, whose capacity does not lag.`,
      evidence: [
        `over ${round1(lag.toS - lag.fromS)} s (t=${round1(lag.fromS)}→${round1(lag.toS)} s) p99 rose from ${lag.p99FromMs} ms to ${lag.p99ToMs} ms while ECPU/s rose from ${lag.ecpuFromPerSec.toLocaleString("en-US")} to ${lag.ecpuToPerSec.toLocaleString("en-US")}`,
        `ECPU/s estimated by the client: ops/s × ${context.ecpuPerOp.toFixed(2)} ECPU/op (compare with CloudWatch ElastiCacheProcessingUnits)`,
        `the load generator kept its schedule: ${lateSendPercent(result).toFixed(2)} % of sends late (limit 1 %)`,
      ],
    });
  }

  if (server.hitRatio !== undefined && server.hitRatio < 0.8 && profile !== "buffer") {
    out.push({
      id: "low-hit-ratio",
      severity: profile === "cache" ? "action" : "consider",
      title: "Hit ratio below 80 %",
      advice:
        "Lengthen TTLs of hot keys, warm the cache after deploys, check that the key space read is the one written, and size memory so the working set fits without eviction.",
      evidence: [`keyspace hits / lookups ${pct(server.hitRatio * 100)} over the run`],
    });
  }

  if ((server.evictedKeys ?? 0) > 0 && profile === "buffer") {
    out.push({
      id: "buffer-evicts",
      severity: "action",
      title: "A durable buffer evicted data",
      advice:
        "Set maxmemory-policy noeviction (writes then fail loudly instead of losing data), alert at 80 % memory, and add capacity.",
      evidence: [
        `${server.evictedKeys} keys evicted; maxmemory-policy ${server.maxmemoryPolicy ?? "unknown"}`,
      ],
    });
  }

  const connectionErrors = Object.entries(result.totals.errorsByKind).filter(([kind]) =>
    /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|connection-closed|aborted)$/.test(kind),
  );
  const rejected = server.rejectedConnections ?? 0;
  if (connectionErrors.length > 0 || rejected > 0) {
    out.push({
      id: "connection-errors",
      severity: "action",
      title: "Connections were refused or dropped",
      advice:
        "Size client pools below maxclients (ElastiCache allows up to 65,000 connections per node), reuse connections, and raise maxclients or tcp-backlog if the server rejects them.",
      evidence: [
        ...connectionErrors.map(([kind, n]) => `${n} operations lost to ${kind}`),
        ...(rejected > 0 ? [`server rejected ${rejected} connections`] : []),
      ],
    });
  }

  const fragmentation = server.fragmentationMax;
  if (fragmentation !== undefined && (server.usedMemoryBytesMax ?? 0) > 64 * 1024 * 1024) {
    if (fragmentation > 1.5) {
      out.push({
        id: "fragmentation",
        severity: "consider",
        title: "High memory fragmentation",
        advice:
          "Enable activedefrag (Redis ≥ 4 with jemalloc), or restart/fail over in a quiet window; size memory on RSS, not used_memory.",
        evidence: [`mem_fragmentation_ratio up to ${fragmentation.toFixed(2)}`],
      });
    } else if (fragmentation < 1) {
      out.push({
        id: "swapping",
        severity: "action",
        title: "RSS below used memory: the server may be swapping",
        advice: "Give the host more RAM or lower maxmemory; a swapping Redis has unpredictable latency.",
        evidence: [`mem_fragmentation_ratio ${fragmentation.toFixed(2)}`],
      });
    }
  }

  const slow = server.slowCommands ?? [];
  if (slow.length > 0) {
    out.push({
      id: "slow-commands",
      severity: "consider",
      title: "Slow commands in SLOWLOG",
      advice:
        "Avoid O(N) commands on large keys (KEYS, big HGETALL/SMEMBERS/LRANGE), split big values, and use SCAN-family commands.",
      evidence: slow.slice(0, 5).map((s) => `${(s.durationUs / 1000).toFixed(2)} ms: ${s.command}`),
    });
  }
  return out;
}

/**
 * Does p99 rise with throughput? Compares the third of the seconds with the least load to the third
 * with the most. Needs enough seconds and a real spread of load to say anything.
 */
export function latencyTrend(
  result: RunResult,
): { lowOps: number; lowP99Ms: number; highOps: number; highP99Ms: number } | undefined {
  const points = result.series.filter((p) => p.ops > 0).sort((a, b) => a.opsPerSec - b.opsPerSec);
  if (points.length < 6) return undefined;
  const third = Math.floor(points.length / 3);
  const low = points.slice(0, third);
  const high = points.slice(points.length - third);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const lowOps = mean(low.map((p) => p.opsPerSec));
  const highOps = mean(high.map((p) => p.opsPerSec));
  const lowP99Ms = mean(low.map((p) => p.p99Ms));
  const highP99Ms = mean(high.map((p) => p.p99Ms));
  const loadSpread = lowOps > 0 ? highOps / lowOps : Number.POSITIVE_INFINITY;
  if (loadSpread < 1.5 || highP99Ms < 1 || highP99Ms < 2 * lowP99Ms) return undefined;
  return { lowOps, lowP99Ms, highOps, highP99Ms };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function pct(x: number): string {
  return `${x.toFixed(1)} %`;
}

function mb(bytes: number | undefined): string {
  return bytes === undefined ? "unknown" : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

import type { AuditContext, RuleOutcome, Severity } from "./audit-rules.js";
import { formatMemory, parseMemoryBytes, parseSaveRules, wholeNumber } from "./audit-values.js";

/**
 * The checks for what decides whether data survives: the memory limit, the eviction policy and
 * persistence. They depend most on the profile (a cache may lose data, a buffer must not), so each
 * one branches on it; the rules table in audit-rules.ts wires them to their settings.
 */

export const OK: RuleOutcome = { ok: true };
export const finding = (severity: Severity, why: string): RuleOutcome => ({ ok: false, severity, why });

export function checkMaxmemory(value: string, ctx: AuditContext): RuleOutcome {
  const bytes = parseMemoryBytes(value);
  if (bytes === 0) {
    const loses = { cache: "nothing is ever evicted", buffer: "the whole buffer", session: "every session" };
    return finding(
      "high",
      `no memory limit: the server grows until the host runs out of memory and the OS kills it (${loses[ctx.profile]}${ctx.profile === "cache" ? "" : " is lost with it"})`,
    );
  }
  const hostBytes = wholeNumber(ctx.info.total_system_memory);
  if (bytes === undefined || hostBytes === undefined || hostBytes === 0) return OK;
  if (bytes > hostBytes) {
    return finding(
      "medium",
      `above this host's memory (${formatMemory(hostBytes)}): the OS kills the server before the limit ever applies`,
    );
  }
  if (bytes > hostBytes * 0.9) {
    return finding(
      "low",
      `over 90 % of the host's memory (${formatMemory(hostBytes)}): no headroom for fragmentation, client buffers and the copy-on-write of a snapshot`,
    );
  }
  return OK;
}

export function checkPolicy(value: string, ctx: AuditContext): RuleOutcome {
  const policy = value.toLowerCase();
  if (ctx.profile === "cache") {
    if (policy === "noeviction") return finding("high", "writes fail with OOM when the cache is full");
    if (policy.startsWith("volatile-"))
      return finding(
        "medium",
        "only keys with a TTL are evicted: keys without one fill memory, then writes fail",
      );
    if (policy === "allkeys-random") return finding("low", "evicts hot keys as readily as cold ones");
    return OK;
  }
  if (ctx.profile === "buffer") {
    if (policy !== "noeviction")
      return finding(
        "high",
        "evicts queued data silently when memory is full; noeviction fails the write instead",
      );
    return {
      ok: true,
      why: "a full buffer refuses writes instead of dropping data; alert at 80 % of maxmemory",
    };
  }
  if (policy.startsWith("allkeys-"))
    return finding(
      "medium",
      "evicts live sessions as readily as stale ones; volatile-* evicts only keys with a TTL",
    );
  if (policy === "noeviction") return finding("medium", "logins fail with OOM when memory is full");
  if (policy === "volatile-random")
    return finding("low", "evicts sessions at random instead of the least used");
  return OK;
}

export function checkAppendonly(value: string, ctx: AuditContext): RuleOutcome {
  const on = value.toLowerCase() === "yes";
  if (ctx.profile === "buffer" && !on)
    return finding(
      "high",
      "without the AOF a restart or crash loses everything written since the last snapshot",
    );
  if (ctx.profile === "cache" && on)
    return finding(
      "low",
      "every write also goes to disk (and AOF rewrites fork) for data that can be rebuilt",
    );
  // For sessions either the AOF or RDB snapshots will do; the `save` row judges the two together.
  return OK;
}

export function checkAppendfsync(value: string, ctx: AuditContext): RuleOutcome {
  if (ctx.get("appendonly")?.toLowerCase() !== "yes" || ctx.profile === "cache") {
    return { ok: true, why: "only matters with appendonly yes" };
  }
  const mode = value.toLowerCase();
  if (mode === "no")
    return finding(
      ctx.profile === "buffer" ? "medium" : "low",
      "the OS decides when to flush: a crash can lose ~30 s of writes",
    );
  if (mode === "always") return finding("low", "an fsync per write caps throughput at the disk's fsync rate");
  return OK;
}

export function checkSave(value: string, ctx: AuditContext): RuleOutcome {
  const rules = parseSaveRules(value);
  const aof = ctx.get("appendonly")?.toLowerCase() === "yes";
  if (ctx.profile === "cache") {
    const frequent = rules.some((r) => r.seconds < 300);
    return frequent
      ? finding("low", "snapshots more often than every 5 min fork the server for data that can be rebuilt")
      : OK;
  }
  if (rules.length > 0) return OK;
  if (ctx.profile === "buffer") {
    return aof
      ? finding("low", "no RDB snapshots: keep them as a second copy beside the AOF and for faster restarts")
      : finding("high", "neither AOF nor RDB: a restart loses the whole buffer");
  }
  return aof ? OK : finding("medium", "neither AOF nor RDB: a restart logs every user out");
}

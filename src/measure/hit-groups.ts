import { commandIsWrite, commandLabels, parseCommandTemplate } from "../config/command-template.js";
import type { CommandWeight, RunConfig } from "../config/types.js";
import { KeyPopularity, POPULARITY_GROUPS, readsKeyNumber } from "../workload/key-popularity.js";

/**
 * Hit ratio per key group (docs/hit-groups.md). A read is a reply to a read command (GET, or a
 * read-only template); a nil reply is a miss and any other reply that is not an error a hit.
 *
 * - By namespace: the shape of the read's key after the run's prefix (`{key}`, `{key}:h`,
 *   `user:{key}`, `events:{type}`). A command's namespace never changes, so these figures come from
 *   the per-command counts the engine keeps anyway; nothing extra happens per operation.
 * - By popularity: the read key's rank in the key distribution (key-popularity.ts): the top 1 %,
 *   the next 9 %, the rest. The engine keeps three hit and three miss counters per thread for this
 *   (ThreadRecorder.groupHits/groupMisses), filled from the key of each read reply.
 */

export interface HitGroupFigures {
  reads: number;
  hits: number;
  misses: number;
  /** hits / reads; null without reads. */
  hitRatio: number | null;
}

export interface HitGroups {
  byNamespace: (HitGroupFigures & { namespace: string; commands: string[] })[];
  /** Only for a skewed key distribution (zipf, gaussian) with reads of `{key}` keys. */
  byPopularity?: (HitGroupFigures & { group: string; keys: number })[];
  /** Why there are no popularity groups, when there are none. */
  popularityNote?: string;
}

/** The key argument of a command after the run's prefix: `{key}`, `{key}:h`, `board`. */
export function keyNamespace(c: CommandWeight): string {
  if (c.template === undefined) return "{key}";
  const parsed = parseCommandTemplate(c.template);
  if (parsed.template === undefined || parsed.template.keyArg < 0) return "(no key)";
  const parts = parsed.template.args[parsed.template.keyArg];
  return parts
    .map((p, i) =>
      p.kind === "text"
        ? p.text
        : p.kind === "prefix"
          ? i === 0
            ? ""
            : "{prefix}"
          : p.kind === "script"
            ? `{script:${p.name}}`
            : `{${p.kind}}`,
    )
    .join("");
}

function figures(hits: number, misses: number): HitGroupFigures {
  const reads = hits + misses;
  return { reads, hits, misses, hitRatio: reads > 0 ? Math.round((hits / reads) * 10000) / 10000 : null };
}

/** What the measured part's totals say per group; undefined when the run had no read command. */
export function buildHitGroups(
  config: RunConfig,
  totals: {
    ops: number[];
    errorReplies: number[];
    nils: number[];
    groupHits: number[];
    groupMisses: number[];
  },
  /** Keys the measured phase drew from (a shard's share, or keyMax). */
  keyCount = config.keyMax,
): HitGroups | undefined {
  const labels = commandLabels(config.commands);
  const byNs = new Map<string, { hits: number; misses: number; commands: string[] }>();
  config.commands.forEach((c, i) => {
    if (commandIsWrite(c)) return;
    const ns = keyNamespace(c);
    const into = byNs.get(ns) ?? { hits: 0, misses: 0, commands: [] };
    const answered = totals.ops[i] - totals.errorReplies[i];
    into.hits += Math.max(0, answered - totals.nils[i]);
    into.misses += totals.nils[i];
    into.commands.push(labels[i]);
    byNs.set(ns, into);
  });
  if (byNs.size === 0) return undefined;
  const result: HitGroups = {
    byNamespace: [...byNs].map(([namespace, g]) => ({
      namespace,
      commands: g.commands,
      ...figures(g.hits, g.misses),
    })),
  };
  const popularity = new KeyPopularity(config.keyPattern, keyCount);
  if (!popularity.skewed)
    result.popularityNote = `${config.keyPattern} keys: every key is as popular as any other, so there are no popularity groups`;
  else if (!config.commands.some(readsKeyNumber))
    result.popularityNote = "no read command reads a {key} key, so reads have no rank";
  else {
    const sizes = popularity.groupSizes();
    result.byPopularity = POPULARITY_GROUPS.map((group, g) => ({
      group,
      keys: sizes[g],
      ...figures(totals.groupHits[g] ?? 0, totals.groupMisses[g] ?? 0),
    }));
  }
  return result;
}

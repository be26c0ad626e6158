import { AdminClient, escapeGlob } from "../core/admin-client.js";
import type { ConnectionTarget } from "../engine/load-connection.js";
import { discoverTopology, NodeAdmins } from "./target-topology.js";

/**
 * The keys a run left under its prefix (interrupted, killed, or run with --keep-keys), found and
 * deleted on every primary of the target: `cachestress cleanup` (src/cli/cleanup-command.ts).
 */

/** Shown when the prefix is refused; the same words in the help. */
export const CLEANUP_PREFIX_ALLOWED =
  "a literal key prefix of at least 3 characters, without spaces or * ? [ ], ending in a separator " +
  "(one of : / . - _ | }) unless it is at least 8 characters long, e.g. cachestress:1a2b3c4d:";
const SEPARATOR_END = /[:/.\-_|}]$/;
const MIN_CHARS = 3;
const MIN_CHARS_WITHOUT_SEPARATOR = 8;

/**
 * Why a prefix is too broad to delete under, or undefined when it may be used. A prefix selects
 * every key that starts with it, so "app" would also take "apple:..." and "" everything: the rules
 * keep a typo from emptying someone's database.
 */
export function prefixTooBroad(prefix: string): string | undefined {
  if (prefix.length === 0) return "an empty prefix would select every key";
  if (/\s/.test(prefix)) return "a prefix has no spaces";
  if (/[*?[\]]/.test(prefix)) return "the prefix is matched literally: * ? [ ] are not patterns here";
  if (prefix.length < MIN_CHARS) return `shorter than ${MIN_CHARS} characters`;
  if (!SEPARATOR_END.test(prefix) && prefix.length < MIN_CHARS_WITHOUT_SEPARATOR)
    return `"${prefix}" would also select keys such as "${prefix}x..."; end it with a separator such as ':'`;
  return undefined;
}

export interface LeftoverKeys {
  /** Keys found under the prefix, over every primary. */
  count: number;
  /** The first few of them, to show what would go. */
  samples: string[];
}

/** The admin connections a cleanup needs: one per primary of a cluster, else the one server. */
export class PrimaryAdmins {
  private constructor(
    private readonly seed: AdminClient,
    private readonly nodes: NodeAdmins | undefined,
  ) {}

  static async connect(target: ConnectionTarget, where: string): Promise<PrimaryAdmins> {
    const seed = await AdminClient.connect(target, where);
    try {
      const topology = await discoverTopology(seed, target, "primary");
      const nodes =
        topology !== undefined ? await NodeAdmins.connect(topology, seed, target, "primary") : undefined;
      return new PrimaryAdmins(seed, nodes);
    } catch (error) {
      await seed.close();
      throw error;
    }
  }

  /** How many primaries the keys are spread over. */
  get primaries(): number {
    return this.nodes?.primaryAdmins().length ?? 1;
  }

  /** SCAN on every primary; counts without deleting. */
  async find(prefix: string, sampleCount: number): Promise<LeftoverKeys> {
    const pattern = `${escapeGlob(prefix)}*`;
    const found: LeftoverKeys = { count: 0, samples: [] };
    for (const admin of this.nodes?.primaryAdmins() ?? [this.seed]) {
      let cursor = "0";
      do {
        const reply = (await admin.sendCommand(["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"])) as [
          string,
          string[],
        ];
        cursor = String(reply[0]);
        found.count += reply[1].length;
        for (const key of reply[1]) if (found.samples.length < sampleCount) found.samples.push(String(key));
      } while (cursor !== "0");
    }
    return found;
  }

  /** SCAN + UNLINK in batches on every primary (one key per command in a cluster); how many went. */
  deleteKeys(prefix: string): Promise<number> {
    return (this.nodes ?? this.seed).deleteKeys(prefix);
  }

  async close(): Promise<void> {
    await this.nodes?.close();
    await this.seed.close();
  }
}

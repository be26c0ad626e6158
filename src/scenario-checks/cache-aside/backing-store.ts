import { hashUnit, type Rng } from "../../workload/random.js";
import { sleep } from "../side-load/wait.js";

/**
 * The slow source of truth behind the cache: a feature-flag table that answers after
 * `latencyMs ± jitterMs`. Each flag has a version that a writer bumps when it changes the flag; the
 * value a reader caches carries the version it was read at, so a cached value older than the
 * store's is a stale read.
 */
export class BackingStore {
  private readonly versions: Uint32Array;

  constructor(
    flags: number,
    private readonly latencyMs: number,
    private readonly jitterMs: number,
    private readonly seed: number,
  ) {
    this.versions = new Uint32Array(flags);
  }

  /**
   * The flag as the store holds it when asked, delivered after the store's latency. A change made
   * while the answer is on its way is not in it: that is how a cache-aside reader caches a stale value.
   */
  async read(flag: number, random: Rng): Promise<string> {
    const value = this.valueOf(flag);
    const jitter = this.jitterMs > 0 ? (random.next() * 2 - 1) * this.jitterMs : 0;
    const waitMs = Math.max(0, this.latencyMs + jitter);
    if (waitMs > 0) await sleep(waitMs);
    return value;
  }

  /** A writer changed the flag: its next version. */
  update(flag: number): number {
    return ++this.versions[flag];
  }

  version(flag: number): number {
    return this.versions[flag];
  }

  /** `{"version":3,"flag":"f12","enabled":true,"rolloutPercent":40}`: small, like a real flag. */
  valueOf(flag: number): string {
    const version = this.versions[flag];
    const u = hashUnit(this.seed, flag, version);
    return `{"version":${version},"flag":"f${flag}","enabled":${u < 0.5},"rolloutPercent":${Math.floor(u * 200) % 101}}`;
  }
}

/** The version in a cached value, or -1 when the value is not one of ours. */
export function cachedVersion(value: string): number {
  const start = '{"version":'.length;
  if (!value.startsWith('{"version":')) return -1;
  const end = value.indexOf(",", start);
  const version = Number(value.slice(start, end));
  return Number.isInteger(version) ? version : -1;
}

/**
 * Seedable random numbers for the hot path. Math.random cannot be seeded, and a run must be
 * repeatable from its `seed` (same keys, same sizes, same chaos profile), so the engine draws from
 * this instead. sfc32 passes PractRand, keeps its state in four 32-bit integers and allocates
 * nothing per call.
 */

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  /** Box-Muller yields two normals per draw; the second waits here so gaussian() never allocates. */
  private spareGaussian = 0;
  private hasSpareGaussian = false;

  constructor(seed: number) {
    this.reseed(seed);
  }

  /** Restarts the sequence, as if newly constructed with this seed. */
  reseed(seed: number): void {
    // splitmix32 spreads a small seed (0, 1, 2...) over all four words; sfc32 misbehaves on zeros.
    let x = seed >>> 0;
    x = (x + 0x9e3779b9) | 0;
    this.a = mix32(x);
    x = (x + 0x9e3779b9) | 0;
    this.b = mix32(x);
    x = (x + 0x9e3779b9) | 0;
    this.c = mix32(x);
    x = (x + 0x9e3779b9) | 0;
    this.d = mix32(x);
    this.hasSpareGaussian = false;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform number in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /**
   * A uniform integer in [0, maxExclusive). Ranges above 2^32 (key spaces of billions of keys) use
   * 53 random bits so every key stays reachable.
   */
  int(maxExclusive: number): number {
    if (maxExclusive <= TWO_POW_32) return Math.floor(this.next() * maxExclusive);
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return Math.floor(((high * 67108864 + low) / TWO_POW_53) * maxExclusive);
  }

  /** A standard normal value (mean 0, standard deviation 1). */
  gaussian(): number {
    if (this.hasSpareGaussian) {
      this.hasSpareGaussian = false;
      return this.spareGaussian;
    }
    // 1 - next() is in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = 2 * Math.PI * this.next();
    this.spareGaussian = radius * Math.sin(angle);
    this.hasSpareGaussian = true;
    return radius * Math.cos(angle);
  }
}

/** murmur3's finaliser: a fast 32-bit mix in which every input bit affects every output bit. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A uniform number in [0, 1) that depends only on (seed, a, b). Schedules use it for random access
 * ("the chaos rate of segment b of stage a"), which a sequential generator cannot give without
 * replaying every earlier draw.
 */
export function hashUnit(seed: number, a: number, b: number): number {
  let h = mix32((seed ^ 0x9e3779b9) >>> 0);
  h = mix32((h ^ Math.imul(a + 1, 0x85ebca6b)) >>> 0);
  h = mix32((h ^ Math.imul(b + 1, 0xc2b2ae35)) >>> 0);
  return h / TWO_POW_32;
}

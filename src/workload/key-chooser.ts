import type { KeyPattern } from "../config/types.js";
import type { Rng } from "./random.js";

/** A uniform source in [0, 1), such as Rng. */
export interface UniformSource {
  next(): number;
}

/**
 * Picks key numbers in [0, keyMax) for one connection or thread, following a distribution that
 * memtier_benchmark users know: sequential, uniform, gaussian (centred, σ = keyMax/6) or zipf
 * (exponent 0.99, key 0 the hottest). Called once per operation, so it allocates nothing.
 */
export class KeyChooser {
  private sequentialNext: number;
  private readonly zipf: ZipfSampler | undefined;

  constructor(
    private readonly pattern: KeyPattern,
    private readonly keyMax: number,
    private readonly random: Rng,
    /** Where a sequential walk starts, so threads and connections do not all write key 0 first. */
    sequentialStart = 0,
  ) {
    this.sequentialNext = sequentialStart % keyMax;
    this.zipf = pattern === "zipf" ? new ZipfSampler(keyMax, 0.99) : undefined;
  }

  nextKey(): number {
    switch (this.pattern) {
      case "sequential": {
        const key = this.sequentialNext;
        this.sequentialNext = key + 1 === this.keyMax ? 0 : key + 1;
        return key;
      }
      case "uniform":
        return this.random.int(this.keyMax);
      case "gaussian": {
        const centre = (this.keyMax - 1) / 2;
        const key = Math.round(centre + this.random.gaussian() * (this.keyMax / 6));
        return key < 0 ? 0 : key >= this.keyMax ? this.keyMax - 1 : key;
      }
      case "zipf":
        return this.zipf!.sample(this.random) - 1;
    }
  }
}

/**
 * Zipf over 1..n by rejection-inversion (Hörmann & Derflinger, 1996): O(1) per sample and no table,
 * so a keyspace of a hundred million keys costs no memory.
 */
export class ZipfSampler {
  private readonly hIntegralX1: number;
  private readonly hIntegralN: number;
  private readonly s: number;

  constructor(
    private readonly n: number,
    private readonly exponent: number,
  ) {
    this.hIntegralX1 = this.hIntegral(1.5) - 1;
    this.hIntegralN = this.hIntegral(n + 0.5);
    this.s = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  sample(random: UniformSource): number {
    for (;;) {
      const u = this.hIntegralN + random.next() * (this.hIntegralX1 - this.hIntegralN);
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > this.n) k = this.n;
      if (k - x <= this.s || u >= this.hIntegral(k + 0.5) - this.h(k)) return k;
    }
  }

  private h(x: number): number {
    return Math.exp(-this.exponent * Math.log(x));
  }

  private hIntegral(x: number): number {
    const logX = Math.log(x);
    return helper2((1 - this.exponent) * logX) * logX;
  }

  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.exponent);
    if (t < -1) t = -1;
    return Math.exp(helper1(t) * x);
  }
}

/** log1p(x)/x, accurate near 0. */
function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

/** expm1(x)/x, accurate near 0. */
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}

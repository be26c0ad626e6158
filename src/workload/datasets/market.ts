import { Rng } from "../random.js";
import {
  DATASET_EPOCH_MS,
  exponential,
  isoTime,
  logNormalInt,
  roundTo,
  skewedIndex,
} from "./record-parts.js";

/**
 * Market snapshots (quote plus running day statistics) for a fixed list of listed symbols. Each
 * symbol's price follows its own random walk from a plausible starting level, so consecutive
 * snapshots of one symbol read like a real tick stream, and busy symbols tick more often.
 */

export const MARKET_SYMBOLS: readonly {
  symbol: string;
  exchange: string;
  currency: string;
  price: number;
}[] = [
  { symbol: "AAPL", exchange: "XNAS", currency: "USD", price: 185 },
  { symbol: "MSFT", exchange: "XNAS", currency: "USD", price: 410 },
  { symbol: "NVDA", exchange: "XNAS", currency: "USD", price: 135 },
  { symbol: "AMZN", exchange: "XNAS", currency: "USD", price: 220 },
  { symbol: "TSLA", exchange: "XNAS", currency: "USD", price: 390 },
  { symbol: "GOOGL", exchange: "XNAS", currency: "USD", price: 190 },
  { symbol: "META", exchange: "XNAS", currency: "USD", price: 590 },
  { symbol: "JPM", exchange: "XNYS", currency: "USD", price: 240 },
  { symbol: "XOM", exchange: "XNYS", currency: "USD", price: 107 },
  { symbol: "KO", exchange: "XNYS", currency: "USD", price: 62 },
  { symbol: "SAP", exchange: "XETR", currency: "EUR", price: 235 },
  { symbol: "ASML", exchange: "XAMS", currency: "EUR", price: 680 },
  { symbol: "SHEL", exchange: "XLON", currency: "GBP", price: 25.4 },
  { symbol: "HSBA", exchange: "XLON", currency: "GBP", price: 7.9 },
  { symbol: "7203", exchange: "XTKS", currency: "JPY", price: 2750 },
  { symbol: "6758", exchange: "XTKS", currency: "JPY", price: 3200 },
  { symbol: "BTC-USD", exchange: "CRYP", currency: "USD", price: 94000 },
  { symbol: "ETH-USD", exchange: "CRYP", currency: "USD", price: 3350 },
];

/** Mean gap between snapshots, ms. */
const MEAN_GAP_MS = 1;
/** Standard deviation of one tick's log return: small moves, the odd jump. */
const TICK_VOLATILITY = 0.0008;

interface SymbolState {
  price: number;
  open: number;
  high: number;
  low: number;
  volume: number;
  /** Price digits: yen prices tick in whole yen. */
  decimals: number;
}

export class MarketGenerator {
  private readonly rng: Rng;
  private readonly states: SymbolState[];
  private timeMs = DATASET_EPOCH_MS;
  private sequence = 0;

  constructor(seed: number) {
    this.rng = new Rng(seed ^ 0x3a4c37);
    this.states = MARKET_SYMBOLS.map((s) => {
      // Start within ±5 % of the listed level, so two seeds do not share a price history.
      const price = s.price * (0.95 + this.rng.next() * 0.1);
      return {
        price,
        open: price,
        high: price,
        low: price,
        volume: 0,
        decimals: s.currency === "JPY" ? 0 : 2,
      };
    });
  }

  next(): Record<string, unknown> {
    const rng = this.rng;
    this.timeMs += exponential(rng, MEAN_GAP_MS);
    const index = skewedIndex(rng, MARKET_SYMBOLS.length, 1.6);
    const listing = MARKET_SYMBOLS[index];
    const s = this.states[index];
    s.price *= Math.exp(TICK_VOLATILITY * rng.gaussian());
    s.high = Math.max(s.high, s.price);
    s.low = Math.min(s.low, s.price);
    const lastSize = logNormalInt(rng, 100, 1.2, 1, 100_000);
    s.volume += lastSize;
    const tick = 10 ** -s.decimals;
    const price = roundTo(s.price, s.decimals);
    const spreadTicks = 1 + skewedIndex(rng, 5);
    return {
      symbol: listing.symbol,
      exchange: listing.exchange,
      currency: listing.currency,
      seq: this.sequence++,
      ts: Math.floor(this.timeMs),
      time: isoTime(this.timeMs),
      price,
      bid: roundTo(price - tick * spreadTicks, s.decimals),
      ask: roundTo(price + tick * spreadTicks, s.decimals),
      bidSize: logNormalInt(rng, 300, 1, 1, 50_000),
      askSize: logNormalInt(rng, 300, 1, 1, 50_000),
      lastSize,
      volume: s.volume,
      open: roundTo(s.open, s.decimals),
      high: roundTo(s.high, s.decimals),
      low: roundTo(s.low, s.decimals),
      change: roundTo(price - s.open, s.decimals),
      changePct: roundTo(((price - s.open) / s.open) * 100, 3),
    };
  }
}

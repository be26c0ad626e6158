import { Rng } from "../random.js";
import {
  DATASET_EPOCH_MS,
  exponential,
  HEX,
  isoTime,
  logNormal,
  pick,
  pickWeighted,
  randomString,
  skewedIndex,
} from "./record-parts.js";

/**
 * Card payment transactions: amount in the merchant's currency at a plausible rate to USD, the
 * merchant, the card's and the device's country, and a small share of edge cases that payment
 * systems must carry unharmed (the smallest and very large amounts, non-ASCII merchant names,
 * cross-border cards, missing device data, retried idempotency keys, refunds).
 */

export interface Currency {
  code: string;
  /** Units of this currency per US dollar (early-2025 levels). */
  perUsd: number;
  /** Digits after the decimal point (0 for JPY). */
  decimals: number;
}

export const CURRENCIES: Record<string, Currency> = {
  USD: { code: "USD", perUsd: 1, decimals: 2 },
  EUR: { code: "EUR", perUsd: 0.92, decimals: 2 },
  GBP: { code: "GBP", perUsd: 0.79, decimals: 2 },
  JPY: { code: "JPY", perUsd: 151.5, decimals: 0 },
  CAD: { code: "CAD", perUsd: 1.36, decimals: 2 },
  AUD: { code: "AUD", perUsd: 1.52, decimals: 2 },
  INR: { code: "INR", perUsd: 83.2, decimals: 2 },
  BRL: { code: "BRL", perUsd: 5.05, decimals: 2 },
  MXN: { code: "MXN", perUsd: 17.1, decimals: 2 },
  CHF: { code: "CHF", perUsd: 0.88, decimals: 2 },
};

/** Country → its currency, with the share of transactions it sees. */
const COUNTRIES: readonly { country: string; currency: string; weight: number }[] = [
  { country: "US", currency: "USD", weight: 0.38 },
  { country: "GB", currency: "GBP", weight: 0.1 },
  { country: "DE", currency: "EUR", weight: 0.09 },
  { country: "FR", currency: "EUR", weight: 0.06 },
  { country: "ES", currency: "EUR", weight: 0.03 },
  { country: "JP", currency: "JPY", weight: 0.08 },
  { country: "CA", currency: "CAD", weight: 0.06 },
  { country: "AU", currency: "AUD", weight: 0.04 },
  { country: "IN", currency: "INR", weight: 0.06 },
  { country: "BR", currency: "BRL", weight: 0.05 },
  { country: "MX", currency: "MXN", weight: 0.03 },
  { country: "CH", currency: "CHF", weight: 0.02 },
];
const COUNTRY_WEIGHTS = COUNTRIES.map((c) => c.weight);

/** Merchant category codes (ISO 18245) with a typical ticket size in USD. */
const CATEGORIES = [
  { mcc: "5411", name: "Grocery", medianUsd: 42 },
  { mcc: "5812", name: "Restaurant", medianUsd: 28 },
  { mcc: "5814", name: "Fast Food", medianUsd: 11 },
  { mcc: "5541", name: "Fuel", medianUsd: 45 },
  { mcc: "5999", name: "Retail", medianUsd: 35 },
  { mcc: "4121", name: "Rides", medianUsd: 18 },
  { mcc: "5732", name: "Electronics", medianUsd: 180 },
  { mcc: "4511", name: "Airline", medianUsd: 420 },
  { mcc: "7011", name: "Hotel", medianUsd: 260 },
  { mcc: "5815", name: "Digital Goods", medianUsd: 9 },
];
const NAME_PARTS = ["Blue", "Corner", "North", "City", "Green", "Golden", "Metro", "Harbor", "Oak", "Summit"];
const UNICODE_NAMES = [
  "Café Zürich",
  "Łódź Piekarnia",
  "東京ラーメン",
  "São Paulo Açaí",
  "Crème & Brûlée",
  "Ölüdeniz Market",
];
const BRANDS = ["visa", "mastercard", "amex", "discover", "jcb"];
const BRAND_WEIGHTS = [0.52, 0.33, 0.08, 0.03, 0.04];
const DEVICES = [
  { type: "mobile", os: "ios" },
  { type: "mobile", os: "android" },
  { type: "desktop", os: "windows" },
  { type: "desktop", os: "macos" },
  { type: "pos", os: "terminal" },
];
const DEVICE_WEIGHTS = [0.3, 0.28, 0.12, 0.06, 0.24];

export const PAYMENT_EDGE_CASES = [
  "min-amount",
  "large-amount",
  "unicode-merchant",
  "cross-border",
  "missing-device",
  "duplicate-idempotency-key",
  "refund",
] as const;
export type PaymentEdgeCase = (typeof PAYMENT_EDGE_CASES)[number];
/** Share of transactions that are one of the edge cases. */
export const PAYMENT_EDGE_CASE_SHARE = 0.02;

const MERCHANT_COUNT = 500;
/** Mean gap between transactions, ms. */
const MEAN_GAP_MS = 5;

interface Merchant {
  id: string;
  name: string;
  mcc: string;
  category: string;
  medianUsd: number;
  country: string;
  currency: string;
}

export class PaymentsGenerator {
  private readonly rng: Rng;
  private readonly merchants: Merchant[] = [];
  private timeMs = DATASET_EPOCH_MS;
  private previous: { id: string; idempotencyKey: string } | undefined;

  constructor(seed: number) {
    this.rng = new Rng(seed ^ 0x9a7e17);
    for (let i = 0; i < MERCHANT_COUNT; i++) {
      const home = pickWeighted(this.rng, COUNTRIES, COUNTRY_WEIGHTS);
      const category = pick(this.rng, CATEGORIES);
      this.merchants.push({
        id: `mer_${randomString(this.rng, HEX, 12)}`,
        name: `${pick(this.rng, NAME_PARTS)} ${pick(this.rng, NAME_PARTS)} ${category.name}`,
        mcc: category.mcc,
        category: category.name,
        medianUsd: category.medianUsd,
        country: home.country,
        currency: home.currency,
      });
    }
  }

  next(): Record<string, unknown> {
    const rng = this.rng;
    this.timeMs += exponential(rng, MEAN_GAP_MS);
    const edgeCase: PaymentEdgeCase | null =
      rng.next() < PAYMENT_EDGE_CASE_SHARE ? pick(rng, PAYMENT_EDGE_CASES) : null;
    const merchant = this.merchants[skewedIndex(rng, MERCHANT_COUNT, 1.8)];
    const currency = CURRENCIES[merchant.currency];
    let usd = Math.min(logNormal(rng, merchant.medianUsd, 0.9), 9_999);
    if (edgeCase === "large-amount") usd = 50_000 + rng.next() * 200_000;
    let amountMinor = Math.max(1, Math.round(usd * currency.perUsd * 10 ** currency.decimals));
    if (edgeCase === "min-amount") amountMinor = 1;
    // Most cards are issued where they are used; some travel.
    const crossBorder = edgeCase === "cross-border" || rng.next() < 0.06;
    const cardCountry = crossBorder ? this.otherCountry(merchant.country) : merchant.country;
    const ipCountry = edgeCase === "cross-border" ? this.otherCountry(cardCountry) : cardCountry;
    const brand = pickWeighted(rng, BRANDS, BRAND_WEIGHTS);
    const id = `pay_${randomString(rng, HEX, 24)}`;
    let idempotencyKey = randomString(rng, HEX, 32);
    if (edgeCase === "duplicate-idempotency-key" && this.previous !== undefined)
      idempotencyKey = this.previous.idempotencyKey;
    const device =
      edgeCase === "missing-device"
        ? null
        : {
            ...pickWeighted(rng, DEVICES, DEVICE_WEIGHTS),
            fingerprint: randomString(rng, HEX, 16),
            ip: `${1 + rng.int(223)}.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}`,
            ipCountry,
          };
    const record = {
      id,
      type: edgeCase === "refund" ? "refund" : "charge",
      ...(edgeCase === "refund" && this.previous !== undefined && { refundOf: this.previous.id }),
      createdAt: isoTime(this.timeMs),
      ts: Math.floor(this.timeMs),
      // Money as a decimal string in the currency's own digits (no float rounding on the way),
      // and as an integer of minor units, the two forms payment APIs use.
      amount: formatMinor(amountMinor, currency.decimals),
      amountMinor,
      currency: currency.code,
      amountUsd: Math.round((amountMinor / 10 ** currency.decimals / currency.perUsd) * 100) / 100,
      fxRate: currency.perUsd,
      merchant: {
        id: merchant.id,
        name: edgeCase === "unicode-merchant" ? pick(rng, UNICODE_NAMES) : merchant.name,
        mcc: merchant.mcc,
        country: merchant.country,
      },
      card: {
        brand,
        bin: `${brand === "visa" ? 4 : brand === "amex" ? 3 : 5}${randomString(rng, "0123456789", 5)}`,
        last4: randomString(rng, "0123456789", 4),
        country: cardCountry,
      },
      country: merchant.country,
      device,
      status: rng.next() < 0.03 ? "declined" : "approved",
      idempotencyKey,
      edgeCase,
    };
    this.previous = { id, idempotencyKey };
    return record;
  }

  private otherCountry(not: string): string {
    for (let i = 0; i < 8; i++) {
      const c = pickWeighted(this.rng, COUNTRIES, COUNTRY_WEIGHTS).country;
      if (c !== not) return c;
    }
    return not === "US" ? "GB" : "US";
  }
}

/** 1234, 2 → "12.34"; 1234, 0 → "1234". */
export function formatMinor(amountMinor: number, decimals: number): string {
  if (decimals === 0) return String(amountMinor);
  const text = String(amountMinor).padStart(decimals + 1, "0");
  return `${text.slice(0, -decimals)}.${text.slice(-decimals)}`;
}

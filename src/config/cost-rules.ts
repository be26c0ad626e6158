import type { ValueRule } from "./field-rules.js";

/**
 * `--azure-tier` and `--max-monthly-cost` (docs/cost.md): what they accept, in the same words for
 * the flag and for a problem message.
 */

export const AZURE_TIERS = ["Basic", "Standard", "Premium"] as const;
export type AzureTier = (typeof AZURE_TIERS)[number];

/** `--azure-tier TIER[:SIZE]`, e.g. `premium` or `standard:C3`. */
export interface AzureChoice {
  tier: AzureTier;
  size?: string;
}

export const azureTierRule: ValueRule<AzureChoice> = {
  allowed:
    "a tier basic, standard or premium, optionally with a size: standard:C3, premium:P2 (C0–C6 for Basic and Standard, P1–P5 for Premium)",
  parse(raw) {
    if (typeof raw !== "string") return undefined;
    const match = /^(basic|standard|premium)(?:[:/]([cp][0-6]))?$/i.exec(raw.trim());
    if (match === null) return undefined;
    const tier = AZURE_TIERS.find((t) => t.toLowerCase() === match[1].toLowerCase())!;
    const size = match[2]?.toUpperCase();
    if (size === undefined) return { tier };
    if ((tier === "Premium") !== size.startsWith("P") || size === "P0" || size === "P6") return undefined;
    return { tier, size };
  },
};

export const maxMonthlyCostRule: ValueRule<number> = {
  allowed: "a monthly budget in USD above 0, e.g. 500 or 1250.50",
  parse(raw) {
    const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw.replace(/^\$/, "")) : raw;
    return typeof value === "number" && Number.isFinite(value) && value > 0 && value <= 1e9
      ? value
      : undefined;
  },
};

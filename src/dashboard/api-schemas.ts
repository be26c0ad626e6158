import { FAULT_KINDS } from "../faults/fault-schedule.js";

/**
 * JSON schemas of the API: fastify validates requests with them (every problem at once) and
 * @fastify/swagger builds /api/docs from the same objects, so the document cannot drift from what
 * the server accepts.
 */

const problem = {
  type: "object",
  properties: {
    field: { type: "string" },
    value: {},
    allowed: { type: "string" },
    source: { type: "string" },
  },
} as const;

export const problemsReply = {
  type: "object",
  properties: {
    error: { type: "string" },
    message: { type: "string" },
    problems: { type: "array", items: problem },
  },
} as const;

export const errorReply = {
  type: "object",
  properties: { error: { type: "string" }, message: { type: "string" } },
} as const;

export const runInfo = {
  type: "object",
  properties: {
    id: { type: "string" },
    scenario: { type: "string" },
    target: { type: "string" },
    startedBy: { type: "string" },
    startedAt: { type: "string" },
    state: { type: "string", enum: ["running", "paused", "stopping", "ended", "failed"] },
    stopReason: { type: "string" },
    rate: { type: "number", description: "open loop: the rate last set from the dashboard, ops/s" },
    reportPath: { type: "string" },
    error: { type: "string" },
    summary: { type: "object", additionalProperties: true },
  },
} as const;

export const startBody = {
  type: "object",
  // Unknown fields are reported by resolveStartRequest, together with the run configuration's problems.
  additionalProperties: true,
  properties: {
    scenario: { type: "string", description: "a shipped scenario's name (GET /api/scenarios)" },
    file: { type: "string", description: "the text of a scenario file (YAML or JSON), at most 256 KiB" },
    url: {
      type: "string",
      description: "redis://, rediss://, redis+sentinel://; without it a throwaway local redis-server",
    },
    overrides: {
      type: "object",
      description: "run flags by name without --, as on the command line",
      additionalProperties: {
        anyOf: [
          { type: "string" },
          { type: "number" },
          { type: "boolean" },
          { type: "array", items: { type: "string" } },
        ],
      },
    },
    concurrent: { type: "boolean", description: "allow a second run on a target that already has one" },
  },
} as const;

export const loginBody = {
  type: "object",
  additionalProperties: false,
  required: ["key"],
  properties: { key: { type: "string", minLength: 1, maxLength: 512 } },
} as const;

export const runIdParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", pattern: "^[0-9a-f]{8}$" } },
} as const;

export const rateBody = {
  type: "object",
  additionalProperties: false,
  required: ["opsPerSecond"],
  properties: { opsPerSecond: { type: "number", minimum: 0.001, maximum: 100_000_000 } },
} as const;

/** A `faults:` entry without `at` (docs/faults.md); its fields are judged by the scenario file's rules. */
export const faultBody = {
  type: "object",
  required: ["kind"],
  // The kind's own fields (latencyMs, seconds, clients...) are checked by the fault schedule's rules,
  // which list every problem with the words of a scenario file.
  additionalProperties: true,
  properties: {
    kind: {
      type: "string",
      enum: [...FAULT_KINDS],
    },
    for: { anyOf: [{ type: "string" }, { type: "number" }], description: "how long, e.g. 3s" },
    name: { type: "string", maxLength: 80 },
  },
} as const;

export const faultMenuReply = {
  type: "object",
  properties: {
    kinds: {
      type: "array",
      items: {
        type: "object",
        properties: {
          kind: { type: "string" },
          needsFor: { type: "string", enum: ["required", "optional", "none"] },
          field: {
            type: "object",
            properties: {
              key: { type: "string" },
              label: { type: "string" },
              default: { anyOf: [{ type: "string" }, { type: "number" }] },
            },
          },
        },
      },
    },
    presets: { type: "array", items: { type: "object", additionalProperties: true } },
  },
} as const;

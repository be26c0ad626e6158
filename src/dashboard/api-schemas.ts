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
    state: { type: "string", enum: ["running", "stopping", "ended", "failed"] },
    stopReason: { type: "string" },
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

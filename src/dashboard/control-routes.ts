import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ConfigError } from "../config/errors.js";
import type { FaultEntry } from "../run/fault-inject.js";
import { FaultUnavailableError } from "../run/run-faults.js";
import type { KeyRing } from "./access-keys.js";
import {
  errorReply,
  faultBody,
  faultMenuReply,
  problemsReply,
  rateBody,
  runIdParams,
  runInfo,
} from "./api-schemas.js";
import type { AuditEntry, AuditLog } from "./audit-log.js";
import { authorize } from "./identity.js";
import { type RunManager, SteerError } from "./run-manager.js";
import type { Sessions } from "./sessions.js";

/** What the control routes need of the dashboard. */
export interface ControlContext {
  keys: KeyRing;
  sessions: Sessions;
  audit: AuditLog;
  runs: RunManager;
}

/** What carrying out an action came to: the reply and the audit log's outcome. */
interface ActionOutcome {
  status: number;
  body: unknown;
  outcome: AuditEntry["outcome"];
  detail?: string;
}

/**
 * An operator's action on a run: 401/403 (a denial is logged), then `requested` is written to the
 * audit log before the action is carried out and its outcome after, whatever it is.
 */
async function operatorAction(
  ctx: ControlContext,
  request: FastifyRequest,
  reply: FastifyReply,
  action: string,
  carryOut: (runId: string) => ActionOutcome,
  detail?: string,
): Promise<FastifyReply> {
  const { id } = request.params as { id: string };
  const who = authorize(request, reply, "operator", { ...ctx, action, run: id });
  if (who === undefined) return reply;
  const line = { keyId: who.keyId, role: who.role, action, run: id, ip: request.ip };
  ctx.audit.write({ ...line, outcome: "requested", detail });
  let result: ActionOutcome;
  try {
    result = carryOut(id);
  } catch (error) {
    if (error instanceof ConfigError)
      result = {
        status: 400,
        body: { error: "invalid", message: `${error.problems.length} problem(s)`, problems: error.problems },
        outcome: "invalid",
        detail: `${error.problems.length} problem(s)`,
      };
    else if (error instanceof FaultUnavailableError || error instanceof SteerError)
      result = { status: 409, body: { error: "conflict", message: error.message }, outcome: "failed" };
    else throw error;
  }
  const detailText =
    result.detail ??
    (result.outcome === "failed" ? (result.body as { message?: string }).message : undefined);
  ctx.audit.write({ ...line, outcome: result.outcome, detail: detailText });
  return reply.code(result.status).send(result.body);
}

const notFound = (id: string): ActionOutcome => ({
  status: 404,
  body: { error: "not found", message: `no run ${id}` },
  outcome: "failed",
  detail: "no such run",
});

/** Stop, emergency stop, pause, resume, rate and fault injection: every one an audited operator action. */
export function registerControlRoutes(app: FastifyInstance, ctx: ControlContext): void {
  const { runs } = ctx;
  for (const action of ["stop", "emergency-stop"] as const)
    app.post(
      `/api/runs/:id/${action}`,
      {
        schema: {
          summary:
            action === "stop"
              ? "Stop a run: the load stops, keys are cleaned up, the report is written (operator)"
              : "Emergency stop: the same at once, logged as an emergency (operator)",
          params: runIdParams,
          response: { 200: runInfo, 404: errorReply },
        },
      },
      (request, reply) =>
        operatorAction(ctx, request, reply, action, (id) => {
          const run = runs.stop(id, action);
          return run === undefined ? notFound(id) : { status: 200, body: run, outcome: "done" };
        }),
    );

  for (const action of ["pause", "resume"] as const)
    app.post(
      `/api/runs/:id/${action}`,
      {
        schema: {
          summary:
            action === "pause"
              ? "Pause a run: no new sends, connections stay open (operator); 409 when the run cannot pause"
              : "Resume a paused run (operator)",
          params: runIdParams,
          response: { 200: runInfo, 404: errorReply, 409: errorReply },
        },
      },
      (request, reply) =>
        operatorAction(ctx, request, reply, action, (id) => {
          const run = runs.steer(id, action);
          return run === undefined ? notFound(id) : { status: 200, body: run, outcome: "done" };
        }),
    );

  app.post(
    "/api/runs/:id/rate",
    {
      schema: {
        summary: "Change an open-loop run's rate, ops/s (operator); 409 for a closed-loop run",
        params: runIdParams,
        body: rateBody,
        response: { 200: runInfo, 400: problemsReply, 404: errorReply, 409: errorReply },
      },
    },
    (request, reply) => {
      const { opsPerSecond } = request.body as { opsPerSecond: number };
      return operatorAction(
        ctx,
        request,
        reply,
        "rate",
        (id) => {
          const run = runs.steer(id, "rate", opsPerSecond);
          return run === undefined ? notFound(id) : { status: 200, body: run, outcome: "done" };
        },
        `${opsPerSecond} ops/s`,
      );
    },
  );

  app.get(
    "/api/runs/:id/faults",
    {
      schema: {
        summary: "The faults this run can carry out, with their fields, and the scenario's own faults",
        params: runIdParams,
        response: { 200: faultMenuReply, 404: errorReply },
      },
    },
    async (request, reply) => {
      if (authorize(request, reply, "viewer", { ...ctx }) === undefined) return reply;
      const { id } = request.params as { id: string };
      const menu = runs.faultMenu(id);
      return menu ?? reply.code(404).send({ error: "not found", message: `no run ${id}` });
    },
  );

  app.post(
    "/api/runs/:id/faults",
    {
      schema: {
        summary:
          "Inject a fault into a running run now: a `faults:` entry without `at` (operator); 201 with the fault's record",
        params: runIdParams,
        body: faultBody,
        response: { 400: problemsReply, 404: errorReply, 409: errorReply },
      },
    },
    (request, reply) => {
      const entry = request.body as FaultEntry;
      return operatorAction(
        ctx,
        request,
        reply,
        "inject-fault",
        (id) => {
          const record = runs.injectFault(id, entry);
          if (record === undefined) return notFound(id);
          return { status: 201, body: record, outcome: "done", detail: `${record.name} at ${record.atS}s` };
        },
        JSON.stringify(entry).slice(0, 200),
      );
    },
  );
}

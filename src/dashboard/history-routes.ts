import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import type { ConfigProblem } from "../config/errors.js";
import { renderCompareHtml } from "../reports/compare/compare-html.js";
import { type CompareGroup, compareRuns } from "../reports/compare/compare-runs.js";
import type { KeyRing } from "./access-keys.js";
import { errorReply, problemsReply } from "./api-schemas.js";
import type { AuditLog } from "./audit-log.js";
import { readHistory, readRunResult, reportPath } from "./history.js";
import { authorize } from "./identity.js";
import type { Sessions } from "./sessions.js";

/** A report is shown as a page of its own: its scripts and styles inline, nothing from elsewhere. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const TYPES: Record<string, string> = {
  html: "text/html",
  json: "application/json",
  csv: "text/csv",
  md: "text/markdown",
};

/** The results folder: the runs in it, any report file, and two runs side by side (`cachestress compare`). */
export function registerHistoryRoutes(
  app: FastifyInstance,
  ctx: { keys: KeyRing; sessions: Sessions; audit: AuditLog; outDir: string },
): void {
  const viewer = { ...ctx };
  app.get(
    "/api/history",
    { schema: { summary: "Past runs in the results folder, newest first" } },
    async (request, reply) => {
      if (authorize(request, reply, "viewer", viewer) === undefined) return reply;
      return readHistory(ctx.outDir);
    },
  );

  app.get(
    "/api/reports/:name",
    {
      schema: {
        summary: "A report file from the results folder",
        params: { type: "object", properties: { name: { type: "string" } } },
        response: { 404: errorReply },
      },
    },
    async (request, reply) => {
      if (authorize(request, reply, "viewer", viewer) === undefined) return reply;
      const { name } = request.params as { name: string };
      const path = reportPath(ctx.outDir, name);
      const text = path === undefined ? undefined : await readFile(path).catch(() => undefined);
      if (text === undefined)
        return reply.code(404).send({ error: "not found", message: `no report ${name}` });
      const type = TYPES[name.slice(name.lastIndexOf(".") + 1)] ?? "text/plain";
      return reply.type(`${type}; charset=utf-8`).header("content-security-policy", REPORT_CSP).send(text);
    },
  );

  app.get(
    "/api/compare",
    {
      schema: {
        summary:
          "Two runs of the results folder side by side: the compare view of `cachestress compare` (HTML, or JSON with format=json)",
        querystring: {
          type: "object",
          required: ["base", "current"],
          additionalProperties: false,
          properties: {
            base: { type: "string", description: "a result file name from GET /api/history" },
            current: { type: "string", description: "another one, compared against base" },
            format: { type: "string", enum: ["html", "json"] },
          },
        },
        response: { 400: problemsReply },
      },
    },
    async (request, reply) => {
      if (authorize(request, reply, "viewer", viewer) === undefined) return reply;
      const query = request.query as { base: string; current: string; format?: "html" | "json" };
      const problems: ConfigProblem[] = [];
      const groups: CompareGroup[] = [];
      for (const field of ["base", "current"] as const) {
        const name = query[field];
        const path = name.endsWith(".json") ? reportPath(ctx.outDir, name) : undefined;
        const read =
          path === undefined ? "a result file name (.json) from GET /api/history" : await readRunResult(path);
        if (typeof read === "string") problems.push({ field, value: name, allowed: read });
        else groups.push({ label: name, paths: [path!], results: [read] });
      }
      if (problems.length > 0)
        return reply.code(400).send({ error: "invalid", message: `${problems.length} problem(s)`, problems });
      const comparison = compareRuns(groups);
      if (query.format === "json") return comparison;
      return reply
        .type("text/html; charset=utf-8")
        .header("content-security-policy", REPORT_CSP)
        .send(renderCompareHtml(comparison, groups));
    },
  );
}

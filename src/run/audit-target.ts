import { type AuditReport, auditConfig } from "../checks/config-audit.js";
import { readAuditInput } from "../checks/read-audit-input.js";
import type { RunConfig } from "../config/types.js";
import type { AdminClient } from "../core/admin-client.js";
import type { ConnectionTarget } from "../engine/load-connection.js";

/** `run --audit`: the configuration audit of the run's target, for its use case (cache by default). */
export async function auditTarget(
  admin: AdminClient,
  target: ConnectionTarget,
  config: RunConfig,
): Promise<AuditReport> {
  const input = await readAuditInput(admin, {
    host: target.host,
    authenticated: target.password !== undefined,
  });
  return auditConfig(input, config.useCase ?? "cache", []);
}

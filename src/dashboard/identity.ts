import type { FastifyReply, FastifyRequest } from "fastify";
import { type KeyRing, type Role, roleAllows } from "./access-keys.js";
import type { AuditLog } from "./audit-log.js";
import type { Sessions } from "./sessions.js";

/** Who is calling: from `Authorization: Bearer KEY` or the login's session cookie. */
export interface Identity {
  keyId: string;
  role: Role;
}

export const SESSION_COOKIE = "cs_session";

export function identify(request: FastifyRequest, keys: KeyRing, sessions: Sessions): Identity | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const key = keys.find(match?.[1]);
    return key === undefined ? undefined : { keyId: key.id, role: key.role };
  }
  const session = sessions.find(request.cookies?.[SESSION_COOKIE]);
  return session === undefined ? undefined : { keyId: session.keyId, role: session.role };
}

/**
 * A route's gate: 401 without a valid key, 403 (logged, for control actions) when the role is not
 * enough. Returns the identity when the call may go on.
 */
export function authorize(
  request: FastifyRequest,
  reply: FastifyReply,
  needed: Role,
  context: { keys: KeyRing; sessions: Sessions; audit: AuditLog; action?: string; run?: string },
): Identity | undefined {
  const who = identify(request, context.keys, context.sessions);
  if (who === undefined) {
    void reply.code(401).send({
      error: "unauthorized",
      message: "a valid key is needed: Authorization: Bearer KEY, or log in",
    });
    return undefined;
  }
  if (!roleAllows(who.role, needed)) {
    if (context.action !== undefined)
      context.audit.write({
        keyId: who.keyId,
        role: who.role,
        action: context.action,
        run: context.run,
        outcome: "denied",
        detail: `needs ${needed}`,
        ip: request.ip,
      });
    void reply
      .code(403)
      .send({ error: "forbidden", message: `the ${who.role} role may not do this; it needs ${needed}` });
    return undefined;
  }
  return who;
}

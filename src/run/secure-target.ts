import { ConfigError } from "../config/errors.js";
import { asFlagProblems, readTlsFiles } from "../config/target-security.js";
import type { TargetSecurity } from "../config/types.js";
import { type ResolvedTarget, resolveTarget } from "../core/target.js";
import type { ConnectionTarget } from "../engine/load-connection.js";
import { type AuthToken, fetchAuthToken } from "./auth-token.js";

/** How the run proves who it is; reported in the result (never with a secret). */
export type AuthMethod = "none" | "password" | "acl-user" | "token-command";

export interface PreparedTarget extends ResolvedTarget {
  method: AuthMethod;
  /** The token from --auth-token-command, and when it was fetched (epoch ms). */
  firstToken?: { token: AuthToken; fetchedAtMs: number };
}

/**
 * A target ready to connect to: the URL resolved, the TLS files read (once, for every connection of
 * the run: load, admin and probe), and with --auth-token-command the first token fetched and used
 * as the password. A file that went missing since the config was checked is still a ConfigError.
 */
export async function prepareTarget(
  url: string,
  security: TargetSecurity,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PreparedTarget> {
  const { material, problems } = await readTlsFiles(security);
  if (problems.length > 0) throw new ConfigError(asFlagProblems(problems));
  let firstToken: PreparedTarget["firstToken"];
  if (security.authTokenCommand !== undefined) {
    const fetchedAtMs = Date.now();
    firstToken = { token: await fetchAuthToken(security.authTokenCommand, undefined, env), fetchedAtMs };
  }
  const target = resolveTarget(url, env, {
    ...material,
    servername: security.tlsServername,
    insecure: security.tlsInsecure,
    password: firstToken?.token.token,
  });
  const method = authMethod(target.connection, firstToken !== undefined);
  return firstToken !== undefined ? { ...target, method, firstToken } : { ...target, method };
}

function authMethod(connection: ConnectionTarget, token: boolean): AuthMethod {
  if (token) return "token-command";
  if (connection.password === undefined) return "none";
  return connection.username !== undefined ? "acl-user" : "password";
}

/** Printed once per run or audit when certificate checks are off, so nobody forgets they asked. */
export const TLS_INSECURE_WARNING =
  "warning: --tls-insecure: the server's TLS certificate is not verified; anyone on the network path could pose as the server";

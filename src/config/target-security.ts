import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createSecureContext } from "node:tls";
import { type ConfigProblem, firstLine } from "./errors.js";
import { settingName } from "./settings.js";
import type { TargetSecurity } from "./types.js";

/**
 * The TLS and token settings of a target: the checks between them and the URL, and the PEM files
 * they name, read and checked before anything connects, so that a missing or wrong file is a config
 * error naming the flag instead of a handshake failure deep in a worker thread.
 */

/** The flag that sets each field, to name it in a problem (from the settings table). */
export const SECURITY_FLAGS: Record<keyof TargetSecurity, string> = Object.fromEntries(
  (
    [
      "tlsCaFile",
      "tlsCertFile",
      "tlsKeyFile",
      "tlsServername",
      "tlsInsecure",
      "authTokenCommand",
      "authTokenRefreshMs",
    ] as const
  ).map((key) => [key, settingName(key)]),
) as Record<keyof TargetSecurity, string>;

/** A problem about one field; the caller names it as a flag or a scenario-file field. */
export interface SecurityProblem {
  key: keyof TargetSecurity;
  value: unknown;
  allowed: string;
}

/** The PEM text of the files, passed as is to every TLS connection of the run. */
export interface TlsMaterial {
  ca?: string;
  cert?: string;
  key?: string;
}

const TLS_KEYS = ["tlsCaFile", "tlsCertFile", "tlsKeyFile", "tlsServername", "tlsInsecure"] as const;

/** Checks between the fields and the URL (undefined URL = the local redis-server the tool starts). */
export function securityProblems(security: TargetSecurity, url: string | undefined): SecurityProblem[] {
  const problems: SecurityProblem[] = [];
  const add = (key: keyof TargetSecurity, value: unknown, allowed: string) =>
    problems.push({ key, value, allowed });
  const scheme = url === undefined ? undefined : /^([a-z]+):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme !== "rediss") {
    const why =
      url === undefined
        ? "only with --url rediss://... (the local redis-server the tool starts has no TLS)"
        : "only with a rediss:// URL (this one is not TLS)";
    for (const key of TLS_KEYS) if (security[key] !== undefined) add(key, security[key], why);
  } else if ((security.tlsCertFile === undefined) !== (security.tlsKeyFile === undefined)) {
    if (security.tlsKeyFile === undefined)
      add("tlsKeyFile", undefined, "the PEM private key of the client certificate, which --tls-cert needs");
    else add("tlsCertFile", undefined, "the PEM client certificate of --tls-key, which it needs");
  }
  if (security.authTokenRefreshMs !== undefined && security.authTokenCommand === undefined)
    add("authTokenRefreshMs", security.authTokenRefreshMs, "only with --auth-token-command");
  if (security.authTokenCommand !== undefined) {
    if (url === undefined)
      add(
        "authTokenCommand",
        security.authTokenCommand,
        "only with --url (the local redis-server has no password)",
      );
    else if (URL.canParse(url) && new URL(url).password !== "")
      add(
        "authTokenCommand",
        security.authTokenCommand,
        "not with a password in the URL: the token is the password (a user name in the URL is fine)",
      );
  }
  return problems;
}

/** Reads the PEM files once and checks that they hold what their flag promises. */
export async function readTlsFiles(
  security: TargetSecurity,
): Promise<{ material: TlsMaterial; problems: SecurityProblem[] }> {
  const problems: SecurityProblem[] = [];
  const material: TlsMaterial = {};
  const read = async (key: "tlsCaFile" | "tlsCertFile" | "tlsKeyFile", what: string) => {
    const path = security[key];
    if (path === undefined) return undefined;
    try {
      return await readFile(path, "utf8");
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      problems.push({ key, value: path, allowed: `a readable ${what} (${reason})` });
      return undefined;
    }
  };
  const [ca, cert, key] = await Promise.all([
    read("tlsCaFile", "PEM file of CA certificates"),
    read("tlsCertFile", "PEM certificate file"),
    read("tlsKeyFile", "PEM private key file"),
  ]);
  if (ca !== undefined) {
    const problem = certificateProblem(ca);
    if (problem === undefined) material.ca = ca;
    else
      problems.push({
        key: "tlsCaFile",
        value: security.tlsCaFile,
        allowed: `PEM CA certificates (${problem})`,
      });
  }
  const certOk = cert !== undefined && certificateProblem(cert) === undefined;
  if (cert !== undefined && !certOk) {
    const allowed = `a PEM certificate (${certificateProblem(cert)})`;
    problems.push({ key: "tlsCertFile", value: security.tlsCertFile, allowed });
  }
  const keyProblem = key === undefined ? undefined : privateKeyProblem(key);
  if (keyProblem !== undefined) {
    const allowed = `an unencrypted PEM private key (${keyProblem})`;
    problems.push({ key: "tlsKeyFile", value: security.tlsKeyFile, allowed });
  }
  if (certOk && key !== undefined && keyProblem === undefined) {
    try {
      createSecureContext({ cert, key });
      material.cert = cert;
      material.key = key;
    } catch (error) {
      const reason = firstLine(error);
      const allowed = `the private key of ${security.tlsCertFile} (${reason})`;
      problems.push({ key: "tlsKeyFile", value: security.tlsKeyFile, allowed });
    }
  }
  // In the order of the flags, whichever file was read first.
  const order: (keyof TargetSecurity)[] = ["tlsCaFile", "tlsCertFile", "tlsKeyFile"];
  problems.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
  return { material, problems };
}

/** Every BEGIN CERTIFICATE block must parse; a file with none is not a certificate file. */
function certificateProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (blocks === null) return "no -----BEGIN CERTIFICATE----- block in it";
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      return firstLine(error);
    }
  }
  return undefined;
}

function privateKeyProblem(pem: string): string | undefined {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) return "no -----BEGIN PRIVATE KEY----- block in it";
  try {
    createPrivateKey(pem);
    return undefined;
  } catch (error) {
    // An encrypted key asks for a passphrase; the message says so, and never contains the key.
    return firstLine(error);
  }
}

/** Problems as ConfigProblems named by their flags (used where no scenario file is involved). */
export function asFlagProblems(problems: SecurityProblem[]): ConfigProblem[] {
  return problems.map((p) => ({ field: SECURITY_FLAGS[p.key], value: p.value, allowed: p.allowed }));
}

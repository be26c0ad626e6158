import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Certificates made with the real `openssl` for TLS tests: a CA of our own (trusted by nobody else,
 * so a client without --tls-ca must refuse the server), a server certificate for 127.0.0.1 and
 * localhost signed by it, and a client certificate for mutual TLS. All PEM files in one temporary
 * directory that `remove()` deletes.
 */
export interface TestCertificates {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  remove(): void;
}

/** Days the certificates are valid: a test run needs minutes, so this only guards against clock skew. */
const VALID_DAYS = "2";
/** EC keys are generated in milliseconds, RSA keys take much longer on a busy machine. */
const NEW_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"], timeout: 20_000 });
}

function signedBy(cwd: string, name: string, subject: string, extensions: string): void {
  openssl(["req", ...NEW_KEY, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject], cwd);
  writeFileSync(join(cwd, `${name}.ext`), extensions);
  openssl(
    [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      VALID_DAYS,
      "-out",
      `${name}.crt`,
      "-extfile",
      `${name}.ext`,
    ],
    cwd,
  );
}

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "cachestress-certs-"));
  try {
    openssl(
      [
        "req",
        "-x509",
        ...NEW_KEY,
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        VALID_DAYS,
        "-subj",
        "/CN=cachestress test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
      ],
      dir,
    );
    signedBy(
      dir,
      "server",
      "/CN=localhost",
      "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
    );
    signedBy(dir, "client", "/CN=cachestress test client", "extendedKeyUsage=clientAuth\n");
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    ca: join(dir, "ca.crt"),
    serverCert: join(dir, "server.crt"),
    serverKey: join(dir, "server.key"),
    clientCert: join(dir, "client.crt"),
    clientKey: join(dir, "client.key"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

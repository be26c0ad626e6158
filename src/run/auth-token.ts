import { spawn } from "node:child_process";

/**
 * `--auth-token-command`: a shell command whose standard output is the password to AUTH with, for
 * services whose credentials are short-lived tokens (Azure Cache for Redis with Entra ID, an IAM
 * token on ElastiCache). The token never goes on a command line, into a log or into a report: it is
 * read from the command's stdout and kept in memory only.
 */

export interface AuthToken {
  token: string;
  /** When the token stops working, epoch ms, when the command said so. */
  expiresOnMs?: number;
}

export class AuthTokenError extends Error {
  readonly code = "E_AUTH_TOKEN";
}

/** The longest a token command may run before it counts as failed, ms (az CLI can take seconds). */
export const TOKEN_COMMAND_TIMEOUT_MS = 30_000;
/** More output than this is not a token; the command is stopped, bytes. */
const MAX_OUTPUT_BYTES = 64 * 1024;
/** Of the command's stderr, only this much is shown when it fails, characters. */
const STDERR_SHOWN_CHARS = 200;

/**
 * Reads the token from a command's stdout: the token alone on one line (`az ... -o tsv`), or JSON
 * with `token` (or az's `accessToken`) and optionally `expiresOnMs` (or az's `expires_on`, epoch s).
 * The error never quotes the output, since it may be a token in a shape we did not expect.
 */
export function parseTokenOutput(stdout: string): AuthToken | string {
  const text = stdout.trim();
  if (text === "") return "printed nothing; it must print the token";
  if (!text.startsWith("{")) {
    return /\s/.test(text)
      ? 'printed more than one word; it must print the token alone, or JSON {"token": ..., "expiresOnMs": ...}'
      : { token: text };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'printed something that starts like JSON but is not; expected {"token": ..., "expiresOnMs": ...}';
  }
  const fields = parsed as Record<string, unknown>;
  const token = fields.token ?? fields.accessToken;
  if (typeof token !== "string" || token.trim() === "")
    return 'printed JSON without a "token" (or "accessToken") string';
  const expiresOnMs =
    typeof fields.expiresOnMs === "number"
      ? fields.expiresOnMs
      : fields.expires_on !== undefined && Number.isFinite(Number(fields.expires_on))
        ? Number(fields.expires_on) * 1000
        : undefined;
  return expiresOnMs !== undefined && Number.isFinite(expiresOnMs)
    ? { token: token.trim(), expiresOnMs }
    : { token: token.trim() };
}

/** Runs the command in a shell and returns its token; throws AuthTokenError with a one-line cause. */
export function fetchAuthToken(
  command: string,
  timeoutMs = TOKEN_COMMAND_TIMEOUT_MS,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AuthToken> {
  return new Promise((resolve, reject) => {
    // Its own process group, so that a stuck command is stopped with whatever it started (a shell
    // running `az`), not just the shell, and its pipes close.
    const child = spawn(command, { shell: true, stdio: ["ignore", "pipe", "pipe"], env, detached: true });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = "";
    let failure: string | undefined;
    const fail = (why: string) => {
      failure ??= why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => fail(`gave no token within ${timeoutMs} ms`), timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAX_OUTPUT_BYTES) fail(`printed more than ${MAX_OUTPUT_BYTES} bytes; not a token`);
      else stdout.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString("utf8");
    });
    child.on("error", (error) => fail(error.message));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const lead = "--auth-token-command";
      if (failure !== undefined) return reject(new AuthTokenError(`${lead} ${failure}`));
      if (code !== 0) {
        const said = stderr.trim().split("\n").at(-1)?.slice(0, STDERR_SHOWN_CHARS);
        const how = code !== null ? `exited with code ${code}` : `ended by ${signal}`;
        return reject(new AuthTokenError(`${lead} ${how}${said ? `: ${said}` : ""}`));
      }
      const token = parseTokenOutput(Buffer.concat(stdout).toString("utf8"));
      if (typeof token === "string") reject(new AuthTokenError(`${lead} ${token}`));
      else resolve(token);
    });
  });
}

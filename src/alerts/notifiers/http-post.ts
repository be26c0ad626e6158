import { redactText } from "../../core/redact.js";
import { NotifyError, scrubSecrets } from "../notifier.js";

/**
 * One JSON POST, as Slack and generic webhooks need it, turned into a NotifyError that says whether a
 * retry can help. Node's own fetch is used: no dependency, and it honours an AbortSignal timeout so
 * a receiver that accepts the connection and never answers cannot hold a delivery forever.
 * Error messages leave out the URL: the delivery record already names the redacted destination.
 */

/** Longest one attempt may take, ms; a live run flushes notifications with a bounded wait. */
export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
/** Error bodies are quoted in the failure record up to this many characters. */
const BODY_EXCERPT_CHARS = 200;

export interface JsonPost {
  url: string;
  body: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export async function postJson(post: JsonPost): Promise<void> {
  const timeoutMs = post.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  // Header values may be tokens; they are scrubbed from any text that reaches a log.
  const secrets = [post.url, ...Object.values(post.headers ?? {})];
  let response: Response;
  try {
    response = await fetch(post.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "cachestress", ...post.headers },
      body: JSON.stringify(post.body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "error",
    });
  } catch (error) {
    throw new NotifyError(clean(describeFetchError(error, timeoutMs), secrets), {
      retryable: true,
    });
  }
  // The body is read even on success so the connection goes back to the pool instead of leaking.
  const text = await response.text().catch(() => "");
  if (response.ok) return;
  const excerpt = clean(text.trim().slice(0, BODY_EXCERPT_CHARS), secrets);
  const status = `HTTP ${response.status}${excerpt === "" ? "" : ` ${JSON.stringify(excerpt)}`}`;
  const retryable =
    response.status === 408 || response.status === 425 || response.status === 429 || response.status >= 500;
  throw new NotifyError(status, {
    retryable,
    retryAfterMs: parseRetryAfterMs(response.headers.get("retry-after")),
  });
}

/** `Retry-After` as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | null, nowMs = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const atMs = Date.parse(trimmed);
  return Number.isNaN(atMs) ? undefined : Math.max(0, atMs - nowMs);
}

/** fetch reports every network failure as `TypeError: fetch failed`; the useful part is the cause. */
function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
    return `no answer within ${timeoutMs}ms`;
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code !== undefined) return cause.code;
  if (cause?.message !== undefined) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function clean(text: string, secrets: readonly string[]): string {
  return redactText(scrubSecrets(text, secrets));
}

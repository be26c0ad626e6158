import { redactText } from "../core/redact.js";
import { PushError } from "./push-loop.js";

/** Longest one HTTP attempt may take, ms: a hung endpoint must not hold the push loop. */
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * One HTTP request with a time limit; a reply outside 2xx becomes a PushError whose message has the
 * status and the start of the body. 408, 429 and 5xx are worth retrying; other 4xx (bad request,
 * bad credentials) are not. URLs in messages are redacted: they may carry a token.
 */
export async function httpSend(
  method: string,
  url: string,
  body: string | undefined,
  headers: Record<string, string>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { method, body, headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const why =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    throw new PushError(`${method} ${redactText(url)} failed: ${why}`, true);
  }
  const text = await response.text();
  if (response.ok) return text;
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
  throw new PushError(
    `${method} ${redactText(url)} answered ${response.status}: ${text.slice(0, 200).replace(/\s+/g, " ")}`,
    retryable,
  );
}

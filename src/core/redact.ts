import type { RunConfig } from "../config/types.js";

/**
 * Secret redaction for anything that leaves the process: reports, logs, the dashboard.
 *
 * The URL is rewritten as a string instead of through `new URL()` for two reasons. `URL` throws on
 * the malformed URLs people actually paste (an unencoded `#` or `/` in a password), and it
 * re-serialises what it parses (percent-encoding, host case), so a report would not show the URL
 * the user typed. Working on the string keeps every character except the secret.
 */

export const REDACTED = "***";

/**
 * Query parameters some clients accept for credentials (`?password=`, `?token=`). node-redis
 * ignores them, but a user may still paste such a URL, and it would otherwise be printed verbatim.
 */
const SECRET_QUERY_PARAM =
  /([?&;](?:password|passwd|pass|pwd|token|auth|auth_token|authtoken|secret)=)([^&;#]*)/gi;

/** Last-resort pattern used if the string walk below ever throws: drops everything between `//` and `@`. */
const FALLBACK_USERINFO = /\/\/[\s\S]*@/;

/**
 * Replaces the secret part of a connection URL by `***`.
 *
 * - `redis://user:pass@host` → `redis://user:***@host` (the ACL user name is kept: it is not a
 *   secret and tells the reader which identity the run used);
 * - `rediss://:pass@host` → `rediss://:***@host`;
 * - `redis://token@host` → `redis://***@host`: with no `:` the user part cannot be told apart from
 *   a bare token (several managed services issue URLs like that), so it is treated as a secret;
 * - an empty password (`user:@host`) is left alone, since there is nothing to hide.
 *
 * The user part ends at the *last* `@`, because passwords often contain an unencoded `@` or `/`;
 * mistaking part of a query for user info over-redacts, which is safe, whereas the opposite leaks.
 * It never throws, and applying it twice gives the same result.
 */
export function redactUrl(url: string): string {
  try {
    return redactQuery(redactUserInfo(url));
  } catch {
    return url.replace(FALLBACK_USERINFO, `//${REDACTED}@`);
  }
}

function redactUserInfo(url: string): string {
  const slashes = url.indexOf("//");
  // Without `//` there is no authority; a bare `user:pass@host` is still treated as one.
  const start = slashes === -1 ? 0 : slashes + 2;
  const at = url.lastIndexOf("@");
  if (at < start) return url;
  const userInfo = url.slice(start, at);
  if (userInfo.length === 0) return url;
  const colon = userInfo.indexOf(":");
  let redacted: string;
  if (colon === -1) {
    redacted = REDACTED;
  } else {
    const password = userInfo.slice(colon + 1);
    if (password.length === 0) return url;
    redacted = `${userInfo.slice(0, colon)}:${REDACTED}`;
  }
  return url.slice(0, start) + redacted + url.slice(at);
}

function redactQuery(url: string): string {
  return url.replace(SECRET_QUERY_PARAM, (_match, name: string, value: string) =>
    value.length === 0 ? name : name + REDACTED,
  );
}

// A URL with user info embedded in free text: the scheme, then everything up to the `@`, stopping
// at whitespace so the match cannot run on into the rest of a sentence.
const URL_WITH_USERINFO_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s@]*@/gi;

/**
 * Redacts every URL password found inside free text such as an error message or a stop reason
 * (`connect ECONNREFUSED redis://:pw@10.0.0.5:6379` is exactly what a driver error looks like).
 * Text without `scheme://...@` is returned unchanged.
 */
export function redactText(text: string): string {
  return redactQuery(text.replace(URL_WITH_USERINFO_IN_TEXT, (match) => redactUrl(match)));
}

/**
 * A copy of the configuration that is safe to write into a report. The URL and the token command
 * are the only fields that can carry a secret (passwords and tokens otherwise come from environment
 * variables or the command's output and never enter RunConfig); the copy is deep so a caller cannot
 * mutate the live config through the report.
 */
export function redactConfig(config: RunConfig): RunConfig {
  const copy = structuredClone(config);
  if (copy.url !== undefined) copy.url = redactUrl(copy.url);
  // The token command may carry a secret of its own (a client secret, a bearer header).
  if (copy.authTokenCommand !== undefined) copy.authTokenCommand = REDACTED;
  if (copy.restartCommand !== undefined) copy.restartCommand = REDACTED;
  return copy;
}

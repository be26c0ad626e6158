import { readdir } from "node:fs/promises";
import { isAbsolute, join, sep } from "node:path";

/**
 * Expands `*` and `?` in paths (`Reports/*\/result_aws_*.json`), for patterns given in quotes that
 * no shell expanded. A path without wildcards is kept as it is, and so is a pattern that matches
 * nothing, so the reader reports it by name. Matches are sorted so runs keep their order.
 */
export async function expandPaths(patterns: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const pattern of patterns) {
    if (!/[*?]/.test(pattern)) {
      out.push(pattern);
      continue;
    }
    const segments = pattern.split(/[\\/]+/);
    const start = isAbsolute(pattern) ? sep : ".";
    const matches = await walk(
      start,
      segments.filter((s, i) => s !== "" || i > 0),
      isAbsolute(pattern) ? sep : "",
    );
    out.push(...(matches.length > 0 ? matches.sort() : [pattern]));
  }
  return out;
}

function segmentRegex(segment: string): RegExp {
  const body = segment
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]");
  return new RegExp(`^${body}$`);
}

async function walk(dir: string, segments: string[], shown: string): Promise<string[]> {
  if (segments.length === 0) return [shown];
  const [head, ...rest] = segments;
  if (!/[*?]/.test(head)) return walk(join(dir, head), rest, shown === "" ? head : join(shown, head));
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const regex = segmentRegex(head);
  const found: string[] = [];
  for (const entry of entries.filter((e) => regex.test(e) && !e.startsWith(".")))
    found.push(...(await walk(join(dir, entry), rest, shown === "" ? entry : join(shown, entry))));
  return found;
}

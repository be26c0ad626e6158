/**
 * Everything a report puts into HTML passes through here: key prefixes, command templates, error
 * kinds and server strings come from files and servers, so none of it may become markup.
 */

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&` as \u escapes so no
 * value can close the element (`</script>`) or open a comment, and the line separators JavaScript
 * once rejected. JSON.parse reads the escapes back to the same characters.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** An HTML table; cells are escaped unless given as `{ html }` (already-escaped markup). */
export type Cell = string | number | { html: string };

export function htmlTable(header: string[], rows: Cell[][], className = ""): string {
  const cell = (c: Cell, tag: string) => {
    const numeric =
      typeof c === "number" || (typeof c === "string" && /^[-+]?[\d.,]+( ?(ms|%|ops\/s|s|MB|B))?$/.test(c));
    const content = typeof c === "object" ? c.html : escapeHtml(c);
    return `<${tag}${numeric ? ' class="num"' : ""}>${content}</${tag}>`;
  };
  const head = `<tr>${header.map((h) => cell(h, "th")).join("")}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => cell(c, "td")).join("")}</tr>`).join("\n");
  return `<table${className ? ` class="${escapeHtml(className)}"` : ""}><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

/** A section with a heading and an anchor for the table of contents. */
export function section(id: string, title: string, body: string): string {
  return `<section id="${escapeHtml(id)}"><h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

import { redactText } from "../core/redact.js";
import type { HitGroupFigures } from "../measure/hit-groups.js";
import { type ChecklistTick, mark, PHASES } from "../result/checklist.js";
import type { RunResult } from "../result/result-types.js";
import { type Cell, escapeHtml, htmlTable, section } from "./html/escape.js";

/**
 * The report sections of the deployment-validation rows: the ticked checklist, and the hit ratio by
 * key group with the warming that preceded the load. Markdown (`## ...`, demoted under a template's
 * own headings) and HTML, from the same rows.
 */

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const row = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;

function statusWord(t: ChecklistTick): string {
  return t.status === "pass" ? "pass" : t.status === "fail" ? "FAIL" : "not done";
}

export function checklistMarkdown(result: RunResult): string[] {
  const ticks = result.checklist;
  if (ticks === undefined || ticks.length === 0) return [];
  const passed = ticks.filter((t) => t.status === "pass").length;
  const failed = ticks.filter((t) => t.status === "fail").length;
  const lines = [
    "## Checklist",
    "",
    `${passed} of ${ticks.length} items pass, ${failed} fail, ${ticks.length - passed - failed} not done (docs/checklist.md).`,
    "",
    row(["", "phase", "item", "status", "evidence"]),
    "|---|---|---|---|---|",
  ];
  for (const phase of PHASES)
    for (const t of ticks.filter((x) => x.phase === phase))
      lines.push(row([`[${mark(t.status)}]`, phase, t.text, statusWord(t), redactText(t.evidence)]));
  return lines;
}

function ratioText(f: HitGroupFigures): string {
  return f.hitRatio === null ? "n/a" : `${(f.hitRatio * 100).toFixed(1)} %`;
}

export function hitGroupsMarkdown(result: RunResult): string[] {
  const g = result.hitGroups;
  const warm = result.warm;
  if (g === undefined && warm === undefined) return [];
  const lines = ["## Hit ratio by key group", ""];
  if (warm !== undefined)
    lines.push(
      `Warmed before the load (--warm-top): ${warm.keys} ${warm.keyPattern} keys from key ${warm.firstKey}, in ${warm.durationMs} ms, before the first count${warm.note ? ` (${warm.note})` : ""}.`,
      "",
    );
  if (g === undefined) return lines;
  lines.push(
    row(["namespace (after the prefix)", "commands", "reads", "hits", "hit ratio"]),
    "|---|---|---:|---:|---:|",
  );
  for (const n of g.byNamespace)
    lines.push(
      row([`\`${n.namespace}\``, n.commands.join(", "), String(n.reads), String(n.hits), ratioText(n)]),
    );
  if (g.byPopularity !== undefined) {
    lines.push("", row(["popularity (rank in the key distribution)", "keys", "reads", "hits", "hit ratio"]));
    lines.push("|---|---:|---:|---:|---:|");
    for (const p of g.byPopularity)
      lines.push(row([p.group, String(p.keys), String(p.reads), String(p.hits), ratioText(p)]));
  } else if (g.popularityNote !== undefined) lines.push("", `No popularity groups: ${g.popularityNote}.`);
  return lines;
}

export function checklistHtml(result: RunResult): string {
  const ticks = result.checklist;
  if (ticks === undefined || ticks.length === 0) return "";
  const rows = PHASES.flatMap((phase) =>
    ticks
      .filter((t) => t.phase === phase)
      .map((t): Cell[] => [
        phase,
        t.text,
        {
          html: `<span class="${t.status === "pass" ? "stable" : t.status === "fail" ? "fail" : "muted"}">${escapeHtml(statusWord(t))}</span>`,
        },
        redactText(t.evidence),
      ]),
  );
  return section("checklist", "Checklist", htmlTable(["phase", "item", "status", "evidence"], rows));
}

export function hitGroupsHtml(result: RunResult): string {
  const g = result.hitGroups;
  const warm = result.warm;
  if (g === undefined && warm === undefined) return "";
  const parts: string[] = [];
  if (warm !== undefined)
    parts.push(
      `<p>Warmed before the load (--warm-top): ${warm.keys} ${escapeHtml(warm.keyPattern)} keys from key ${warm.firstKey}, in ${warm.durationMs} ms, before the first count${warm.note ? ` (${escapeHtml(warm.note)})` : ""}.</p>`,
    );
  if (g !== undefined) {
    parts.push(
      htmlTable(
        ["namespace (after the prefix)", "commands", "reads", "hits", "hit ratio"],
        g.byNamespace.map((n) => [n.namespace, n.commands.join(", "), n.reads, n.hits, ratioText(n)]),
      ),
    );
    if (g.byPopularity !== undefined)
      parts.push(
        htmlTable(
          ["popularity (rank in the key distribution)", "keys", "reads", "hits", "hit ratio"],
          g.byPopularity.map((p) => [p.group, p.keys, p.reads, p.hits, ratioText(p)]),
        ),
      );
    else if (g.popularityNote !== undefined)
      parts.push(`<p class="muted">No popularity groups: ${escapeHtml(g.popularityNote)}.</p>`);
  }
  return section("hit-groups", "Hit ratio by key group", parts.join("\n"));
}

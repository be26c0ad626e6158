import { chartLibrary } from "./assets.js";
import type { ChartSpec, ReportData } from "./chart-spec.js";
import { CLIENT_SCRIPT } from "./client-script.js";
import { escapeHtml, jsonForScript } from "./escape.js";

/**
 * The shell every HTML report shares: one file with the chart library, the styles (light, dark,
 * print), the data and the script inlined. The Content-Security-Policy forbids every fetch, so a
 * report cannot reach the network even if something in it tried.
 */

const STYLE = `
:root { --bg:#ffffff; --fg:#1f2937; --muted:#6b7280; --grid:#e5e7eb; --card:#f9fafb; --border:#d1d5db;
  --pass:#15803d; --fail:#b91c1c; --risk:#b45309; --alert:#d97706; --fault:#dc2626; --failover:#7c3aed; --mark:#0f766e; color-scheme: light; }
@media (prefers-color-scheme: dark) { :root:not([data-theme="light"]) { --bg:#0f172a; --fg:#e5e7eb; --muted:#9ca3af;
  --grid:#334155; --card:#1e293b; --border:#475569; --pass:#4ade80; --fail:#f87171; --risk:#fbbf24; --mark:#2dd4bf; color-scheme: dark; } }
:root[data-theme="dark"] { --bg:#0f172a; --fg:#e5e7eb; --muted:#9ca3af; --grid:#334155; --card:#1e293b; --border:#475569;
  --pass:#4ade80; --fail:#f87171; --risk:#fbbf24; --mark:#2dd4bf; color-scheme: dark; }
body { background:var(--bg); color:var(--fg); font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin:0; }
main { max-width:1200px; margin:0 auto; padding:16px 24px 48px; }
header.top { display:flex; justify-content:space-between; align-items:flex-start; gap:16px; }
h1 { font-size:22px; margin:8px 0 4px; } h2 { font-size:18px; border-bottom:1px solid var(--border); padding-bottom:4px; margin-top:28px; }
.muted { color:var(--muted); } .pass { color:var(--pass); font-weight:600; } .fail { color:var(--fail); font-weight:600; }
.risk { color:var(--risk); font-weight:600; } .stable { color:var(--pass); }
.badge { display:inline-block; padding:2px 10px; border-radius:999px; border:2px solid currentColor; font-weight:700; }
table { border-collapse:collapse; margin:8px 0; font-size:13px; } th, td { border:1px solid var(--border); padding:3px 8px; text-align:left; vertical-align:top; }
th { background:var(--card); } td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
figure.chart { margin:12px 0; padding:8px; background:var(--card); border:1px solid var(--border); border-radius:6px; break-inside:avoid; }
figure.chart figcaption { font-weight:600; margin-bottom:4px; display:flex; gap:12px; align-items:center; }
.uplot, .u-legend { color:var(--fg); font-family:inherit; } .u-legend th { background:transparent; } .u-legend td, .u-legend th { border:none; }
nav.toc a { margin-right:12px; color:var(--mark); } code { background:var(--card); padding:0 3px; border-radius:3px; }
ul.evidence { margin:2px 0 8px; } .legend-marks span { margin-right:14px; }
button, select { background:var(--card); color:var(--fg); border:1px solid var(--border); border-radius:4px; padding:3px 8px; }
@media print {
  :root, :root[data-theme="dark"] { --bg:#ffffff; --fg:#000000; --muted:#444; --grid:#ddd; --card:#ffffff; --border:#999; color-scheme: light; }
  .no-print { display:none !important; } main { max-width:none; padding:0; }
  section, table, figure.chart { break-inside:avoid; } h2 { break-after:avoid; }
}
`;

export function chartFigure(spec: ChartSpec): string {
  const names = Object.keys(spec.variants);
  const select =
    names.length > 1
      ? `<select class="no-print" aria-label="view">${names.map((n) => `<option value="${escapeHtml(n)}">${escapeHtml(n)}</option>`).join("")}</select>`
      : "";
  return `<figure class="chart" data-chart="${escapeHtml(spec.id)}" data-points="0"><figcaption>${escapeHtml(spec.title)}${select}</figcaption><div class="plot"></div></figure>`;
}

export function htmlPage(page: { title: string; body: string; data: ReportData }): string {
  const lib = chartLibrary();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(page.title)}</title>
<style>${lib.css}</style>
<style>${STYLE}</style>
</head>
<body>
<main>
<div class="no-print" style="float:right;margin-top:12px"><button id="theme-toggle" type="button">light / dark</button></div>
${page.body}
</main>
<script type="application/json" id="report-data">${jsonForScript(page.data)}</script>
<script>${lib.js}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

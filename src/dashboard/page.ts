import { PAGE_SCRIPT } from "./page-script.js";

/**
 * The dashboard page: one HTML file with its script inline (page-script.ts), no build step. Charts are uPlot (the
 * HTML report's library), served by the dashboard from node_modules; nothing comes from the network.
 * Data arrives over /api/stream; controls are plain fetch calls, so the emergency stop works even
 * when the stream is broken.
 */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>cachestress dashboard</title>
<link rel="stylesheet" href="/assets/uplot.css">
<style>
:root{--bg:#fff;--fg:#1b1f24;--muted:#5b6470;--card:#f5f7fa;--line:#d8dde3;--ok:#1a7f37;--risk:#b7791f;--fail:#c62828;--accent:#2563eb}
@media (prefers-color-scheme:dark){:root{--bg:#0f1419;--fg:#e6e9ee;--muted:#9aa4b1;--card:#18202a;--line:#2a3440}}
*{box-sizing:border-box}body{margin:0;font:15px/1.4 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
header{display:flex;gap:1rem;align-items:center;padding:.6rem 1rem;border-bottom:1px solid var(--line)}
header h1{font-size:1.1rem;margin:0}header .who{margin-left:auto;color:var(--muted)}
main{display:grid;grid-template-columns:minmax(260px,320px) 1fr;gap:1rem;padding:1rem}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.8rem;margin-bottom:1rem}
h2{font-size:1rem;margin:.1rem 0 .6rem}label{display:block;font-size:.85rem;color:var(--muted);margin-top:.4rem}
input,select,button{font:inherit;width:100%;padding:.35rem .5rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
button{cursor:pointer;margin-top:.6rem;background:var(--accent);color:#fff;border:0}button.stop{background:var(--risk)}button.emergency{background:var(--fail);font-weight:700}
button:disabled{opacity:.45;cursor:default}button.plain{background:transparent;color:var(--fg);border:1px solid var(--line);width:auto;margin:0}
.row{display:flex;gap:.5rem}.row>*{flex:1}
.problems{color:var(--fail);font-size:.85rem;white-space:pre-wrap}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1rem}
.chart{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.4rem}
.chart h3{font-size:.9rem;margin:.2rem .4rem}
.verdict{padding:.5rem .8rem;border-radius:6px;font-weight:700;color:#fff;background:var(--muted)}
.verdict.pass,.verdict.stable{background:var(--ok)}.verdict.risk{background:var(--risk)}.verdict.fail,.verdict.failure{background:var(--fail)}
table{width:100%;border-collapse:collapse;font-size:.85rem}a{color:var(--accent)}@media (prefers-color-scheme:dark){a{color:#7aa7ff}}td,th{padding:.25rem .4rem;border-bottom:1px solid var(--line);text-align:left}
#events{max-height:180px;overflow:auto;font-size:.8rem;font-family:ui-monospace,monospace}
.hidden{display:none!important}
#present{position:fixed;inset:0;background:var(--bg);display:flex;flex-direction:column;justify-content:center;align-items:center;gap:3vh;z-index:10}
#present .big{display:grid;grid-template-columns:repeat(3,1fr);gap:4vw;text-align:center}
#present .num{font-size:9vw;font-weight:800;transition:color .6s;font-variant-numeric:tabular-nums}
#present .cap{font-size:2.2vw;color:var(--muted)}
#present .title{font-size:3vw}
@media (max-width:900px){main{grid-template-columns:1fr}}
</style></head>
<body>
<div id="login"><main style="display:block;max-width:420px;margin:10vh auto"><section><h2>cachestress dashboard</h2>
<form id="loginForm"><label for="key">API key</label><input id="key" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button><div id="loginError" class="problems"></div></form></section></main></div>
<div id="app" class="hidden">
<header><h1>cachestress</h1><span id="verdict" class="verdict">no run</span><span id="runTitle"></span>
<span class="who" id="who"></span><button class="plain" id="presentBtn">Presentation</button><button class="plain" id="logoutBtn">Log out</button></header>
<main><div>
<section id="startSection"><h2>Start a run</h2><form id="startForm">
<label for="scenario">Scenario</label><select id="scenario"><option value="">— flags only —</option></select>
<label for="file">or a scenario file</label><input id="file" type="file" accept=".yaml,.yml,.json">
<label for="url">Target URL (empty: a throwaway local redis-server)</label><input id="url" placeholder="redis://127.0.0.1:6379">
<div class="row"><div><label for="duration">Duration</label><input id="duration" placeholder="30s"></div><div><label for="rate">Rate (ops/s)</label><input id="rate" placeholder="closed loop"></div></div>
<div class="row"><div><label for="connections">Connections</label><input id="connections" placeholder="50"></div><div><label for="pipeline">Pipeline</label><input id="pipeline" placeholder="1"></div></div>
<div class="row"><div><label for="maxCost">Budget, USD</label><input id="maxCost" placeholder="no limit"></div><div><label for="maxOps">Budget, operations</label><input id="maxOps" placeholder="no limit"></div></div>
<label for="thresholds">Thresholds (comma-separated)</label><input id="thresholds" placeholder="p(99)<5ms, errors<1%">
<button type="submit" id="startBtn">Start</button><div id="startProblems" class="problems"></div></form></section>
<section><h2>Runs</h2><div id="runs"></div><div id="controls">
<div class="row"><button id="pauseBtn">Pause</button><button id="resumeBtn">Resume</button></div>
<div class="row"><input id="rateInput" type="number" min="1" placeholder="ops/s" aria-label="new rate, ops/s"><button id="rateBtn" style="margin-top:0">Set rate</button></div>
<button class="stop" id="stopBtn">Stop</button><button class="emergency" id="emergencyBtn">EMERGENCY STOP</button>
<div id="controlProblems" class="problems"></div></div></section>
<section id="faultSection" class="hidden"><h2>Inject a fault</h2>
<label for="faultKind">Kind (as this target allows)</label><select id="faultKind"></select>
<div id="faultFieldRow"><label for="faultField" id="faultFieldLabel"></label><input id="faultField"></div>
<div id="faultForRow"><label for="faultFor">For</label><input id="faultFor"></div>
<button id="faultBtn">Inject now</button><div id="faultPresets" style="margin-top:.4rem"></div><div id="faultProblems" class="problems"></div></section>
<section><h2>Thresholds</h2><table id="thresholdTable"><tbody></tbody></table></section>
<section><h2>History</h2><table id="history"><tbody></tbody></table>
<p><a id="compareLink" class="hidden" target="_blank">Compare the two ticked runs</a><span id="compareHint" style="color:var(--muted);font-size:.85rem"></span></p></section>
</div><div>
<div class="charts">
<div class="chart" id="chartThroughput"><h3>Throughput, ops/s</h3></div>
<div class="chart" id="chartLatency"><h3>Latency, ms (from intended start; service time) <select id="latencyCommand" aria-label="command" style="width:auto;padding:.1rem .3rem"><option value="">all commands</option></select></h3></div>
<div class="chart" id="chartErrors"><h3>Errors and timeouts per second</h3></div>
<div class="chart" id="chartServer"><h3>Server: memory %, hit ratio %, CPU %</h3></div>
<div class="chart" id="chartClients"><h3>Server: connected clients, evictions/s</h3></div>
</div>
<section style="margin-top:1rem"><h2>Events</h2><div id="events"></div></section>
</div></main></div>
<div id="present" class="hidden"><div class="title" id="presentTitle">cachestress</div>
<div class="big"><div><div class="num" id="pOps">–</div><div class="cap">operations per second</div></div>
<div><div class="num" id="pP99">–</div><div class="cap">p99 latency, ms</div></div>
<div><div class="num" id="pErr">–</div><div class="cap">errors</div></div></div>
<div class="verdict" id="pVerdict" style="font-size:2.5vw">waiting for a run</div>
<button class="plain" id="presentClose">Close</button></div>
<script src="/assets/uplot.js"></script>
<script>${PAGE_SCRIPT}</script></body></html>`;

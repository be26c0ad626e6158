/**
 * The dashboard page: one HTML file with its script inline, no build step. Charts are uPlot (the
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
button.plain{background:transparent;color:var(--fg);border:1px solid var(--line);width:auto;margin:0}
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
<section><h2>Runs</h2><div id="runs"></div>
<button class="stop" id="stopBtn">Stop</button><button class="emergency" id="emergencyBtn">EMERGENCY STOP</button></section>
<section><h2>Thresholds</h2><table id="thresholdTable"><tbody></tbody></table></section>
<section><h2>History</h2><table id="history"><tbody></tbody></table></section>
</div><div>
<div class="charts">
<div class="chart" id="chartThroughput"><h3>Throughput, ops/s</h3></div>
<div class="chart" id="chartLatency"><h3>Latency, ms (from intended start; service time)</h3></div>
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
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let current = null; const runs = new Map(); const charts = {}; let socket = null;
function esc(s){return String(s).replace(/[&<>"']/g,(c)=>({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));}
async function api(method, path, body){const r = await fetch(path,{method,headers:body?{"content-type":"application/json"}:{},body:body?JSON.stringify(body):undefined,credentials:"same-origin"});
 const text = await r.text(); let data; try{data = text ? JSON.parse(text) : {};}catch{data = {message:text};} return {status:r.status, data};}
function series(n){return Array.from({length:n},()=>[]);}
function newRunState(info){return {info, t:[], ops:[], target:[], p50:[], p99:[], sp99:[], errors:[], timeouts:[], st:[], mem:[], hit:[], cpu:[], clients:[], evict:[], marks:[], thresholds:[], summary:null, last:null};}
function markersPlugin(getRun){return {hooks:{draw:[(u)=>{const run = getRun(); if(!run) return; const ctx = u.ctx; ctx.save();
 for(const m of run.marks){const x = u.valToPos(m.tS,"x",true); if(!(x>=u.bbox.left && x<=u.bbox.left+u.bbox.width)) continue; ctx.strokeStyle = m.kind==="alert" ? "#c62828" : "#7c3aed"; ctx.setLineDash([4,4]); ctx.beginPath(); ctx.moveTo(x,u.bbox.top); ctx.lineTo(x,u.bbox.top+u.bbox.height); ctx.stroke();}
 ctx.restore();}]}};}
function makeChart(id, labels, colors){const el = $(id); const w = Math.max(380, el.clientWidth - 12);
 const opts = {width:w, height:220, scales:{x:{time:false}}, series:[{label:"s"}, ...labels.map((l,i)=>({label:l, stroke:colors[i], width:2, spanGaps:true}))], axes:[{stroke:getComputedStyle(document.body).color},{stroke:getComputedStyle(document.body).color}], plugins:[markersPlugin(()=>runs.get(current))]};
 charts[id] = new uPlot(opts, [[], ...labels.map(()=>[])], el); el.dataset.points = "0";}
function setupCharts(){makeChart("chartThroughput",["ops/s","target"],["#2563eb","#9aa4b1"]); makeChart("chartLatency",["p50","p99","service p99"],["#1a7f37","#c62828","#b7791f"]);
 makeChart("chartErrors",["errors","timeouts"],["#c62828","#7c3aed"]); makeChart("chartServer",["memory %","hit ratio %","CPU %"],["#2563eb","#1a7f37","#b7791f"]); makeChart("chartClients",["clients","evictions/s"],["#2563eb","#c62828"]);}
function redraw(){const run = runs.get(current); if(!run) return;
 const put = (id, data, n) => { charts[id].setData(data); $(id).dataset.points = String(n); };
 put("chartThroughput",[run.t, run.ops, run.target], run.t.length); put("chartLatency",[run.t, run.p50, run.p99, run.sp99], run.t.length);
 put("chartErrors",[run.t, run.errors, run.timeouts], run.t.length); put("chartServer",[run.st, run.mem, run.hit, run.cpu], run.st.length); put("chartClients",[run.st, run.clients, run.evict], run.st.length);
 const last = run.last; if(last){$("pOps").textContent = Math.round(last.opsPerSec).toLocaleString(); $("pP99").textContent = last.p99Ms.toFixed(2); $("pErr").textContent = String(last.errors);}
 const v = verdictOf(run); $("verdict").className = "verdict " + v.cls; $("verdict").textContent = v.text; $("pVerdict").className = "verdict " + v.cls; $("pVerdict").textContent = v.text;
 $("runTitle").textContent = run.info.scenario + " → " + run.info.target + " (" + run.info.state + ")"; $("presentTitle").textContent = run.info.scenario;
 const rows = (run.summary ? run.summary.thresholds : run.thresholds).map((t)=>"<tr><td>"+esc(t.expression)+"</td><td>"+(t.ok===undefined?"live":t.ok?"✓":"✗")+"</td><td>"+(t.actual!==undefined?esc(t.actual):"")+"</td></tr>");
 $("thresholdTable").tBodies[0].innerHTML = rows.join("") || "<tr><td>none</td></tr>";}
function verdictOf(run){if(run.summary){const zones = run.summary.zones.map((z)=>z.zone); const worst = zones.includes("failure")?"failure":zones.includes("risk")?"risk":"stable";
  return {cls: run.summary.verdict==="pass" ? worst : "fail", text: run.summary.verdict.toUpperCase() + " · " + run.summary.status + " · zones " + worst};}
 const last = run.last; if(!last) return {cls:"", text: run.info.state};
 const cls = last.p99Ms > 500 || last.errors > 0 ? "failure" : last.p99Ms > 100 ? "risk" : "stable"; return {cls, text: run.info.state + " · " + cls};}
function onEvent(id, e){let run = runs.get(id); if(!run) return; if(e.type==="interval" && e.phase==="measure"){run.t.push(e.tS); run.ops.push(e.opsPerSec); run.target.push(e.targetRate ?? null); run.p50.push(e.p50Ms); run.p99.push(e.p99Ms); run.sp99.push(e.serviceP99Ms ?? null); run.errors.push(e.errors); run.timeouts.push(e.timeouts); run.last = e;}
 else if(e.type==="server"){run.st.push(e.tS); run.mem.push(e.memoryUsedPercent ?? null); run.hit.push(e.hitRatio!==undefined ? e.hitRatio*100 : null); run.cpu.push(e.cpuPercent ?? null); run.clients.push(e.connectedClients ?? null); run.evict.push(e.evictedKeysPerSec ?? null);}
 else if(e.type==="alert"){run.marks.push({kind:"alert", tS:e.tS}); log("ALERT " + e.message);}
 else if(e.type==="fault"){if(e.tS!==undefined) run.marks.push({kind:"fault", tS:e.tS}); log("fault " + e.name + " " + e.state);}
 else if(e.type==="notice"){log(e.message);}
 else if(e.type==="run-ended"){run.summary = e.summary; log("run ended: " + e.summary.verdict + ", " + e.summary.ops + " ops, keys deleted " + e.summary.keysDeleted + (e.summary.stopReason ? " (" + e.summary.stopReason + ")" : ""));}
 else if(e.type==="run-started"){log("started " + e.scenario + " → " + e.target);}
 if(id===current) redraw();}
function log(line){const el = $("events"); const div = document.createElement("div"); div.textContent = new Date().toLocaleTimeString() + "  " + line; el.appendChild(div); el.scrollTop = el.scrollHeight;}
function renderRuns(){$("runs").innerHTML = [...runs.values()].reverse().map((r)=>"<div><label><input type=radio name=run value='"+esc(r.info.id)+"' "+(r.info.id===current?"checked":"")+" style='width:auto'> "+esc(r.info.scenario)+" · "+esc(r.info.state)+" · "+esc(r.info.id)+"</label></div>").join("") || "none yet";
 for(const el of document.querySelectorAll("input[name=run]")) el.addEventListener("change",(ev)=>{current = ev.target.value; redraw();});}
function upsert(info){let run = runs.get(info.id); if(!run){run = newRunState(info); runs.set(info.id, run);} else run.info = info; if(info.summary) run.summary = info.summary; if(current===null || info.state==="running") current = info.id; renderRuns(); redraw(); if(info.state==="ended"||info.state==="failed") loadHistory();}
function connect(){const ws = new WebSocket((location.protocol==="https:"?"wss://":"ws://") + location.host + "/api/stream"); socket = ws;
 ws.onmessage = (m) => {const msg = JSON.parse(m.data); if(msg.type==="hello"){for(const r of msg.runs){upsert(r); for(const e of r.events) onEvent(r.id, e);} return;}
  if(msg.state) upsert(msg.state); else if(msg.event) onEvent(msg.run, msg.event);};
 ws.onclose = () => {$("who").textContent += " (stream lost, reconnecting)"; setTimeout(connect, 2000);};}
async function loadHistory(){const {status, data} = await api("GET","/api/history"); if(status!==200) return;
 $("history").tBodies[0].innerHTML = data.slice(0,15).map((h)=>"<tr><td><a target=_blank href='/api/reports/"+encodeURIComponent(h.file.replace(/\\.json$/, h.formats.includes(".html")?".html":".md"))+"'>"+esc(h.scenario ?? h.file)+"</a></td><td>"+esc(h.verdict ?? "")+"</td><td>"+(h.opsPerSec!==undefined?Math.round(h.opsPerSec):"")+"</td><td>"+(h.p99Ms!==undefined?h.p99Ms.toFixed(2):"")+"</td></tr>").join("");}
async function enter(me){$("login").classList.add("hidden"); $("app").classList.remove("hidden"); $("who").textContent = me.keyId + " (" + me.role + ")";
 if(me.role==="viewer"){ $("startSection").classList.add("hidden"); $("stopBtn").classList.add("hidden"); $("emergencyBtn").classList.add("hidden"); }
 setupCharts(); const s = await api("GET","/api/scenarios"); if(s.status===200) for(const name of s.data){const o = document.createElement("option"); o.value = name; o.textContent = name; $("scenario").appendChild(o);}
 connect(); loadHistory(); if(location.hash==="#present") $("present").classList.remove("hidden");}
$("loginForm").addEventListener("submit", async (ev)=>{ev.preventDefault(); const {status, data} = await api("POST","/api/login",{key:$("key").value}); $("key").value = "";
 if(status===200) enter(data); else $("loginError").textContent = data.message || ("login failed: " + status);});
$("startForm").addEventListener("submit", async (ev)=>{ev.preventDefault(); $("startProblems").textContent = ""; const overrides = {};
 for(const f of ["duration","rate","connections","pipeline"]){const v = $(f).value.trim(); if(v) overrides[f] = v;}
 if($("maxCost").value.trim()) overrides["max-cost"] = $("maxCost").value.trim(); if($("maxOps").value.trim()) overrides["max-ops"] = $("maxOps").value.trim();
 const th = $("thresholds").value.split(",").map((s)=>s.trim()).filter(Boolean); if(th.length) overrides.threshold = th;
 const body = {overrides}; if($("scenario").value) body.scenario = $("scenario").value; if($("url").value.trim()) body.url = $("url").value.trim();
 const file = $("file").files[0]; if(file) body.file = await file.text();
 const {status, data} = await api("POST","/api/runs", body);
 if(status===201){current = data.id; upsert(data); const run = runs.get(data.id); run.thresholds = th.map((expression)=>({expression}));} else $("startProblems").textContent = (data.message || status) + "\\n" + (data.problems||[]).map((p)=>p.field + ": got " + JSON.stringify(p.value) + "; allowed: " + p.allowed).join("\\n");});
async function control(action){if(!current) return; const {status, data} = await api("POST","/api/runs/" + current + "/" + action); if(status!==200) log(action + " failed: " + (data.message || status)); else upsert(data);}
$("stopBtn").addEventListener("click", ()=>control("stop")); $("emergencyBtn").addEventListener("click", ()=>control("emergency-stop"));
$("presentBtn").addEventListener("click", ()=>{$("present").classList.remove("hidden"); document.documentElement.requestFullscreen?.().catch(()=>{});});
$("presentClose").addEventListener("click", ()=>{$("present").classList.add("hidden"); if(document.fullscreenElement) document.exitFullscreen();});
$("logoutBtn").addEventListener("click", async ()=>{await api("POST","/api/logout"); location.reload();});
api("GET","/api/me").then(({status, data})=>{ if(status===200) enter(data); });
</script></body></html>`;

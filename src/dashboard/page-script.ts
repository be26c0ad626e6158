/**
 * The page's script, inline in the page (no build step, nothing from the network). Plain browser
 * JavaScript kept in a String.raw template so it reads as it runs; it must not contain a backtick
 * or a dollar-brace. Data comes over /api/stream; every control is a plain fetch call, so the stop
 * buttons work even when the stream is broken.
 */
export const PAGE_SCRIPT = String.raw`
"use strict";
const $ = (id) => document.getElementById(id);
let current = null; let faultMenuFor = null; let canControl = true;
const runs = new Map(); const charts = {};
function esc(s){return String(s).replace(/[&<>"']/g,(c)=>({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));}
async function api(method, path, body){
  const r = await fetch(path,{method, headers: body ? {"content-type":"application/json"} : {}, body: body ? JSON.stringify(body) : undefined, credentials:"same-origin"});
  const text = await r.text(); let data; try{ data = text ? JSON.parse(text) : {}; }catch{ data = {message:text}; }
  return {status:r.status, data};
}
function problemText(data, status){return (data.message || status) + "\n" + (data.problems || []).map((p)=>p.field + ": got " + JSON.stringify(p.value) + "; allowed: " + p.allowed).join("\n");}
function newRunState(info){return {info, t:[], ops:[], target:[], p50:[], p99:[], sp99:[], errors:[], timeouts:[], cmd:{}, st:[], mem:[], hit:[], cpu:[], clients:[], evict:[], marks:[], thresholds:[], summary:null, last:null};}

// Charts -------------------------------------------------------------------------------------------
function markersPlugin(getRun){return {hooks:{draw:[(u)=>{const run = getRun(); if(!run) return; const ctx = u.ctx; ctx.save();
  for(const m of run.marks){const x = u.valToPos(m.tS,"x",true); if(!(x>=u.bbox.left && x<=u.bbox.left+u.bbox.width)) continue;
    ctx.strokeStyle = m.kind==="alert" ? "#c62828" : m.kind==="fault" ? "#7c3aed" : "#9aa4b1"; ctx.setLineDash([4,4]); ctx.beginPath(); ctx.moveTo(x,u.bbox.top); ctx.lineTo(x,u.bbox.top+u.bbox.height); ctx.stroke();}
  ctx.restore();}]}};}
function makeChart(id, labels, colors){const el = $(id); const w = Math.max(380, el.clientWidth - 12); const fg = getComputedStyle(document.body).color;
  const opts = {width:w, height:220, scales:{x:{time:false}}, series:[{label:"s"}, ...labels.map((l,i)=>({label:l, stroke:colors[i], width:2, spanGaps:true}))], axes:[{stroke:fg},{stroke:fg}], plugins:[markersPlugin(()=>runs.get(current))]};
  charts[id] = new uPlot(opts, [[], ...labels.map(()=>[])], el); el.dataset.points = "0";}
function setupCharts(){
  makeChart("chartThroughput",["ops/s","target"],["#2563eb","#9aa4b1"]);
  makeChart("chartLatency",["p50","p99","service p99"],["#1a7f37","#c62828","#b7791f"]);
  makeChart("chartErrors",["errors","timeouts"],["#c62828","#7c3aed"]);
  makeChart("chartServer",["memory %","hit ratio %","CPU %"],["#2563eb","#1a7f37","#b7791f"]);
  makeChart("chartClients",["clients","evictions/s"],["#2563eb","#c62828"]);}
/** The latency series to draw: every command together, or the one picked in the menu. */
function latencyData(run){const pick = $("latencyCommand").value; const c = pick ? run.cmd[pick] : null;
  return c ? [run.t, c.p50, c.p99, c.sp99] : [run.t, run.p50, run.p99, run.sp99];}
function redraw(){const run = runs.get(current); if(!run) return;
  const put = (id, data, n) => { charts[id].setData(data); $(id).dataset.points = String(n); };
  put("chartThroughput",[run.t, run.ops, run.target], run.t.length); put("chartLatency", latencyData(run), run.t.length);
  put("chartErrors",[run.t, run.errors, run.timeouts], run.t.length); put("chartServer",[run.st, run.mem, run.hit, run.cpu], run.st.length); put("chartClients",[run.st, run.clients, run.evict], run.st.length);
  const last = run.last; if(last){ $("pOps").textContent = Math.round(last.opsPerSec).toLocaleString(); $("pP99").textContent = last.p99Ms.toFixed(2); $("pErr").textContent = String(last.errors); }
  const v = verdictOf(run); for(const id of ["verdict","pVerdict"]){ $(id).className = "verdict " + v.cls; $(id).textContent = v.text; }
  $("runTitle").textContent = run.info.scenario + " → " + run.info.target + " (" + run.info.state + ")"; $("presentTitle").textContent = run.info.scenario + (run.info.state==="paused" ? " · paused" : "");
  const rows = (run.summary ? run.summary.thresholds : run.thresholds).map((t)=>"<tr><td>"+esc(t.expression)+"</td><td>"+(t.ok===undefined?"live":t.ok?"✓":"✗")+"</td><td>"+(t.actual!==undefined?esc(t.actual):"")+"</td></tr>");
  $("thresholdTable").tBodies[0].innerHTML = rows.join("") || "<tr><td>none</td></tr>";
  const live = run.info.state==="running" || run.info.state==="paused";
  $("pauseBtn").disabled = run.info.state!=="running"; $("resumeBtn").disabled = run.info.state!=="paused"; $("rateBtn").disabled = !live;
  $("faultSection").classList.toggle("hidden", !canControl || !live || !$("faultKind").options.length);
  if(canControl && live && faultMenuFor!==run.info.id) loadFaultMenu(run.info.id);}
function verdictOf(run){
  if(run.summary){const zones = run.summary.zones.map((z)=>z.zone); const worst = zones.includes("failure")?"failure":zones.includes("risk")?"risk":"stable";
    const budget = run.summary.stoppedBy ? " · budget reached" : "";
    return {cls: run.summary.verdict==="pass" ? worst : "fail", text: run.summary.verdict.toUpperCase() + " · " + run.summary.status + budget + " · zones " + worst};}
  const last = run.last; if(!last) return {cls:"", text: run.info.state};
  const cls = last.p99Ms > 500 || last.errors > 0 ? "failure" : last.p99Ms > 100 ? "risk" : "stable"; return {cls, text: run.info.state + " · " + cls};}

// Events -------------------------------------------------------------------------------------------
function addCommands(run, e){
  for(const name of Object.keys(e.perCommand || {})) if(!run.cmd[name]){ run.cmd[name] = {p50: run.t.slice(0,-1).map(()=>null), p99: run.t.slice(0,-1).map(()=>null), sp99: run.t.slice(0,-1).map(()=>null)}; if(run.info.id===current) renderCommandMenu(run); }
  for(const [name, c] of Object.entries(run.cmd)){ const p = (e.perCommand || {})[name]; c.p50.push(p ? p.p50Ms : null); c.p99.push(p ? p.p99Ms : null); c.sp99.push(p && p.serviceP99Ms!==undefined ? p.serviceP99Ms : null); }}
function renderCommandMenu(run){const sel = $("latencyCommand"); const keep = sel.value;
  sel.innerHTML = "<option value=''>all commands</option>" + Object.keys(run.cmd).map((n)=>"<option value='"+esc(n)+"'>"+esc(n)+"</option>").join("");
  if(run.cmd[keep]) sel.value = keep;}
function onEvent(id, e){const run = runs.get(id); if(!run) return;
  if(e.type==="interval" && e.phase==="measure"){run.t.push(e.tS); run.ops.push(e.opsPerSec); run.target.push(e.targetRate ?? null); run.p50.push(e.p50Ms); run.p99.push(e.p99Ms); run.sp99.push(e.serviceP99Ms ?? null); run.errors.push(e.errors); run.timeouts.push(e.timeouts); addCommands(run, e); run.last = e;}
  else if(e.type==="server"){run.st.push(e.tS); run.mem.push(e.memoryUsedPercent ?? null); run.hit.push(e.hitRatio!==undefined ? e.hitRatio*100 : null); run.cpu.push(e.cpuPercent ?? null); run.clients.push(e.connectedClients ?? null); run.evict.push(e.evictedKeysPerSec ?? null);}
  else if(e.type==="alert"){run.marks.push({kind:"alert", tS:e.tS}); log(id, "ALERT " + e.message);}
  else if(e.type==="fault"){if(e.tS!==undefined) run.marks.push({kind:"fault", tS:e.tS}); log(id, "fault " + e.name + " " + e.state);}
  else if(e.type==="control"){if(run.last) run.marks.push({kind:"control", tS:run.last.tS}); log(id, e.message);}
  else if(e.type==="notice"){log(id, e.message);}
  else if(e.type==="run-ended"){run.summary = e.summary; log(id, "run ended: " + e.summary.verdict + ", " + e.summary.ops + " ops, keys deleted " + e.summary.keysDeleted + (e.summary.stopReason ? " (" + e.summary.stopReason + ")" : ""));}
  else if(e.type==="run-started"){log(id, "started " + e.scenario + " → " + e.target);}
  if(id===current) redraw();}
function log(id, line){if(id!==null && id!==current) return; const el = $("events"); const div = document.createElement("div"); div.textContent = new Date().toLocaleTimeString() + "  " + line; el.appendChild(div); el.scrollTop = el.scrollHeight;}
function renderRuns(){$("runs").innerHTML = [...runs.values()].reverse().map((r)=>"<div><label><input type=radio name=run value='"+esc(r.info.id)+"' "+(r.info.id===current?"checked":"")+" style='width:auto'> "+esc(r.info.scenario)+" · "+esc(r.info.state)+" · "+esc(r.info.id)+"</label></div>").join("") || "none yet";
  for(const el of document.querySelectorAll("input[name=run]")) el.addEventListener("change",(ev)=>select(ev.target.value));}
function select(id){current = id; const run = runs.get(id); if(run) renderCommandMenu(run); redraw();}
function upsert(info){let run = runs.get(info.id); const before = run?.info.state; if(!run){run = newRunState(info); runs.set(info.id, run);} else run.info = info;
  if(info.summary) run.summary = info.summary; if(current===null || info.state==="running" && current!==info.id && runs.get(current)?.info.state!=="running" && runs.get(current)?.info.state!=="paused") current = info.id;
  renderRuns(); redraw();
  // Once per run, when it ends: a reload on every later update would re-draw the table under the user's ticks.
  if((info.state==="ended"||info.state==="failed") && before!==info.state) loadHistory();}
function connect(){const ws = new WebSocket((location.protocol==="https:"?"wss://":"ws://") + location.host + "/api/stream");
  ws.onmessage = (m) => {const msg = JSON.parse(m.data); if(msg.type==="hello"){for(const r of msg.runs){upsert(r); for(const e of r.events) onEvent(r.id, e);} return;}
    if(msg.state) upsert(msg.state); else if(msg.event) onEvent(msg.run, msg.event);};
  ws.onclose = () => {$("who").textContent += " (stream lost, reconnecting)"; setTimeout(connect, 2000);};}

// History and compare -----------------------------------------------------------------------------
async function loadHistory(){const {status, data} = await api("GET","/api/history"); if(status!==200) return;
  // Runs ticked for the compare view stay ticked when the list is drawn again.
  const ticked = new Set([...document.querySelectorAll("input.cmp:checked")].map((b)=>b.value));
  $("history").tBodies[0].innerHTML = data.slice(0,15).map((h)=>"<tr><td><input type=checkbox class=cmp value='"+esc(h.file)+"'"+(ticked.has(h.file)?" checked":"")+" style='width:auto' title='compare'></td><td><a target=_blank href='/api/reports/"+encodeURIComponent(h.file.replace(/\.json$/, h.formats.includes(".html")?".html":".md"))+"'>"+esc(h.scenario ?? h.file)+"</a></td><td>"+esc(h.verdict ?? "")+"</td><td>"+(h.opsPerSec!==undefined?Math.round(h.opsPerSec):"")+"</td><td>"+(h.p99Ms!==undefined?h.p99Ms.toFixed(2):"")+"</td></tr>").join("");
  for(const box of document.querySelectorAll("input.cmp")) box.addEventListener("change", compareLink); compareLink();}
/** Two ticked runs: the older is the base. The link opens the compare view of cachestress compare. */
function compareLink(){const picked = [...document.querySelectorAll("input.cmp:checked")].map((b)=>b.value); const a = $("compareLink");
  if(picked.length!==2){a.classList.add("hidden"); $("compareHint").textContent = "tick two runs to compare them"; return;}
  a.href = "/api/compare?base=" + encodeURIComponent(picked[1]) + "&current=" + encodeURIComponent(picked[0]); a.classList.remove("hidden"); $("compareHint").textContent = "";}

// Controls ----------------------------------------------------------------------------------------
async function control(action, body){if(!current) return; const {status, data} = await api("POST","/api/runs/" + current + "/" + action, body);
  if(status!==200){ log(null, action + " failed: " + (data.message || status)); $("controlProblems").textContent = problemText(data, status); } else { $("controlProblems").textContent = ""; upsert(data); }}
async function loadFaultMenu(id){faultMenuFor = id; const {status, data} = await api("GET","/api/runs/" + id + "/faults"); if(status!==200) return;
  const sel = $("faultKind"); sel.innerHTML = data.kinds.map((k)=>"<option value='"+esc(k.kind)+"'>"+esc(k.kind)+"</option>").join(""); sel.menu = data.kinds; faultForm();
  $("faultPresets").innerHTML = data.presets.map((p, i)=>"<button type=button class=plain data-preset='"+i+"'>"+esc(p.name || p.kind)+"</button>").join(" ");
  for(const b of document.querySelectorAll("#faultPresets button")) b.addEventListener("click", ()=>{const {at, ...entry} = data.presets[Number(b.dataset.preset)]; inject(entry);});
  redraw();}
function faultForm(){const item = ($("faultKind").menu || []).find((k)=>k.kind===$("faultKind").value); if(!item) return;
  $("faultFieldRow").classList.toggle("hidden", !item.field); if(item.field){ $("faultFieldLabel").textContent = item.field.label; $("faultField").value = String(item.field.default); }
  $("faultForRow").classList.toggle("hidden", item.needsFor==="none"); $("faultFor").placeholder = item.needsFor==="required" ? "required, e.g. 3s" : "optional";}
async function inject(entry){const {status, data} = await api("POST","/api/runs/" + current + "/faults", entry);
  $("faultProblems").textContent = status===201 ? "" : problemText(data, status); if(status===201) log(null, "fault injected: " + data.name);}
function faultEntry(){const item = $("faultKind").menu.find((k)=>k.kind===$("faultKind").value); const entry = {kind:item.kind};
  if(item.field){const raw = $("faultField").value.trim(); entry[item.field.key] = typeof item.field.default==="number" && raw!=="" && !isNaN(Number(raw)) ? Number(raw) : raw;}
  if(item.needsFor!=="none" && $("faultFor").value.trim()) entry.for = $("faultFor").value.trim(); return entry;}

// Start, login, wiring ----------------------------------------------------------------------------
async function enter(me){$("login").classList.add("hidden"); $("app").classList.remove("hidden"); $("who").textContent = me.keyId + " (" + me.role + ")";
  if(me.role==="viewer"){ canControl = false; for(const id of ["startSection","controls"]) $(id).classList.add("hidden"); }
  setupCharts(); const s = await api("GET","/api/scenarios"); if(s.status===200) for(const name of s.data){const o = document.createElement("option"); o.value = name; o.textContent = name; $("scenario").appendChild(o);}
  connect(); loadHistory(); if(location.hash==="#present") $("present").classList.remove("hidden");}
$("loginForm").addEventListener("submit", async (ev)=>{ev.preventDefault(); const {status, data} = await api("POST","/api/login",{key:$("key").value}); $("key").value = "";
  if(status===200) enter(data); else $("loginError").textContent = data.message || ("login failed: " + status);});
$("startForm").addEventListener("submit", async (ev)=>{ev.preventDefault(); $("startProblems").textContent = ""; const overrides = {};
  for(const [id, flag] of [["duration","duration"],["rate","rate"],["connections","connections"],["pipeline","pipeline"],["maxCost","max-cost"],["maxOps","max-ops"]]){const v = $(id).value.trim(); if(v) overrides[flag] = v;}
  const th = $("thresholds").value.split(",").map((s)=>s.trim()).filter(Boolean); if(th.length) overrides.threshold = th;
  const body = {overrides}; if($("scenario").value) body.scenario = $("scenario").value; if($("url").value.trim()) body.url = $("url").value.trim();
  const file = $("file").files[0]; if(file) body.file = await file.text();
  const {status, data} = await api("POST","/api/runs", body);
  if(status===201){current = data.id; upsert(data); runs.get(data.id).thresholds = th.map((expression)=>({expression}));} else $("startProblems").textContent = problemText(data, status);});
$("stopBtn").addEventListener("click", ()=>control("stop")); $("emergencyBtn").addEventListener("click", ()=>control("emergency-stop"));
$("pauseBtn").addEventListener("click", ()=>control("pause")); $("resumeBtn").addEventListener("click", ()=>control("resume"));
$("rateBtn").addEventListener("click", ()=>control("rate", {opsPerSecond: Number($("rateInput").value)}));
$("faultKind").addEventListener("change", faultForm); $("faultBtn").addEventListener("click", ()=>inject(faultEntry()));
$("latencyCommand").addEventListener("change", redraw);
$("presentBtn").addEventListener("click", ()=>{$("present").classList.remove("hidden"); document.documentElement.requestFullscreen?.().catch(()=>{});});
$("presentClose").addEventListener("click", ()=>{$("present").classList.add("hidden"); if(document.fullscreenElement) document.exitFullscreen();});
$("logoutBtn").addEventListener("click", async ()=>{await api("POST","/api/logout"); location.reload();});
api("GET","/api/me").then(({status, data})=>{ if(status===200) enter(data); });
`;

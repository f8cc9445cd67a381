namespace EdgeProxy.Admin;

/// <summary>
/// <c>GET /dashboard</c>: one self-contained HTML page (no build step, no external assets) that polls
/// <c>/admin/dashboard.json</c> every two seconds and draws tiles and SVG sparklines. When the admin
/// API needs a key, open <c>/dashboard#key=KEY</c>: the fragment never leaves the browser, and the
/// page sends it as <c>Authorization: Bearer</c>.
/// </summary>
internal static class DashboardPage
{
    public const string Html = """
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>EdgeProxy dashboard</title>
<style>
body{font:14px system-ui,sans-serif;margin:0;background:#0f1720;color:#e6edf3}
header{padding:12px 20px;background:#16202c;display:flex;justify-content:space-between;align-items:center}
h1{font-size:18px;margin:0} #status{color:#8b98a5}
main{padding:16px 20px;display:grid;grid-template-columns:repeat(4,1fr);gap:14px}
.tile{background:#16202c;border-radius:8px;padding:12px 14px}
.tile .label{color:#8b98a5;font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.tile .value{font-size:28px;font-weight:600;margin:6px 0}
.wide{grid-column:span 2} .full{grid-column:span 4}
svg{width:100%;height:70px;display:block} polyline{fill:none;stroke-width:2}
table{width:100%;border-collapse:collapse;font-size:13px} td,th{padding:4px 6px;text-align:left;border-bottom:1px solid #243140}
.bar{height:12px;background:#243140;border-radius:6px;overflow:hidden}.bar div{height:100%;background:#3fb950}
.ok{color:#3fb950}.bad{color:#f85149}.warn{color:#d29922}
</style>
</head>
<body>
<header><h1>EdgeProxy</h1><span id="status">loading…</span></header>
<main>
<div class="tile"><div class="label">Hit ratio</div><div class="value" id="hitRatio">–</div><svg id="hitChart" viewBox="0 0 300 70" preserveAspectRatio="none"><polyline stroke="#3fb950"/></svg></div>
<div class="tile"><div class="label">Requests / s</div><div class="value" id="requestRate">–</div><svg id="requestChart" viewBox="0 0 300 70" preserveAspectRatio="none"><polyline stroke="#58a6ff"/></svg></div>
<div class="tile"><div class="label">Origin requests / s</div><div class="value" id="originRate">–</div><svg id="originChart" viewBox="0 0 300 70" preserveAspectRatio="none"><polyline stroke="#d29922"/></svg></div>
<div class="tile"><div class="label">Cache fill</div><div class="value" id="cacheFill">–</div><div class="bar"><div id="cacheBar" style="width:0"></div></div><div id="cacheDetail" class="label" style="margin-top:8px"></div></div>
<div class="tile"><div class="label">Requests (total)</div><div class="value" id="requests">–</div></div>
<div class="tile"><div class="label">Origin failures (total)</div><div class="value" id="originFailures">–</div></div>
<div class="tile"><div class="label">Collapsed (total)</div><div class="value" id="collapsed">–</div></div>
<div class="tile"><div class="label">Escalated (total)</div><div class="value" id="escalated">–</div></div>
<div class="tile wide"><div class="label">Origins</div><table id="origins"><tr><th>cluster</th><th>destination</th><th>outcome</th><th>requests</th></tr></table></div>
<div class="tile wide"><div class="label">Circuits and origin health</div><table id="circuits"><tr><td>no circuit metrics</td></tr></table></div>
</main>
<script>
const params = new URLSearchParams(location.hash.slice(1) || location.search.slice(1));
const key = params.get('key');
const history = { hit: [], req: [], origin: [] };
let last = null;

function series(data, test) {
  return data.instruments.filter(i => test(i.name)).flatMap(i => i.series.map(s => ({ name: i.name, type: i.type, tags: s.tags, value: s.value ?? s.count })));
}
function total(data, test) { return series(data, test).reduce((a, s) => a + s.value, 0); }
function fmt(n) { return n >= 1e6 ? (n / 1e6).toFixed(1) + 'M' : n >= 1e4 ? (n / 1e3).toFixed(1) + 'k' : (Math.round(n * 10) / 10).toString(); }
function spark(id, values, max) {
  const points = values.slice(-60);
  const top = max ?? Math.max(1, ...points);
  const step = 300 / Math.max(1, points.length - 1);
  document.querySelector('#' + id + ' polyline').setAttribute('points', points.map((v, i) => (i * step).toFixed(1) + ',' + (68 - 66 * v / top).toFixed(1)).join(' '));
}
function cell(row, text, cls) { const td = row.insertCell(); td.textContent = text; if (cls) td.className = cls; }
function table(id, header, rows) {
  const t = document.getElementById(id);
  t.innerHTML = '';
  const h = t.insertRow(); header.forEach(x => { const th = document.createElement('th'); th.textContent = x; h.appendChild(th); });
  rows.forEach(r => { const row = t.insertRow(); r.forEach(([text, cls]) => cell(row, text, cls)); });
}
function render(data) {
  const now = Date.parse(data.time);
  const dt = last ? Math.max(0.001, (now - last.at) / 1000) : null;
  const reqRate = dt ? (data.requests - last.requests) / dt : 0;
  const originRate = dt ? (data.originRequests - last.originRequests) / dt : 0;
  history.hit.push(data.hitRatio * 100); history.req.push(reqRate); history.origin.push(originRate);
  last = { at: now, requests: data.requests, originRequests: data.originRequests };
  document.getElementById('hitRatio').textContent = (data.hitRatio * 100).toFixed(1) + ' %';
  document.getElementById('requestRate').textContent = dt ? fmt(reqRate) : '…';
  document.getElementById('originRate').textContent = dt ? fmt(originRate) : '…';
  document.getElementById('requests').textContent = data.requests;
  document.getElementById('originFailures').textContent = data.originFailures;
  document.getElementById('collapsed').textContent = series(data, n => n === 'edgeproxy.requests').filter(s => s.tags.collapsed_role === 'waiter').reduce((a, s) => a + s.value, 0);
  document.getElementById('escalated').textContent = total(data, n => n.endsWith('.escalations'));
  spark('hitChart', history.hit, 100); spark('requestChart', history.req); spark('originChart', history.origin);
  if (data.cache) {
    document.getElementById('cacheFill').textContent = (data.cache.fill * 100).toFixed(1) + ' %';
    document.getElementById('cacheBar').style.width = Math.min(100, data.cache.fill * 100) + '%';
    document.getElementById('cacheDetail').textContent = data.cache.entries + ' entries, ' + fmt(data.cache.bytes) + ' B of ' + fmt(data.cache.capacityBytes) + ' B, ' + data.cache.evictions + ' evictions';
  } else {
    document.getElementById('cacheFill').textContent = 'off';
    document.getElementById('cacheDetail').textContent = 'cache not enabled';
  }
  table('origins', ['cluster', 'destination', 'outcome', 'requests'],
    series(data, n => n === 'edgeproxy.origin.requests').map(s => [[s.tags.cluster], [s.tags.destination], [s.tags.outcome, s.tags.outcome === 'ok' ? 'ok' : 'bad'], [s.value]]));
  const circuits = series(data, n => n.includes('circuit_state') || n.includes('circuit.state'));
  if (circuits.length) {
    table('circuits', ['metric', 'labels', 'value'], circuits.map(s => [[s.name], [Object.entries(s.tags).map(([k, v]) => k + '=' + v).join(' ')], [['closed', 'open', 'half-open', 'isolated'][s.value] ?? s.value, s.value > 0 ? 'bad' : 'ok']]));
  }
  document.getElementById('status').textContent = 'updated ' + new Date(now).toLocaleTimeString();
  document.body.dataset.loaded = 'true';
}
async function poll() {
  try {
    const response = await fetch('/admin/dashboard.json', { headers: key ? { 'Authorization': 'Bearer ' + key } : {}, cache: 'no-store' });
    if (!response.ok) { document.getElementById('status').textContent = response.status === 401 ? 'API key needed: open /dashboard#key=…' : 'error ' + response.status; return; }
    render(await response.json());
  } catch (e) { document.getElementById('status').textContent = 'unreachable: ' + e.message; }
}
poll();
setInterval(poll, 2000);
</script>
</body>
</html>
""";
}

import { WATERFALL_CSS, WATERFALL_JS } from './waterfall.js';

/** The live page: polls /api/state and draws each server's figures over time, and the traces of recent calls. */
export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mcpool demo</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 20px; background: #f7f7f9; color: #222; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  #step { color: #555; margin-bottom: 12px; }
  .servers { display: flex; gap: 12px; flex-wrap: wrap; }
  .card { background: #fff; border: 2px solid #2a9d56; border-radius: 8px; padding: 10px 14px; min-width: 180px; }
  .card.down { border-color: #d33; background: #fff4f4; }
  .card h2 { font-size: 16px; margin: 0 0 6px; }
  .badge { font-size: 12px; padding: 1px 6px; border-radius: 4px; color: #fff; background: #2a9d56; }
  .down .badge { background: #d33; }
  .why { color: #a22; font-size: 12px; }
  .charts { display: flex; gap: 16px; margin-top: 16px; flex-wrap: wrap; }
  .chart { background: #fff; border-radius: 8px; padding: 8px; }
  .chart h3 { font-size: 13px; margin: 0 0 4px; }
  .legend span { margin-right: 10px; font-size: 12px; }
  table { border-collapse: collapse; margin-top: 12px; background: #fff; }
  td, th { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: left; font-size: 13px; }
  .ok { color: #2a9d56; } .fail { color: #d33; }
  #events { font-size: 12px; color: #444; max-height: 160px; overflow: auto; background: #fff; padding: 6px; margin-top: 12px; }
${WATERFALL_CSS}
</style>
</head>
<body>
<h1>mcpool — one client, many MCP servers</h1>
<div id="step">connecting…</div>
<div class="servers" id="servers"></div>
<div class="charts">
  <div class="chart"><h3>requests / s</h3><svg id="rate" width="420" height="160"></svg></div>
  <div class="chart"><h3>p50 latency (ms)</h3><svg id="latency" width="420" height="160"></svg></div>
  <div class="chart"><h3>in flight</h3><svg id="inflight" width="420" height="160"></svg></div>
</div>
<div class="legend" id="legend"></div>
<table id="client"></table>
<table id="steps"></table>
<div id="events"></div>
<div id="traces"></div>
<script>
${WATERFALL_JS}
const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2'];
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
function line(svg, history, ids, pick) {
  const w = svg.width.baseVal.value, h = svg.height.baseVal.value;
  let max = 1;
  for (const s of history) for (const id of ids) max = Math.max(max, pick(s.servers[id] || {}) || 0);
  const n = Math.max(1, history.length - 1);
  let out = '<line x1="0" y1="' + (h - 1) + '" x2="' + w + '" y2="' + (h - 1) + '" stroke="#ccc"/>';
  out += '<text x="2" y="12" font-size="10" fill="#888">' + max.toFixed(1) + '</text>';
  ids.forEach((id, i) => {
    const pts = history.map((s, x) => (x / n * w).toFixed(1) + ',' + (h - 2 - (pick(s.servers[id] || {}) || 0) / max * (h - 16)).toFixed(1));
    out += '<polyline fill="none" stroke-width="2" stroke="' + colors[i % colors.length] + '" points="' + pts.join(' ') + '"/>';
  });
  svg.innerHTML = out;
}
async function tick() {
  try {
    const s = await (await fetch('/api/state')).json();
    document.getElementById('step').textContent = 'Step: ' + s.step;
    const ids = s.servers.map((x) => x.id);
    document.getElementById('servers').innerHTML = s.servers.map((x) =>
      '<div class="card ' + (x.healthy ? 'up' : 'down') + '" data-server="' + esc(x.id) + '">' +
      '<h2>' + esc(x.name) + ' <span class="badge">' + (x.healthy ? 'healthy' : 'unhealthy') + '</span></h2>' +
      'in flight: <b>' + x.inFlight + '</b><br>requests: ' + x.requests + ' · errors: ' + x.errors +
      '<br>latency p50/p95: ' + x.latencyP50.toFixed(1) + ' / ' + x.latencyP95.toFixed(1) + ' ms' +
      Object.entries(x.exclusions).map(([k, v]) => '<div class="why">' + esc(k) + ': ' + esc(v) + '</div>').join('') +
      '</div>').join('');
    line(document.getElementById('rate'), s.history, ids, (v) => v.rate);
    line(document.getElementById('latency'), s.history, ids, (v) => v.latency);
    line(document.getElementById('inflight'), s.history, ids, (v) => v.inFlight);
    document.getElementById('legend').innerHTML = ids.map((id, i) => '<span style="color:' + colors[i % colors.length] + '">■ ' + esc(id) + '</span>').join('');
    const c = s.client;
    document.getElementById('client').innerHTML = '<tr><th>client</th><th>requests</th><th>ok</th><th>failed</th><th>retries</th><th>fallbacks</th><th>p50</th><th>p99</th></tr>' +
      '<tr><td></td><td>' + c.totalRequests + '</td><td>' + c.successfulRequests + '</td><td>' + c.failedRequests + '</td><td>' + c.retries + '</td><td id="fallbacks">' + c.fallbackUsed + '</td><td>' + c.latencyP50.toFixed(1) + ' ms</td><td>' + c.latencyP99.toFixed(1) + ' ms</td></tr>';
    document.getElementById('steps').innerHTML = '<tr><th>step</th><th></th><th>what happened</th></tr>' + s.steps.map((x) =>
      '<tr><td>' + esc(x.name) + '</td><td class="' + (x.ok === false ? 'fail' : 'ok') + '">' + (x.ok === undefined ? '…' : x.ok ? '✔' : '✘') + '</td><td>' + esc(x.detail) + '</td></tr>').join('');
    document.getElementById('events').innerHTML = s.events.slice().reverse().map((e) => new Date(e.t).toLocaleTimeString() + ' ' + esc(e.text)).join('<br>');
    drawTraces(s.traces);
  } catch (e) {
    document.getElementById('step').textContent = 'waiting for the demo…';
  }
}
tick();
setInterval(tick, 500);
</script>
</body>
</html>
`;

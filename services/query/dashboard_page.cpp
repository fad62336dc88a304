#include <string>

#include "services/query/http_api.hpp"

namespace freshet::query {

const std::string& dashboard_html() {
  static const std::string page = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Freshet — live metrics</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; color: #1d2733; }
  h1 { font-size: 1.4rem; }
  .totals { display: flex; gap: 1rem; flex-wrap: wrap; }
  .card { border: 1px solid #d0d7de; border-radius: 8px; padding: 0.8rem 1.2rem; min-width: 9rem; }
  .card b { display: block; font-size: 1.6rem; }
  table { border-collapse: collapse; margin-top: 1.5rem; }
  td, th { padding: 0.25rem 0.8rem; border-bottom: 1px solid #eee; text-align: right; }
  .bar { background: #2f81f7; height: 0.8rem; display: inline-block; }
  #status { color: #57606a; font-size: 0.9rem; }
  h2 { font-size: 1.15rem; margin-top: 2.5rem; }
  .metrics { display: grid; grid-template-columns: repeat(auto-fill, minmax(26rem, 1fr)); gap: 1rem; }
  .metric { border: 1px solid #d0d7de; border-radius: 8px; padding: 0.6rem 1rem; overflow-x: auto; }
  .metric h3 { font-size: 1rem; margin: 0.2rem 0; }
  .metric .sub { color: #57606a; font-size: 0.8rem; }
  .metric table { margin-top: 0.5rem; font-size: 0.85rem; }
  .early { color: #9a6700; }
</style>
</head>
<body>
<h1>Freshet — events per stream, 10-second windows</h1>
<div id="status">connecting…</div>
<div class="totals" id="totals"></div>
<table><thead><tr><th>window (UTC)</th><th>stream</th><th>count</th><th></th></tr></thead><tbody id="rows"></tbody></table>
<h2>Metrics — latest window, all partitions merged</h2>
<div class="metrics" id="metrics"></div>
<script>
let metricList = null;
function fmt(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  if (Array.isArray(v)) return v.slice(0, 5).map(e => e.item + ' (' + e.count + ')').join(', ');
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => k + ' ' + fmt(x)).join(' · ');
  return String(v);
}
function cell(tr, text, cls) {
  const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td);
}
async function refreshMetrics() {
  if (metricList === null) {
    const res = await fetch('/v1/metrics');
    metricList = (await res.json()).metrics.filter(m => !m.builtin);
  }
  const from = Date.now() - 15 * 60 * 1000;
  const boxes = await Promise.all(metricList.map(async m => {
    const box = document.createElement('div'); box.className = 'metric';
    const h = document.createElement('h3'); h.textContent = m.name; box.appendChild(h);
    const sub = document.createElement('div'); sub.className = 'sub';
    sub.textContent = m.stream + ' · ' + m.window_type + ' ' + (m.size_ms || m.gap_ms) / 1000 + 's' +
      (m.hop_ms ? ' every ' + m.hop_ms / 1000 + 's' : '') + (m.group_by.length ? ' · by ' + m.group_by.join(', ') : '');
    box.appendChild(sub);
    try {
      const res = await fetch('/v1/metrics/' + encodeURIComponent(m.name) + '?limit=500&from=' + from);
      const data = await res.json();
      if (!res.ok) throw new Error(data.message || res.status);
      if (data.rows.length === 0) { sub.textContent += ' · no data yet'; return box; }
      const latest = Math.max(...data.rows.map(r => r.window_start_ms));
      const rows = data.rows.filter(r => r.window_start_ms === latest).slice(0, 10);
      const table = document.createElement('table');
      const head = document.createElement('tr');
      const valueNames = Object.keys(rows[0].values);
      [...data.dim_names, ...valueNames].forEach(n => { const th = document.createElement('th'); th.textContent = n; head.appendChild(th); });
      table.appendChild(head);
      rows.forEach(r => {
        const tr = document.createElement('tr');
        r.dims.forEach(d => cell(tr, d));
        valueNames.forEach(n => cell(tr, fmt(r.values[n]), r.final ? '' : 'early'));
        table.appendChild(tr);
      });
      sub.textContent += ' · window ' + new Date(latest).toISOString().substring(11, 19) + (rows.every(r => r.final) ? ' (final)' : ' (early)');
      box.appendChild(table);
    } catch (e) { sub.textContent += ' · query failed: ' + e.message; }
    return box;
  }));
  document.getElementById('metrics').replaceChildren(...boxes);
}
async function refresh() {
  const from = Date.now() - 5 * 60 * 1000;
  try {
    const res = await fetch('/v1/counts?from=' + from);
    const data = await res.json();
    if (!res.ok) throw new Error(data.message || res.status);
    document.getElementById('status').textContent =
      'total ' + data.total + ' events in the last 5 minutes · updated ' + new Date().toISOString();
    const totals = document.getElementById('totals');
    totals.replaceChildren(...Object.entries(data.total_by_stream).map(([s, n]) => {
      const d = document.createElement('div'); d.className = 'card';
      d.innerHTML = '<span></span><b></b>'; d.firstChild.textContent = s; d.lastChild.textContent = n; return d;
    }));
    const max = Math.max(1, ...data.windows.map(w => w.count));
    const rows = data.windows.slice(-60).reverse().map(w => {
      const tr = document.createElement('tr');
      const cells = [new Date(w.window_start_ms).toISOString().substring(11, 19), w.stream, w.count];
      cells.forEach(c => { const td = document.createElement('td'); td.textContent = c; tr.appendChild(td); });
      const td = document.createElement('td'); const bar = document.createElement('span');
      bar.className = 'bar'; bar.style.width = (200 * w.count / max) + 'px'; td.appendChild(bar); tr.appendChild(td);
      return tr;
    });
    document.getElementById('rows').replaceChildren(...rows);
  } catch (e) {
    document.getElementById('status').textContent = 'query failed: ' + e.message;
  }
}
refresh();
setInterval(refresh, 1000);
refreshMetrics().catch(() => {});
setInterval(() => refreshMetrics().catch(() => {}), 2000);
</script>
</body>
</html>
)HTML";
  return page;
}

} // namespace freshet::query

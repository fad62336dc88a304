#include <string>

#include "services/query/http_api.hpp"

namespace freshet::query {

const std::string& dashboard_html() {
  static const std::string page = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Freshet — live counts</title>
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
</style>
</head>
<body>
<h1>Freshet — events per stream, 10-second windows</h1>
<div id="status">connecting…</div>
<div class="totals" id="totals"></div>
<table><thead><tr><th>window (UTC)</th><th>stream</th><th>count</th><th></th></tr></thead><tbody id="rows"></tbody></table>
<script>
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
</script>
</body>
</html>
)HTML";
  return page;
}

} // namespace freshet::query

/*
 * The live page's waterfall of traced calls: for each scenario step, its last
 * calls, each with one bar per attempt on the call's time scale. The data
 * comes from /api/state (`traces`), built from the spans the demo records.
 */

export const WATERFALL_CSS = `
  #traces { margin-top: 16px; }
  #traces h3 { font-size: 14px; margin: 12px 0 4px; }
  .call { background: #fff; border-radius: 6px; padding: 6px 10px; margin: 4px 0; max-width: 900px; }
  .call .head { font-size: 12px; color: #333; margin-bottom: 3px; }
  .call .head b { font-family: ui-monospace, monospace; }
  .span { position: relative; height: 18px; margin: 2px 0; }
  .span .track { position: absolute; left: 150px; right: 0; top: 0; bottom: 0; background: #f1f1f4; border-radius: 3px; }
  .span .label { position: absolute; left: 0; width: 146px; font-size: 11px; line-height: 18px; overflow: hidden; white-space: nowrap; }
  .span .bar { position: absolute; top: 2px; bottom: 2px; border-radius: 3px; min-width: 2px; }
  .span .note { position: absolute; font-size: 11px; line-height: 18px; white-space: nowrap; color: #333; padding-left: 4px; }
  .span .note.inside { color: #fff; font-weight: 600; }
  .bar.call-bar { background: #4a6fa5; }
  .bar.success { background: #2a9d56; } .bar.tool-error { background: #e9a23b; }
  .bar.cancelled { background: #aaa; } .bar.dissent { background: #e9a23b; }
  .bar.server-error, .bar.timeout, .bar.rejected, .bar.aborted { background: #d33; }
`;

export const WATERFALL_JS = `
function drawTraces(traces) {
  const el = document.getElementById('traces');
  if (!traces || Object.keys(traces).length === 0) { el.innerHTML = ''; return; }
  let out = '<h2 style="font-size:16px;margin:16px 0 0">Traces: the last calls of each step</h2>';
  for (const [step, calls] of Object.entries(traces)) {
    out += '<h3>' + esc(step) + '</h3>';
    for (const c of calls) {
      const total = Math.max(c.durationMs, 0.001);
      const pct = (x) => Math.max(0, Math.min(100, x / total * 100)).toFixed(2) + '%';
      out += '<div class="call" data-trace="' + esc(c.traceId) + '"><div class="head"><b>' + esc(c.name) + '</b> · ' + esc(c.aggregation) +
        ' · ' + c.attempts.length + ' attempt' + (c.attempts.length === 1 ? '' : 's') + ' · ' + esc(c.outcome) + ' · ' + c.durationMs.toFixed(1) + ' ms' +
        ' · trace ' + esc(c.traceId.slice(0, 8)) + '</div>';
      out += '<div class="span"><span class="label">call</span><div class="track"><div class="bar call-bar" style="left:0;width:100%"></div></div></div>';
      for (const a of c.attempts) {
        const cls = a.vote === 'dissent' ? 'dissent' : a.outcome;
        const what = [a.kind, a.outcome, a.error, a.vote].filter(Boolean).join(' · ');
        out += '<div class="span attempt" data-server="' + esc(a.server) + '" data-outcome="' + esc(a.outcome) + '"><span class="label">' + esc(a.server) + ' · ' + esc(a.kind) + '</span>' +
          '<div class="track"><div class="bar ' + esc(cls) + '" style="left:' + pct(a.offsetMs) + ';width:' + pct(Math.min(a.durationMs, total - a.offsetMs)) + '"></div>' +
          // A bar that reaches the right edge carries its note inside, else the note follows it.
          (a.offsetMs + a.durationMs > total * 0.6
            ? '<span class="note inside" style="left:' + pct(a.offsetMs) + '">'
            : '<span class="note" style="left:' + pct(a.offsetMs + a.durationMs) + '">') +
          esc(what) + ' ' + a.durationMs.toFixed(1) + ' ms</span></div></div>';
      }
      out += '</div>';
    }
  }
  el.innerHTML = out;
}
`;

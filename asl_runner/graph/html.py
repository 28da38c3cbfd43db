"""One self-contained HTML page: the SVG inline, a legend, and each state's details (status,
visits, input, output, error and cause) on hover and click. No script, style or font is
fetched from anywhere: it opens from a file, offline."""

from __future__ import annotations

import json
from typing import Any

from .run_path import RunPath
from .structure import END, START, Graph
from .svg import LEGEND, PALETTE, state_id

#: a state's details keep its last visits and cut long payloads: a 10,000-iteration Map must
#: not make a page of gigabytes
MAX_VISITS = 25
MAX_TEXT = 20_000


def render_html(svg: str, graph: Graph, run: RunPath | None, *, title: str | None = None) -> str:
    title = title or "State machine"
    data = {state_id(node.key): _details(node, run) for node in graph.walk()
            if node.key not in (START, END)}
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    heading = _esc(title)
    if run is not None and run.status:
        heading += f' <span class="outcome" data-status="{_outcome(run.status)}">{_esc(run.status)}</span>'
        if run.error:
            heading += f' <span class="error">{_esc(run.error)}: {_esc(run.cause or "")}</span>'
    legend = "".join(
        f'<span class="key"><i style="background:{PALETTE[s][0]};border-color:{PALETTE[s][1]}"></i>'
        f"{LEGEND[s]}</span>" for s in LEGEND) if run is not None else ""
    legend += ('<span class="key"><b class="line"></b>next / choice</span>'
               '<span class="key"><b class="line dashed"></b>catch, retry</span>')
    return _PAGE.format(title=_esc(title), heading=heading, legend=legend, svg=svg,
                        data=payload)


def _outcome(status: str) -> str:
    return {"SUCCEEDED": "succeeded", "RUNNING": "running", "ABORTED": "aborted"}.get(status, "failed")


def _details(node: Any, run: RunPath | None) -> dict:
    out: dict[str, Any] = {"name": node.key, "type": node.type, "subtitle": node.subtitle,
                           "retry": list(node.retries)}
    if run is None:
        return out
    state = run.states.get(node.key)
    out["status"] = run.status_of(node.key)
    if state is None:
        return out
    out["entered"] = len(state.visits)
    out["retries"] = state.retries
    out["visits"] = [{
        "entered": v.entered, "exited": v.exited, "status": v.status, "attempts": v.attempts,
        "iterations": v.iterations,
        "error": v.error, "cause": _cut(v.cause), "input": _cut(v.input), "output": _cut(v.output),
    } for v in state.visits[-MAX_VISITS:]]
    return out


def _cut(text: Any) -> Any:
    if isinstance(text, str) and len(text) > MAX_TEXT:
        return text[:MAX_TEXT] + f"… ({len(text) - MAX_TEXT} more characters)"
    return text


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{margin:0;font:14px/1.45 Helvetica,Arial,sans-serif;color:#0f172a;background:#f8fafc}}
header{{padding:12px 20px;background:#fff;border-bottom:1px solid #e2e8f0}}
h1{{font-size:18px;margin:0 0 6px}}
.outcome{{font-size:13px;padding:2px 8px;border-radius:10px;color:#fff;background:#475569}}
.outcome[data-status=succeeded]{{background:#16a34a}}.outcome[data-status=failed]{{background:#dc2626}}
.outcome[data-status=running]{{background:#2563eb}}
.error{{font-size:13px;font-weight:normal;color:#7f1d1d}}
.legend{{font-size:12px;color:#334155}}.key{{margin-right:14px;white-space:nowrap}}
.key i{{display:inline-block;width:12px;height:10px;border:1.5px solid;border-radius:3px;margin-right:4px;vertical-align:-1px}}
.key b.line{{display:inline-block;width:22px;border-top:2px solid #64748b;margin-right:4px;vertical-align:3px}}
.key b.dashed{{border-top:2px dashed #ea580c}}
main{{display:flex;align-items:flex-start}}
#graph{{flex:1;overflow:auto;padding:12px;max-height:calc(100vh - 90px)}}
#details{{width:380px;min-width:300px;padding:12px 16px;background:#fff;border-left:1px solid #e2e8f0;
max-height:calc(100vh - 90px);overflow:auto;box-sizing:border-box}}
#details h2{{font-size:16px;margin:0 0 4px}}#details pre{{background:#f1f5f9;padding:6px;border-radius:4px;
white-space:pre-wrap;word-break:break-all;max-height:240px;overflow:auto;font-size:12px}}
.visit{{border-top:1px solid #e2e8f0;padding-top:6px;margin-top:6px}}
.asl-graph .state,.asl-graph .group{{cursor:pointer}}
.asl-graph .selected>rect{{stroke-width:3!important}}
</style></head><body>
<header><h1>{heading}</h1><div class="legend">{legend}</div></header>
<main><div id="graph">{svg}</div>
<aside id="details"><p>Click a state to see its details.</p></aside></main>
<script type="application/json" id="asl-graph-data">{data}</script>
<script>
(function () {{
  var data = JSON.parse(document.getElementById("asl-graph-data").textContent);
  var panel = document.getElementById("details");
  function el(tag, text, cls) {{
    var e = document.createElement(tag); if (text != null) e.textContent = text;
    if (cls) e.className = cls; return e;
  }}
  // a timestamp as the history has it: ISO text, or epoch seconds (the JSON API's)
  function seconds(t) {{
    if (typeof t === "number") return t;
    var ms = typeof t === "string" ? Date.parse(t) : NaN;
    return isNaN(ms) ? NaN : ms / 1000;
  }}
  function pretty(text) {{
    try {{ return JSON.stringify(JSON.parse(text), null, 2); }} catch (e) {{ return String(text); }}
  }}
  function show(id) {{
    var d = data[id]; if (!d) return;
    document.querySelectorAll(".asl-graph .selected").forEach(function (n) {{ n.classList.remove("selected"); }});
    var node = document.getElementById(id); if (node) node.classList.add("selected");
    panel.textContent = "";
    panel.appendChild(el("h2", d.name));
    panel.appendChild(el("div", d.subtitle + (d.status ? " \\u00b7 " + d.status : "")));
    if (d.retry.length) panel.appendChild(el("div", "Retry on: " + d.retry.join("; ")));
    if (d.entered != null) panel.appendChild(el("div", "Entered " + d.entered + " time(s)" +
        (d.retries ? ", " + d.retries + " retries" : "")));
    (d.visits || []).forEach(function (v, i) {{
      var box = el("div", null, "visit");
      box.appendChild(el("strong", "Visit " + (i + 1) + ": " + v.status));
      if (v.entered != null) box.appendChild(el("div", "Entered " + v.entered + (v.exited != null ? ", exited " + v.exited : "")));
      var took = seconds(v.exited) - seconds(v.entered);
      if (took >= 0) box.appendChild(el("div", "Took " + took.toFixed(3) + " s"));
      if (v.attempts > 1) box.appendChild(el("div", v.attempts + " attempts"));
      if (v.iterations) box.appendChild(el("div", v.iterations + " iterations"));
      if (v.error) {{ box.appendChild(el("div", "Error: " + v.error)); if (v.cause) box.appendChild(el("pre", pretty(v.cause))); }}
      if (v.input != null) {{ box.appendChild(el("div", "Input")); box.appendChild(el("pre", pretty(v.input))); }}
      if (v.output != null) {{ box.appendChild(el("div", "Output")); box.appendChild(el("pre", pretty(v.output))); }}
      panel.appendChild(box);
    }});
  }}
  document.querySelectorAll(".asl-graph [data-state]").forEach(function (node) {{
    node.addEventListener("click", function (ev) {{
      ev.stopPropagation(); show(node.id); history.replaceState(null, "", "#" + node.id);
    }});
  }});
  // a link to PAGE#state-ID opens with that state's details
  if (location.hash) show(decodeURIComponent(location.hash.slice(1)));
}})();
</script></body></html>
"""

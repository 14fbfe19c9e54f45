"""The page's one inline style sheet (no fonts, images or anything else fetched)."""

CSS = """
:root {
  --bar: 3.4rem; --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --bg: #f5f7fa;
  --card: #ffffff; --accent: #1d4ed8;
  --permit: #e3f4e8; --permit-ink: #1b6b37;
  --denied: #fbd5d5; --denied-ink: #a11212;
  --partly: #ffe3c2; --partly-ink: #8a4200;
  --replies: #f3dcf5; --replies-ink: #7a1f8c;
  --undet: #fff1b8; --undet-ink: #6f5200;
  --off: #f0f2f5; --off-ink: #9aa5b1;
  --error: #c62828; --warning: #b26a00; --info: #1565c0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans", "DejaVu Sans", sans-serif;
  font-size: 15px; line-height: 1.45; color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono",
  monospace; font-size: 0.88em; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.muted { color: var(--muted); }
header.bar { position: sticky; top: 0; z-index: 10; height: var(--bar); display: flex;
  align-items: center; gap: 1.25rem; padding: 0 1.5rem; background: #102a43; color: #f0f4f8;
  box-shadow: 0 1px 3px rgba(0,0,0,.25); white-space: nowrap; overflow: hidden; }
header.bar .brand { font-weight: 700; letter-spacing: .02em; font-size: 1.05rem; }
header.bar .what { color: #bcccdc; overflow: hidden; text-overflow: ellipsis; }
header.bar nav { margin-left: auto; display: flex; gap: 1rem; }
header.bar nav a { color: #d9e2ec; font-size: .92rem; }
header.bar .counts { display: flex; gap: .4rem; }
.pill { display: inline-block; padding: .1rem .55rem; border-radius: 999px; font-size: .8rem;
  font-weight: 600; background: #334e68; color: #fff; }
.pill.error { background: var(--error); } .pill.warning { background: var(--warning); }
.pill.info { background: var(--info); } .pill.ok { background: #2f855a; }
main { max-width: 1280px; margin: 0 auto; padding: 1.25rem 1.5rem 4rem; }
section.block { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 1.1rem 1.4rem 1.3rem; margin: 0 0 1.25rem; }
h1 { font-size: 1.5rem; margin: .2rem 0 .2rem; }
h2 { font-size: 1.2rem; margin: 0 0 .8rem; padding-bottom: .4rem;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .2rem; }
h4 { font-size: .95rem; margin: .9rem 0 .5rem; }
[id] { scroll-margin-top: calc(var(--bar) + 1rem); }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(8.5rem, 1fr));
  gap: .75rem; margin: .6rem 0 1rem; }
.stat { border: 1px solid var(--line); border-radius: 8px; padding: .55rem .8rem; }
.stat .n { font-size: 1.45rem; font-weight: 700; display: block; }
.stat .k { color: var(--muted); font-size: .82rem; }
.stat.error .n { color: var(--error); } .stat.warning .n { color: var(--warning); }
.stat.info .n { color: var(--info); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem;
  margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table.plain { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: .92rem; }
table.plain caption { text-align: left; font-weight: 600; padding: .3rem 0; }
table.plain th, table.plain td { text-align: left; padding: .35rem .6rem;
  border-bottom: 1px solid var(--line); vertical-align: top; }
table.plain th { background: #f0f4f8; font-weight: 600; }
.matrix-tools { display: flex; flex-wrap: wrap; align-items: center; gap: .6rem 1.5rem;
  margin-bottom: .7rem; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem; list-style: none; margin: 0; padding: 0; }
.legend li { font-size: .85rem; }
.toggle { font-size: .88rem; color: var(--muted); cursor: pointer; }
body:has(#problems-only:checked) .matrix tr[data-ok="true"] { display: none; }
.matrix-wrap { max-width: 100%; }
table.matrix { border-collapse: separate; border-spacing: 0; font-size: .88rem; width: 100%; }
table.matrix th, table.matrix td { padding: .3rem .55rem; border-bottom: 1px solid var(--line);
  text-align: left; white-space: nowrap; }
table.matrix thead th { position: sticky; top: var(--bar); background: #f0f4f8; z-index: 2;
  border-bottom: 2px solid #bcccdc; font-weight: 600; }
table.matrix th.fw-col { text-align: center; }
table.matrix th.fw-col .platform { display: block; font-weight: 400; font-size: .75rem;
  color: var(--muted); }
table.matrix tbody tr:hover td, table.matrix tbody tr:hover th { background: #f7fafc; }
table.matrix .ends { color: var(--muted); } table.matrix .ends strong { color: var(--ink);
  font-weight: 600; }
table.matrix .arrow { color: #9aa5b1; }
td.cell { text-align: center; min-width: 9.5rem; border-left: 3px solid var(--card); }
td.cell:target { outline: 3px solid var(--accent); outline-offset: -3px; }
.state { display: inline-flex; align-items: center; gap: .3rem; padding: .05rem .5rem;
  border-radius: 5px; font-weight: 600; font-size: .84rem; }
.state .sym { font-size: 1rem; line-height: 1; }
.st-permit .state, .state.st-permit { background: var(--permit); color: var(--permit-ink); }
.st-denied .state, .state.st-denied { background: var(--denied); color: var(--denied-ink); }
.st-partly-denied .state, .state.st-partly-denied { color: var(--partly-ink);
  background: repeating-linear-gradient(135deg, var(--partly) 0 6px, #fff0dd 6px 12px); }
.st-replies-denied .state, .state.st-replies-denied { background: var(--replies);
  color: var(--replies-ink); }
.st-undetermined .state, .state.st-undetermined { background: var(--undet);
  color: var(--undet-ink); }
.st-not-on-path .state, .state.st-not-on-path, .state.st-unchanged { background: none;
  color: var(--off-ink); font-weight: 400; }
.state.st-not-required { background: var(--off); color: var(--off-ink); font-weight: 400; }
.legend .state.st-not-on-path { border: 1px dashed #cbd2d9; }
a.cell-link:hover .state { box-shadow: 0 0 0 2px currentColor; text-decoration: none; }
a.cell-link:hover { text-decoration: none; }
.more-link { font-size: .75rem; margin-left: .3rem; }
.arrow-to { color: var(--muted); margin: 0 .25rem; }
section.firewall { border-top: 1px solid var(--line); margin-top: 1rem; }
section.firewall > h3 { font-size: 1.12rem; margin-top: 1rem; }
section.firewall > h3::before { content: ""; display: inline-block; width: .55rem;
  height: .55rem; border-radius: 2px; background: #9a3412; margin-right: .5rem;
  vertical-align: middle; }
section.firewall:first-of-type { border-top: 0; }
section.check-group h4 .code, summary .code { font-family: ui-monospace, Menlo, Consolas,
  "DejaVu Sans Mono", monospace; font-weight: 700; }
.count { color: var(--muted); font-weight: 400; }
.doc-link { font-size: .82rem; font-weight: 400; margin-left: .4rem; }
article.finding { border: 1px solid var(--line); border-left: 4px solid var(--muted);
  border-radius: 8px; padding: .6rem .9rem .5rem; margin: .55rem 0; background: #fff; }
article.finding:target { box-shadow: 0 0 0 3px rgba(29,78,216,.35); }
.sev-border-error { border-left-color: var(--error) !important; }
.sev-border-warning { border-left-color: var(--warning) !important; }
.sev-border-info { border-left-color: var(--info) !important; }
.card-head { display: flex; flex-wrap: wrap; gap: .6rem; align-items: baseline; }
.card-head .where { color: var(--muted); }
article.finding p { margin: .35rem 0; }
.sev { text-transform: uppercase; font-size: .7rem; font-weight: 700; letter-spacing: .04em;
  padding: .08rem .45rem; border-radius: 4px; color: #fff; background: var(--muted); }
.sev-error { background: var(--error); } .sev-warning { background: var(--warning); }
.sev-info { background: var(--info); }
.tag { font-size: .72rem; border: 1px solid var(--muted); border-radius: 4px;
  padding: 0 .35rem; color: var(--muted); }
pre { background: #0f1c2e; color: #e6edf3; border-radius: 6px; padding: .5rem .75rem;
  overflow-x: auto; margin: .4rem 0; }
pre.rule .ln { color: #7b8794; margin-right: .9rem; user-select: none; }
.fix { display: flex; gap: .6rem; align-items: flex-start; }
.fix-label { margin-top: .5rem; font-size: .72rem; font-weight: 700; text-transform: uppercase;
  color: #2f855a; }
.fix pre { flex: 1; background: #0f2e1f; }
dl.flow { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .9rem;
  font-size: .88rem; margin: .35rem 0; }
dl.flow dt { color: var(--muted); } dl.flow dd { margin: 0; overflow-wrap: anywhere; }
details.more summary { cursor: pointer; color: var(--accent); font-size: .85rem; }
.card-links { font-size: .85rem; }
details.check-doc { border: 1px solid var(--line); border-radius: 8px; margin: .5rem 0;
  padding: .45rem .9rem; }
details.check-doc summary { cursor: pointer; }
details.check-doc .summary-text { display: block; color: var(--muted); font-size: .88rem;
  margin: .15rem 0 0 1.1rem; }
.doc-body h4 { margin: .7rem 0 .2rem; }
.doc-body p { margin: .25rem 0; }
.note { background: #fff8e1; border: 1px solid #f0d78c; border-radius: 6px;
  padding: .5rem .8rem; }
figure.drawing { margin: 0; }
.svg-wrap { overflow-x: auto; text-align: center; }
.svg-wrap svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .85rem; margin-top: .5rem; }
details.drawing-tables > summary { cursor: pointer; color: var(--accent); margin-top: .8rem; }
.change { font-size: .78rem; color: var(--muted); display: block; }
@media print { header.bar { position: static; } body { background: #fff; } }
"""

"""``exaudit diff`` as text: the flows, findings and rules a change affects."""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.report.model import DiffReport, FlowChange, Moved
from exaudit.reporters.options import RenderOptions


def _line(n: int | None) -> str:
    return "-" if n is None else str(n)


def render(report: DiffReport, options: RenderOptions) -> str:
    out = [f"exaudit diff of {report.topology}: before = {report.before}, "
           "after = the files as they are now"]
    if report.empty:
        out.append("No change: every required flow has the same verdict and no finding "
                   "was introduced or resolved.")
        return "\n".join(out) + "\n"
    out.append(f"{len(report.flows)} flow(s) changed, {len(report.introduced)} finding(s) "
               f"introduced, {len(report.resolved)} resolved, {len(report.rules)} rule(s) "
               "decide differently")
    out += list(_flow_lines(report.flows))
    sections: tuple[tuple[str, tuple[Moved, ...], str], ...] = (
        ("Findings introduced", report.introduced, "was line"),
        ("Findings resolved", report.resolved, "now line"))
    for title, items, label in sections:
        if not items:
            continue
        out += ["", f"{title}:"]
        for m in items:
            f = m.entry.finding
            loc = f.location
            where = f"{loc.file}:{loc.line}" if loc else "-"
            other = f" ({label} {m.other_line})" if m.other_line is not None else ""
            out.append(f"  {where}{other}  {f.check} {f.severity.value}  "
                       f"{f.firewall or '(topology)'}: {f.message}")
    if report.rules:
        out += ["", "Rules whose verdicts changed (line before -> line now):"]
        for r in report.rules:
            out.append(f"  {r.firewall}  line {_line(r.before_line)} -> "
                       f"{_line(r.after_line)}: {r.text}")
            out += [f"      no longer: {x}" for x in r.before]
            out += [f"      now:       {x}" for x in r.after]
    return "\n".join(out) + "\n"


def _flow_lines(flows: tuple[FlowChange, ...]) -> Iterator[str]:
    if not flows:
        return
    yield ""
    yield "Required flows whose verdict changed:"
    for c in flows:
        f = c.flow
        path = f.get("path") or f"{f.get('in')} -> {f.get('out')}"
        side = [f"{x[0]} (lines {', '.join(map(str, x[1])) or '-'})" if x else "absent"
                for x in (c.before, c.after)]
        yield (f"  {c.firewall}  {f['id']} tcp/{f['port']} {f['src']} -> {f['dst']} "
               f"({path}): {c.change}: {side[0]} -> {side[1]}")

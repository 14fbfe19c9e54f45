"""``exaudit diff`` as text: the flows, findings and rules a change affects."""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.report.model import DiffReport, FlowChange, FlowSide, Moved
from exaudit.reporters.options import RenderOptions
from exaudit.reporters.textlayout import plural, shorten


def _line(n: int | None) -> str:
    return "-" if n is None else str(n)


def render(report: DiffReport, options: RenderOptions) -> str:
    out = [
        f"exaudit diff of {report.topology}: before = {report.before}, "
        "after = the files as they are now"
    ]
    if report.empty:
        out.append(
            "No change: every required flow has the same verdict and no finding "
            "was introduced or resolved."
        )
        return "\n".join(out) + "\n"
    out.append(
        f"{plural(len(report.flows), 'flow')} changed, "
        f"{plural(len(report.introduced), 'finding')} introduced, "
        f"{len(report.resolved)} resolved, {len(report.changed)} changed, "
        f"{plural(len(report.rules), 'rule')} decide differently"
    )
    out += list(_flow_lines(report.flows))
    sections: tuple[tuple[str, tuple[Moved, ...], str], ...] = (
        ("Findings introduced", report.introduced, "was line"),
        ("Findings resolved", report.resolved, "now line"),
    )
    for title, items, label in sections:
        if not items:
            continue
        out += ["", f"{title}:"]
        for m in items:
            f = m.entry.finding
            loc = f.location
            where = f"{loc.file}:{loc.line}" if loc else "-"
            other = f" ({label} {m.other_line})" if m.other_line is not None else ""
            out.append(
                f"  {where}{other}  {f.check} {f.severity.value}  "
                f"{f.firewall or '(topology)'}: {f.message}"
            )
    if report.changed:
        out += ["", "Findings changed (the same finding at the same place; its rule was edited):"]
        for was, now in report.changed:
            f = now.finding
            where = f"{f.location.file}:{f.location.line}" if f.location else "-"
            out.append(
                f"  {where}  {f.check} {f.severity.value}  "
                f"{f.firewall or '(topology)'}: {f.message}"
            )
            if was.finding.text != f.text:
                out.append(f"      rule before: {shorten(was.finding.text or '', 100)}")
                out.append(f"      rule now:    {shorten(f.text or '', 100)}")
    if report.rules:
        out += ["", "Rules whose verdicts changed (line before -> line now):"]
        for r in report.rules:
            out.append(
                f"  {r.firewall}  line {_line(r.before_line)} -> {_line(r.after_line)}: {r.text}"
            )
            out += [f"      no longer: {x}" for x in r.before]
            out += [f"      now:       {x}" for x in r.after]
    return "\n".join(out) + "\n"


def _side(side: FlowSide | None) -> str:
    if side is None:
        return "absent"
    text = f"{side.status} (lines {', '.join(map(str, side.lines)) or '-'})"
    if side.denied:
        text += " for " + _cidrs(side.denied)
    if side.replies_denied:
        text += " to " + _cidrs(side.replies_denied)
    return text


def _cidrs(items: tuple[str, ...]) -> str:
    return ", ".join(items[:6]) + (f" and {len(items) - 6} more" if len(items) > 6 else "")


def _flow_lines(flows: tuple[FlowChange, ...]) -> Iterator[str]:
    if not flows:
        return
    yield ""
    yield "Required flows whose verdict changed:"
    for c in flows:
        f = c.flow
        path = f.get("path") or f"{f.get('in')} -> {f.get('out')}"
        side = [_side(x) for x in (c.before, c.after)]
        yield (
            f"  {c.firewall}  {f['id']} tcp/{f['port']} {f['src']} -> {f['dst']} "
            f"({path}): {c.change}: {side[0]} -> {side[1]}"
        )

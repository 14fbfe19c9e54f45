"""Findings as the page shows them: per firewall, then per check, each with its anchor."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from exaudit.checks import ALL
from exaudit.core.findings import Finding
from exaudit.report.model import Entry, FirewallSummary
from exaudit.reporters.html_docs import doc_link
from exaudit.reporters.html_markup import Ids, Markup, el, esc

TOPOLOGY = "(topology)"
_SHOWN_BLOCKS = 6  # blocked source blocks listed before the rest fold away

FlowKey = tuple[Any, ...]


def flow_key(flow: Mapping[str, Any]) -> FlowKey:
    """What tells a flow at one firewall apart: id, port, ends and where it crosses."""
    return tuple(flow.get(k) for k in ("id", "proto", "port", "src", "dst", "in", "out", "path"))


def flow_where(flow: Mapping[str, Any]) -> str:
    """``in eth1, out eth2`` or ``input``/``output`` on a host firewall."""
    if flow.get("path"):
        return str(flow["path"])
    return f"in {flow.get('in') or 'any'}, out {flow.get('out') or 'any'}"


def flow_title(flow: Mapping[str, Any]) -> str:
    return (
        f"{flow.get('id')} {flow.get('proto', 'tcp')}/{flow.get('port')} "
        f"{flow.get('src')} \u2192 {flow.get('dst')}"
    )


@dataclass(frozen=True)
class Anchored:
    """A finding of the page with its element id; ``note`` says what else to know."""

    entry: Entry
    id: str
    note: str = ""  # e.g. "was line 12" in a diff
    suppressed: bool = False

    @property
    def finding(self) -> Finding:
        return self.entry.finding


def anchored(
    entries: Iterable[Entry],
    ids: Ids,
    suppressed: bool = False,
    note: Callable[[Entry], str] = lambda e: "",
) -> list[Anchored]:
    return [
        Anchored(e, ids.new("finding", e.fingerprint[:16] or e.finding.check), note(e), suppressed)
        for e in entries
    ]


def by_flow(items: Iterable[Anchored]) -> dict[tuple[str, FlowKey], list[Anchored]]:
    """The findings about a flow at a firewall, for the matrix to link to."""
    out: dict[tuple[str, FlowKey], list[Anchored]] = {}
    for a in items:
        f = a.finding
        if f.firewall is not None and f.flow:
            out.setdefault((f.firewall, flow_key(f.flow)), []).append(a)
    return out


_ORDER = {c.code: i for i, c in enumerate(ALL)}


def _rank(code: str) -> int:
    return _ORDER.get(code, len(_ORDER))


def _flow_table(flow: Mapping[str, Any], lines: Mapping[str, Sequence[int]] | None) -> Markup:
    rows = [("flow", el("code", flow_title(flow))), ("crosses", flow_where(flow))]
    if lines:
        rows.append(
            (
                "deciding lines",
                "; ".join(f"{verdict} {', '.join(map(str, ns))}" for verdict, ns in lines.items()),
            )
        )
    blocked = [str(b) for b in flow.get("blocked") or ()]
    if blocked:
        shown = el("code", ", ".join(blocked[:_SHOWN_BLOCKS]))
        if len(blocked) > _SHOWN_BLOCKS:
            rest = el(
                "details",
                el("summary", f"and {len(blocked) - _SHOWN_BLOCKS} more"),
                el("code", ", ".join(blocked[_SHOWN_BLOCKS:])),
                class_="more",
            )
            shown = Markup(shown + rest)
        rows.append(("sources affected", shown))
    return el("dl", *(Markup(el("dt", k) + el("dd", v)) for k, v in rows), class_="flow")


def finding_card(
    a: Anchored, lines: Mapping[str, Sequence[int]] | None = None, cell: str | None = None
) -> Markup:
    """One finding: where, what, the rule and its line, the flow, the fix, the docs."""
    f = a.finding
    where = f"{f.location.file}:{f.location.line}" if f.location else "no line decides"
    head = [
        el("span", f.severity.value, class_=f"sev sev-{f.severity.value}"),
        el("code", where, class_="where"),
    ]
    if a.note:
        head.append(el("span", a.note, class_="muted"))
    if a.suppressed:
        head.append(el("span", "suppressed", class_="tag"))
    body: list[object] = [el("div", *head, class_="card-head"), el("p", f.message)]
    if f.text:
        number = el("span", f.location.line if f.location else "", class_="ln")
        body.append(
            el("pre", number, el("code", f.text), class_="rule", aria_label="the deciding rule")
        )
    if f.flow:
        body.append(_flow_table(f.flow, lines))
    if f.fix:
        body.append(
            el(
                "div",
                el("span", "fix", class_="fix-label"),
                el("pre", el("code", f.fix)),
                class_="fix",
            )
        )
    s = a.entry.suppression
    if s is not None:
        body.append(
            el("p", f"suppressed ({s.kind}, {s.file}:{s.line}): {s.justification}", class_="muted")
        )
    links = [doc_link(f.check, f"{f.check} documentation")]
    if cell:
        links.append(el("a", "in the flow matrix", href=f"#{cell}"))
    body.append(el("p", *_between(links, " \u00b7 "), class_="card-links"))
    return el("article", *body, id=a.id, class_=f"finding sev-border-{f.severity.value}")


def _between(items: Sequence[Markup], sep: str) -> list[object]:
    out: list[object] = []
    for i, item in enumerate(items):
        if i:
            out.append(sep)
        out.append(item)
    return out


def firewall_sections(
    items: Sequence[Anchored],
    firewalls: Sequence[FirewallSummary],
    fw_ids: Mapping[str | None, str],
    lines: Callable[[Anchored], Mapping[str, Sequence[int]] | None],
    cells: Mapping[str, str],
    empty: str = "No findings.",
) -> Markup:
    """A section per firewall (topology findings first), a group per check inside."""
    groups: dict[str | None, list[Anchored]] = {}
    for a in items:
        groups.setdefault(a.finding.firewall, []).append(a)
    out = []
    names: list[str | None] = [None] if None in groups else []
    names += [fw.name for fw in firewalls]
    names += [n for n in groups if n not in names]
    meta = {fw.name: fw for fw in firewalls}
    for name in names:
        found = groups.get(name, [])
        title = TOPOLOGY if name is None else name
        heading: list[object] = [el("h3", title)]
        fw = meta.get(name) if name is not None else None
        if fw is not None:
            heading.append(
                el(
                    "p",
                    f"{fw.platform} \u00b7 ",
                    el("code", fw.config),
                    f" \u00b7 {fw.rules} rules \u00b7 {fw.lines_unparsed} lines not "
                    f"understood \u00b7 {fw.crossings} flow crossings",
                    class_="muted",
                )
            )
        if not found:
            heading.append(el("p", empty, class_="muted"))
        checks: dict[str, list[Anchored]] = {}
        for a in found:
            checks.setdefault(a.finding.check, []).append(a)
        groups_html = [
            el(
                "section",
                el(
                    "h4",
                    el("span", code, class_="code"),
                    " ",
                    el("span", group[0].finding.name),
                    " ",
                    el("span", f"\u00d7{len(group)}", class_="count"),
                    " ",
                    doc_link(code),
                ),
                *(finding_card(a, lines(a), cells.get(a.id)) for a in group),
                class_="check-group",
            )
            for code, group in sorted(checks.items(), key=lambda kv: _rank(kv[0]))
        ]
        out.append(el("section", *heading, *groups_html, id=fw_ids.get(name), class_="firewall"))
    return esc(out)

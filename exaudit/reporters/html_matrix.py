"""The flow matrix: required flows (rows) by firewalls (columns), a state in each cell."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from exaudit.report.model import FirewallSummary, FlowVerdict
from exaudit.reporters import html_states as states
from exaudit.reporters.html_findings import Anchored, FlowKey, flow_key, flow_where
from exaudit.reporters.html_markup import Markup, el, esc

RowKey = tuple[Any, ...]


def row_key(flow: Mapping[str, Any]) -> RowKey:
    """A row: the flow whatever the interfaces it crosses (id, proto, port, ends)."""
    return tuple(flow.get(k) for k in ("id", "proto", "port", "src", "dst"))


@dataclass
class Cell:
    """One firewall's verdicts on one flow, and the findings about them."""

    verdicts: list[FlowVerdict] = field(default_factory=list)
    findings: list[Anchored] = field(default_factory=list)

    @property
    def state(self) -> states.State:
        return states.combined(v.status for v in self.verdicts)


@dataclass
class Matrix:
    """Rows in order of first appearance, a cell per row and firewall that the flow crosses."""

    rows: list[RowKey]
    columns: list[str]
    cells: dict[tuple[RowKey, str], Cell]
    ids: dict[tuple[RowKey, str], str]
    platforms: dict[str, str] = field(default_factory=dict)

    def cell_of_finding(self) -> dict[str, str]:
        """Each linked finding's cell id, for the finding to link back."""
        return {a.id: self.ids[key] for key, cell in self.cells.items() for a in cell.findings}


def build(
    firewalls: Sequence[FirewallSummary], findings: Mapping[tuple[str, FlowKey], list[Anchored]]
) -> Matrix:
    rows: dict[RowKey, None] = {}
    cells: dict[tuple[RowKey, str], Cell] = {}
    for fw in firewalls:
        for v in fw.flows:
            row = row_key(v.flow)
            rows.setdefault(row, None)
            cell = cells.setdefault((row, fw.name), Cell())
            cell.verdicts.append(v)
            cell.findings += findings.get((fw.name, flow_key(v.flow)), [])
    for cell in cells.values():  # errors first: the link goes to the worst finding
        cell.findings.sort(key=lambda a: -a.finding.severity.rank)
    number = {row: i + 1 for i, row in enumerate(rows)}
    column = {fw.name: c + 1 for c, fw in enumerate(firewalls)}
    ids = {(row, fw): f"cell-{number[row]}-{column[fw]}" for row, fw in cells}
    return Matrix(list(rows), list(column), cells, ids, {fw.name: fw.platform for fw in firewalls})


def row_head(row: RowKey) -> Markup:
    flow_id, proto, port, src, dst = row
    return Markup(
        el("th", el("code", flow_id), scope="row", class_="flow-id")
        + el(
            "td",
            src,
            " ",
            el("span", "\u2192", class_="arrow"),
            " ",
            el("strong", dst),
            class_="ends",
        )
        + el("td", el("code", f"{proto}/{port}"), class_="port")
    )


def _title(fw: str, row: RowKey, cell: Cell) -> str:
    parts = []
    for v in cell.verdicts:
        decided = "; ".join(f"{k} {', '.join(map(str, ns))}" for k, ns in v.lines.items())
        parts.append(f"{v.status} ({flow_where(v.flow)}; lines {decided or '-'})")
    return f"{fw}: {row[0]} {row[3]} \u2192 {row[4]} {row[1]}/{row[2]}: " + " | ".join(parts)


def _cell(m: Matrix, row: RowKey, fw: str) -> Markup:
    cell = m.cells.get((row, fw))
    if cell is None:
        return el(
            "td",
            states.OFF_PATH.badge(short=True),
            class_="cell st-not-on-path",
            data_state=states.OFF_PATH.slug,
            data_firewall=fw,
            data_flow=row[0],
            data_src=row[3],
            data_dst=row[4],
            title=f"{fw}: {row[0]} {row[3]} \u2192 {row[4]} does not cross it",
        )
    state = cell.state
    badge = state.badge()
    content: list[object] = []
    if cell.findings:
        first, rest = cell.findings[0], cell.findings[1:]
        content.append(el("a", badge, href=f"#{first.id}", class_="cell-link"))
        content += [
            el("a", f"+{a.finding.check}", href=f"#{a.id}", class_="more-link") for a in rest
        ]
    else:
        content.append(badge)
    return el(
        "td",
        *content,
        id=m.ids[(row, fw)],
        class_=f"cell st-{state.slug}",
        data_state=state.slug,
        data_firewall=fw,
        data_flow=row[0],
        data_src=row[3],
        data_dst=row[4],
        title=_title(fw, row, cell),
    )


def legend(
    counts: Mapping[str, int] | None, items: Iterable[states.State] = states.LEGEND
) -> Markup:
    """Each state's badge, with how many cells have it when ``counts`` are given."""
    return el(
        "ul",
        *(
            el(
                "li",
                s.badge(),
                el("span", f" {counts.get(s.slug, 0)}", class_="muted")
                if counts is not None
                else "",
                class_=f"st-{s.slug}",
            )
            for s in items
        ),
        class_="legend",
        aria_label="cell states",
    )


def render(m: Matrix) -> Markup:
    """The matrix as a table, its legend with a count per state, and a problems-only toggle."""
    counts: dict[str, int] = {}
    body = []
    for row in m.rows:
        row_states = [
            m.cells[(row, fw)].state if (row, fw) in m.cells else states.OFF_PATH
            for fw in m.columns
        ]
        for s in row_states:
            counts[s.slug] = counts.get(s.slug, 0) + 1
        ok = all(s.rank <= 0 for s in row_states)
        body.append(
            el(
                "tr",
                row_head(row),
                *(_cell(m, row, fw) for fw in m.columns),
                data_ok="true" if ok else "false",
            )
        )
    head = el(
        "tr",
        el("th", "flow", scope="col"),
        el("th", "source \u2192 server", scope="col"),
        el("th", "port", scope="col"),
        *(
            el(
                "th",
                fw,
                el("span", m.platforms.get(fw, ""), class_="platform"),
                scope="col",
                class_="fw-col",
            )
            for fw in m.columns
        ),
    )
    toggle = el(
        "label",
        el("input", type="checkbox", id="problems-only"),
        " only flows with a problem",
        class_="toggle",
    )
    table = el("table", el("thead", head), el("tbody", *body), class_="matrix", id="flow-matrix")
    return esc(
        [
            el("div", legend(counts), toggle, class_="matrix-tools"),
            el("div", table, class_="matrix-wrap"),
        ]
    )

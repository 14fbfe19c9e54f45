"""``exaudit diff --format html``: changed flows before and after, findings in and out, rules."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from exaudit import __version__
from exaudit.report.model import (
    DiffReport,
    Entry,
    FlowChange,
    FlowSide,
    RuleChange,
    severity_counts,
)
from exaudit.reporters import html_matrix
from exaudit.reporters import html_states as states
from exaudit.reporters.html_docs import check_docs
from exaudit.reporters.html_findings import (
    Anchored,
    FlowKey,
    anchored,
    by_flow,
    firewall_sections,
    flow_key,
    flow_where,
)
from exaudit.reporters.html_markup import Ids, Markup, el, esc
from exaudit.reporters.html_page import bar, block, document, facts, firewall_table, stats

NAV = (
    ("summary", "Summary"),
    ("matrix", "Changed flows"),
    ("introduced", "Introduced"),
    ("resolved", "Resolved"),
    ("rules", "Rules"),
    ("checks", "Checks"),
)


def _side(side: FlowSide | None) -> states.State:
    return states.of(side.status if side else None)


def _lines(side: FlowSide | None) -> str:
    if side is None:
        return "absent"
    text = f"{side.status} (lines {', '.join(map(str, side.lines)) or '-'})"
    if side.denied:
        text += " for " + ", ".join(side.denied)
    if side.replies_denied:
        text += " to " + ", ".join(side.replies_denied)
    return text


def _cell(
    changes: list[FlowChange], cell_id: str, linked: Mapping[tuple[str, FlowKey], list[Anchored]]
) -> Markup:
    """Before and after: the worst part of each side, and the change in words."""
    before = (
        states.combined(c.before.status for c in changes if c.before)
        if any(c.before for c in changes)
        else states.ABSENT
    )
    after = (
        states.combined(c.after.status for c in changes if c.after)
        if any(c.after for c in changes)
        else states.ABSENT
    )
    pair = Markup(
        before.badge() + el("span", "\u2192", class_="arrow-to", aria_label="then") + after.badge()
    )
    found = [a for c in changes for a in linked.get((c.firewall, flow_key(c.flow)), [])]
    content: list[object] = [
        el("a", pair, href=f"#{found[0].id}", class_="cell-link") if found else pair
    ]
    content.append(el("span", "; ".join(dict.fromkeys(c.change for c in changes)), class_="change"))
    title = " | ".join(
        f"{c.firewall} {flow_where(c.flow)}: {_lines(c.before)} \u2192 {_lines(c.after)}"
        for c in changes
    )
    return el(
        "td",
        *content,
        id=cell_id,
        class_=f"cell st-{after.slug}",
        data_state=after.slug,
        data_before=before.slug,
        data_firewall=changes[0].firewall,
        data_flow=changes[0].flow.get("id"),
        data_src=changes[0].flow.get("src"),
        data_dst=changes[0].flow.get("dst"),
        title=title,
    )


def _matrix(
    report: DiffReport, linked: Mapping[tuple[str, FlowKey], list[Anchored]]
) -> tuple[Markup, dict[str, str]]:
    rows: dict[html_matrix.RowKey, None] = {}
    cells: dict[tuple[html_matrix.RowKey, str], list[FlowChange]] = {}
    for change in report.flows:
        row = html_matrix.row_key(change.flow)
        rows.setdefault(row, None)
        cells.setdefault((row, change.firewall), []).append(change)
    order = [fw.name for fw in report.firewalls]
    columns = [n for n in order if any(fw == n for _, fw in cells)]
    columns += sorted({fw for _, fw in cells} - set(columns))
    body, back = [], {}
    for r, row in enumerate(rows, 1):
        tds = []
        for c, fw in enumerate(columns, 1):
            changes = cells.get((row, fw))
            if changes is None:
                tds.append(
                    el(
                        "td",
                        states.UNCHANGED.badge(short=True),
                        class_="cell",
                        data_state=states.UNCHANGED.slug,
                        data_firewall=fw,
                    )
                )
                continue
            cell_id = f"cell-{r}-{c}"
            for ch in changes:
                for a in linked.get((ch.firewall, flow_key(ch.flow)), []):
                    back[a.id] = cell_id
            tds.append(_cell(changes, cell_id, linked))
        body.append(el("tr", html_matrix.row_head(row), *tds))
    head = el(
        "tr",
        el("th", "flow", scope="col"),
        el("th", "source \u2192 server", scope="col"),
        el("th", "port", scope="col"),
        *(
            el(
                "th",
                fw,
                " ",
                el("span", "before \u2192 after", class_="change"),
                scope="col",
                class_="fw-col",
            )
            for fw in columns
        ),
    )
    table = el("table", el("thead", head), el("tbody", *body), class_="matrix", id="flow-matrix")
    legend = html_matrix.legend(None, (*states.LEGEND[:-1], states.ABSENT, states.UNCHANGED))
    return esc(
        [el("div", legend, class_="matrix-tools"), el("div", table, class_="matrix-wrap")]
    ), back


def _number(line: int | None) -> str:
    return "-" if line is None else str(line)


def _rules(rules: Sequence[RuleChange]) -> Markup:
    if not rules:
        return el("p", "No rule decides differently.", class_="muted")
    rows = []
    for r in rules:
        what = [el("div", "no longer: ", x, class_="muted") for x in r.before]
        what += [el("div", "now: ", x) for x in r.after]
        line = f"{_number(r.before_line)} \u2192 {_number(r.after_line)}"
        rows.append(
            el(
                "tr",
                el("td", r.firewall),
                el("td", line),
                el("td", el("code", r.text)),
                el("td", *what),
            )
        )
    head = el(
        "tr",
        *(
            el("th", h, scope="col")
            for h in ("firewall", "line before \u2192 now", "rule", "what it decides")
        ),
    )
    return el("table", el("thead", head), el("tbody", *rows), class_="plain")


def render(report: DiffReport) -> str:
    ids = Ids()
    fw_ids: dict[str | None, str] = {None: ids.new("firewall", "topology-findings")}
    fw_ids.update({fw.name: ids.new("firewall", fw.name) for fw in report.firewalls})
    was = {m.entry.fingerprint: m.other_line for m in report.introduced + report.resolved}

    def note(word: str) -> Callable[[Entry], str]:
        """``was line N`` / ``now line N``: the rule's line on the other side, if known."""

        def say(e: Entry) -> str:
            line = was.get(e.fingerprint)
            return "" if line is None else f"{word} line {line}"

        return say

    introduced = anchored((m.entry for m in report.introduced), ids, note=note("was"))
    resolved = anchored((m.entry for m in report.resolved), ids, note=note("now"))
    linked = by_flow(introduced + resolved)
    matrix, back = _matrix(report, linked)
    counts = severity_counts(report.counted)
    summary = block(
        "summary",
        f"Change review of {report.topology}",
        stats(
            [
                (len(report.flows), "flows changed", ""),
                (len(report.introduced), "findings introduced", "error" if counts["error"] else ""),
                (len(report.resolved), "findings resolved", ""),
                (len(report.rules), "rules decide differently", ""),
            ]
        ),
        el(
            "p",
            el(
                "strong",
                "No change: every required flow has the same verdict and no "
                "finding was introduced or resolved."
                if report.empty
                else f"Introduced: {counts['error']} errors, {counts['warning']} warnings, "
                f"{counts['info']} infos.",
            ),
        ),
        facts(
            [
                ("exaudit", __version__),
                ("topology file", el("code", report.topology)),
                ("before", el("code", report.before)),
                ("after", "the files as they are now"),
                ("checks run", ", ".join(sorted(report.checks)) or "none"),
            ]
        ),
        firewall_table(
            report.firewalls,
            {k: v for k, v in fw_ids.items() if k is not None},
            Counter(a.finding.firewall or "" for a in introduced),
            with_flows=False,
        ),
    )

    def no_lines(a: Anchored) -> None:
        return None

    codes = Counter(a.finding.check for a in introduced + resolved)
    sections = [
        summary,
        block(
            "matrix",
            f"Required flows whose verdict changed ({len(report.flows)})",
            matrix if report.flows else el("p", "None.", class_="muted"),
        ),
        block(
            "introduced",
            f"Findings introduced ({len(introduced)})",
            firewall_sections(
                introduced, report.firewalls, fw_ids, no_lines, back, empty="None introduced."
            ),
        ),
        block(
            "resolved",
            f"Findings resolved ({len(resolved)})",
            firewall_sections(
                resolved, report.firewalls, {}, no_lines, back, empty="None resolved."
            ),
        ),
        block("rules", f"Rules whose verdicts changed ({len(report.rules)})", _rules(report.rules)),
        block("checks", "Checks", check_docs(set(codes), codes)),
    ]
    header = bar(f"diff of {report.topology} against {report.before}", counts, NAV)
    return document(f"exaudit diff: {report.topology}", header, *sections)

"""``exaudit audit --format html``: summary, flow matrix, findings, drawing, check docs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from exaudit import __version__
from exaudit.report.model import AuditReport, severity_counts
from exaudit.reporters import html_drawing, html_matrix, html_page, html_scene
from exaudit.reporters.html_docs import check_docs
from exaudit.reporters.html_findings import (
    TOPOLOGY,
    Anchored,
    anchored,
    by_flow,
    firewall_sections,
    flow_key,
)
from exaudit.reporters.html_markup import Ids, Markup, el
from exaudit.reporters.html_page import block, facts, plural, stats

NAV = (
    ("summary", "Summary"),
    ("matrix", "Flow matrix"),
    ("findings", "Findings"),
    ("topology", "Topology"),
    ("checks", "Checks"),
)


def _summary(
    report: AuditReport,
    matrix: html_matrix.Matrix,
    fw_ids: Mapping[str | None, str],
    per_firewall: Mapping[str, int],
) -> Markup:
    counts = severity_counts(report.counted)
    bad_rows = sum(
        1
        for row in matrix.rows
        if any(
            matrix.cells[(row, fw)].state.rank > 0
            for fw in matrix.columns
            if (row, fw) in matrix.cells
        )
    )
    view = report.view
    items: list[tuple[str, object]] = [
        ("exaudit", __version__),
        ("topology file", el("code", report.topology)),
    ]
    if view is not None:
        items += [
            ("topology sha256", el("code", view.sha256)),
            (
                "catalogue",
                Markup(
                    el("code", html_page.catalogue_name(view.catalogue))
                    + f" (Exchange {view.exchange}, shipped with exaudit "
                    f"{__version__})"
                ),
            ),
        ]
    items.append(("checks run", ", ".join(sorted(report.checks)) or "none"))
    verdict = (
        f"{bad_rows} of the {plural(len(matrix.rows), 'required flow')} that cross a "
        "firewall are not surely let through: denied, partly denied, their replies "
        "denied, or undetermined."
        if bad_rows
        else "Every required flow that crosses a firewall is let through."
    )
    return block(
        "summary",
        f"Audit of {report.topology}",
        stats(
            [
                (len(report.firewalls), "firewalls", ""),
                (report.flows, "required flows", ""),
                (sum(fw.crossings for fw in report.firewalls), "flow crossings", ""),
                (report.rules, "rules", ""),
                (counts["error"], "errors", "error"),
                (counts["warning"], "warnings", "warning"),
                (counts["info"], "infos", "info"),
                (len(report.suppressed), "suppressed", ""),
            ]
        ),
        el("p", el("strong", verdict)),
        facts(items),
        html_page.firewall_table(
            report.firewalls, {k: v for k, v in fw_ids.items() if k is not None}, per_firewall
        ),
    )


def render(report: AuditReport) -> str:
    ids = Ids()
    fw_ids: dict[str | None, str] = {None: ids.new("firewall", "topology-findings")}
    fw_ids.update({fw.name: ids.new("firewall", fw.name) for fw in report.firewalls})
    active = anchored(report.findings, ids)
    suppressed = anchored(report.suppressed, ids, suppressed=True)
    linked = by_flow(active + suppressed)
    matrix = html_matrix.build(report.firewalls, linked)
    cells = matrix.cell_of_finding()
    decided = {(fw.name, flow_key(v.flow)): v.lines for fw in report.firewalls for v in fw.flows}

    def lines(a: Anchored) -> Mapping[str, Sequence[int]] | None:
        f = a.finding
        return decided.get((f.firewall or "", flow_key(f.flow))) if f.flow else None

    per_firewall = Counter(a.finding.firewall or TOPOLOGY for a in active)
    sections = [
        _summary(report, matrix, fw_ids, per_firewall),
        block(
            "matrix",
            "Flow matrix",
            el(
                "p",
                "Each required flow (rows) at each firewall on its path (columns). A cell "
                "links to the finding about that flow at that firewall.",
                class_="muted",
            ),
            html_matrix.render(matrix),
        ),
        block(
            "findings",
            f"Findings ({len(active)})",
            firewall_sections(active, report.firewalls, fw_ids, lines, cells),
        ),
    ]
    if suppressed:
        sections.append(
            block(
                "suppressed",
                f"Suppressed findings ({len(suppressed)})",
                firewall_sections(
                    suppressed, report.firewalls, {}, lines, cells, empty="None suppressed."
                ),
            )
        )
    scene = (
        html_scene.scene(
            report.view,
            report.firewalls,
            linked,
            {k: v for k, v in fw_ids.items() if k is not None},
        )
        if report.view is not None
        else None
    )
    code_counts = Counter(a.finding.check for a in active)
    codes = set(report.checks) | set(code_counts)
    sections += [
        block("topology", "Topology", html_drawing.section(scene)),
        block(
            "checks",
            "Checks",
            el(
                "p",
                "The documentation of every check that ran, from exaudit explain.",
                class_="muted",
            ),
            check_docs(codes, code_counts),
        ),
    ]
    header = html_page.bar(f"audit of {report.topology}", severity_counts(report.counted), NAV)
    return html_page.document(f"exaudit audit: {report.topology}", header, *sections)

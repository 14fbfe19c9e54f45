"""The audit as text for a person at a desk: a summary, then findings per firewall."""

from __future__ import annotations

import textwrap

from exaudit.core.findings import Finding
from exaudit.report.model import AuditReport, severity_counts
from exaudit.reporters.options import RenderOptions
from exaudit.reporters.tables import tabulate

WIDTH = 72


def _cell(f: Finding) -> str:
    lines = textwrap.wrap(f.message, WIDTH)
    if f.text:
        lines.append("rule: " + textwrap.shorten(f.text, WIDTH, placeholder=" ..."))
    if f.fix:
        lines += ["fix:  " + line for line in f.fix.splitlines()]
    return "\n".join(lines)


def counts_line(findings: list[Finding], options: RenderOptions) -> str:
    """``1 error, 2 warnings, 0 infos`` in the severities' colours."""
    counts = severity_counts(findings)
    return ", ".join(options.style(f"{counts[k]} {k}" + ("s" if counts[k] != 1 else ""), k)
                     for k in ("error", "warning", "info"))


def suppressed_note(count: int) -> str:
    return (f"{count} finding(s) suppressed by inline comments or the baseline "
            "(--format json lists them)\n" if count else "")


def render(report: AuditReport, options: RenderOptions) -> str:
    style = options.style
    findings = report.counted
    out = [style(f"exaudit audit of {report.topology}", "bold"),
           f"{len(report.firewalls)} firewall(s), {report.flows} required flow(s), "
           f"{report.rules} rule(s): " + counts_line(findings, options),
           ""]
    fw_rows = [[fw.name, fw.platform, fw.config, fw.rules, fw.lines_unparsed, fw.crossings]
               for fw in report.firewalls]
    if fw_rows:
        out.append(tabulate(fw_rows, headers=["firewall", "platform", "config", "rules",
                                              "not understood", "flows crossing"]))
        out.append("")
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.firewall or "(topology)", []).append(f)
    if not findings and not report.suppressed:
        out.append("No findings: every required flow is permitted and nothing is opened "
                   "wider than Exchange needs.")
    elif not findings:
        out.append("No findings count: every one is suppressed (see below).")
    for name, items in groups.items():
        out.append(style(f"== {name} ==", "bold"))
        rows = []
        for f in items:
            where = f"{f.location.file}:{f.location.line}" if f.location else "-"
            rows.append([where, f.check, style(f.severity.value, f.severity.value), _cell(f)])
        out.append(tabulate(rows, headers=["where", "check", "severity", "finding"],
                            tablefmt="simple"))
        out.append("")
    return "\n".join(out).rstrip() + "\n" + suppressed_note(len(report.suppressed))

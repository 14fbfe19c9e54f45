"""The audit as text for a person at a desk: a summary, then findings per firewall."""

from __future__ import annotations

import textwrap
from typing import Any

from tabulate import tabulate

from exaudit.core.findings import Finding
from exaudit.reporters.style import PLAIN, Style

WIDTH = 72


def _cell(f: Finding) -> str:
    lines = textwrap.wrap(f.message, WIDTH)
    if f.text:
        lines.append("rule: " + textwrap.shorten(f.text, WIDTH, placeholder=" ..."))
    if f.fix:
        lines += ["fix:  " + line for line in f.fix.splitlines()]
    return "\n".join(lines)


def render(report: dict[str, Any], findings: list[Finding], style: Style = PLAIN) -> str:
    s = report["summary"]
    out = [style(f"exaudit audit of {report['topology']}", "bold"),
           f"{s['firewalls']} firewall(s), {s['flows']} required flow(s), {s['rules']} rule(s): "
           + ", ".join(style(f"{s[k]} {k}" + ("s" if s[k] != 1 else ""), k)
                       for k in ("error", "warning", "info")),
           ""]
    fw_rows = [[fw["name"], fw["platform"], fw["config"], fw["rules"], fw["lines_unparsed"],
                fw.get("crossings", "")]
               for fw in report["firewalls"]]
    if fw_rows:
        out.append(tabulate(fw_rows, headers=["firewall", "platform", "config", "rules",
                                              "not understood", "flows crossing"]))
        out.append("")
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.firewall or "(topology)", []).append(f)
    if not findings and not s.get("suppressed"):
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
    return "\n".join(out).rstrip() + "\n"

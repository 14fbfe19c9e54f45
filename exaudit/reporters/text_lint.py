"""``exaudit lint`` as text: coverage per file, then a table of the findings."""

from __future__ import annotations

import textwrap

from exaudit.report.model import LintReport, severity_counts
from exaudit.reporters.options import RenderOptions
from exaudit.reporters.tables import tabulate
from exaudit.reporters.text_audit import suppressed_note


def render(report: LintReport, options: RenderOptions) -> str:
    style = options.style
    out = []
    for f in report.files:
        pct = 100.0 * f.rules_understood / f.rules if f.rules else 100.0
        out.append(f"{f.file}: {f.platform}, {f.rules} rules, "
                   f"{f.rules_understood} fully understood ({pct:.1f}%), "
                   f"{f.lines_unparsed} line(s) not understood")
        out += [f"  note: {n}" for n in f.notes]
    findings = report.counted
    if findings:
        out.append("")
        out.append(tabulate([[f"{x.location.file}:{x.location.line}" if x.location else "-",
                              x.check, style(x.severity.value, x.severity.value),
                              "\n".join(textwrap.wrap(x.message, 60)),
                              textwrap.shorten(x.text or "", 50, placeholder=" ...")]
                             for x in findings],
                            headers=["where", "check", "severity", "finding", "line"]))
    out.append("")
    counts = severity_counts(findings)
    out.append(", ".join(f"{counts[k]} {k}" for k in ("error", "warning", "info")))
    return "\n".join(out) + "\n" + suppressed_note(len(report.suppressed))

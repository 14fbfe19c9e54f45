"""``exaudit lint`` as text: coverage per file, then the findings per file."""

from __future__ import annotations

from exaudit.report.model import LintReport
from exaudit.reporters.options import MIN_WIDTH, RenderOptions
from exaudit.reporters.text_audit import (
    checks_note,
    counts_line,
    findings_text,
    statistics,
    suppressed_note,
)
from exaudit.reporters.textlayout import plural, wrap


def render(report: LintReport, options: RenderOptions) -> str:
    out: list[str] = []
    width = max(MIN_WIDTH, options.width)
    findings = report.counted
    if not options.quiet:
        for f in report.files:
            pct = 100.0 * f.rules_understood / f.rules if f.rules else 100.0
            out += wrap(
                f"{f.file}: {f.platform}, {plural(f.rules, 'rule')}, "
                f"{f.rules_understood} fully understood ({pct:.1f}%), "
                f"{plural(f.lines_unparsed, 'line')} not understood",
                width,
            )
            for n in f.notes:
                out += ["  " + line for line in wrap(f"note: {n}", width - 2)]
        note = checks_note(report.checks)
        if note:
            out.append(note)
        out.append("")
    if options.statistics:
        if findings:
            out += [statistics(findings), ""]
    else:
        out += findings_text(findings, options, owner="")
    if not options.quiet:
        out.append(counts_line(findings, options))
    text = "\n".join(out).rstrip()
    return (text + "\n" if text else "") + suppressed_note(len(report.suppressed))

"""Text for a person: each kind of report has its own layout."""

from __future__ import annotations

from exaudit.report.model import AuditReport, DiffReport, LintReport, Report
from exaudit.reporters import text_audit, text_diff, text_lint, text_requirements
from exaudit.reporters.options import RenderOptions


def render(report: Report, options: RenderOptions) -> str:
    if isinstance(report, AuditReport):
        return text_audit.render(report, options)
    if isinstance(report, LintReport):
        return text_lint.render(report, options)
    if isinstance(report, DiffReport):
        return text_diff.render(report, options)
    return text_requirements.render(report, options)

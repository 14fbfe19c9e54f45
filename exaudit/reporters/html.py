"""``--format html``: one self-contained page for the people who sign off firewall changes."""

from __future__ import annotations

from exaudit.report.model import AuditReport, DiffReport
from exaudit.reporters.options import RenderOptions


def render(report: AuditReport | DiffReport, options: RenderOptions) -> str:
    """The audit or diff page (inline CSS, inline SVG, no script, nothing fetched)."""
    if isinstance(report, DiffReport):
        from exaudit.reporters import html_diff

        return html_diff.render(report)
    from exaudit.reporters import html_audit

    return html_audit.render(report)

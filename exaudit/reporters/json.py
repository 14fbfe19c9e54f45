"""JSON for scripts: each report's contract shape (``schema`` names it and its version)."""

from __future__ import annotations

from exaudit.report.model import Report
from exaudit.reporters.jsontext import dumps
from exaudit.reporters.options import RenderOptions


def render(report: Report, options: RenderOptions) -> str:
    """The report's keys one per line, then one line per finding, firewall or flow."""
    return dumps(report.to_json(), depth=2)

"""JSON for scripts: each report's contract shape (``schema`` names it and its version)."""

from __future__ import annotations

import json

from exaudit.report.model import Report
from exaudit.reporters.options import RenderOptions


def render(report: Report, options: RenderOptions) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"

"""The report as a GitLab Code Quality artifact (a Code Climate issue list)."""

from __future__ import annotations

from typing import Any

from exaudit import checks
from exaudit.core.paths import repo_path
from exaudit.report.model import AuditReport, Entry, LintReport
from exaudit.reporters.anchor import anchor
from exaudit.reporters.jsontext import dumps
from exaudit.reporters.options import RenderOptions

# GitLab's scale is info, minor, major, critical, blocker.
SEVERITY = {"error": "major", "warning": "minor", "info": "info"}
# Code Climate's categories, by a check's first SARIF tag.
CATEGORY = {"maintainability": "Style", "reliability": "Bug Risk", "security": "Security"}


def _category(code: str) -> str:
    check = checks.BY_CODE.get(code)
    return CATEGORY.get(check.tags[0], "Bug Risk") if check and check.tags else "Bug Risk"


def issue(where: tuple[str, int] | None, entry: Entry) -> dict[str, Any]:
    f = entry.finding
    path, line = where or ("", 1)
    description = f"{f.check} {f.name}: {f.message}"
    if f.firewall:
        description = f"{f.firewall}: {description}"
    out: dict[str, Any] = {
        "type": "issue",
        "check_name": f.check,
        "description": description,
        "categories": [_category(f.check)],
        "severity": SEVERITY[f.severity.value],
        "fingerprint": entry.fingerprint,
        "location": {"path": repo_path(path) if path else "", "lines": {"begin": max(1, line)}},
    }
    if f.fix:
        out["content"] = {"body": f"Suggested rule:\n\n    {f.fix}"}
    return out


def render(report: AuditReport | LintReport, options: RenderOptions) -> str:
    topology = report.topology if isinstance(report, AuditReport) else None
    firewalls = report.firewalls if isinstance(report, AuditReport) else ()
    return dumps(
        [issue(anchor(topology, firewalls, e.finding), e) for e in report.findings], depth=1
    )  # one line per issue

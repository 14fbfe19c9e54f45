"""The report as a GitLab Code Quality artifact (a Code Climate issue list)."""

from __future__ import annotations

import json
from typing import Any

from exaudit.review.fingerprint import anchor, repo_path

# GitLab's scale is info, minor, major, critical, blocker.
SEVERITY = {"error": "major", "warning": "minor", "info": "info"}
CATEGORY = {"0": "Style", "1": "Bug Risk", "2": "Security", "3": "Security", "4": "Bug Risk"}


def issue(report: dict[str, Any], f: dict[str, Any]) -> dict[str, Any]:
    where = anchor(report, f) or ("", 1)
    description = f"{f['check']} {f['name']}: {f['message']}"
    if f.get("firewall"):
        description = f"{f['firewall']}: {description}"
    out: dict[str, Any] = {
        "type": "issue",
        "check_name": f["check"],
        "description": description,
        "categories": [CATEGORY.get(f["check"][3], "Bug Risk")],
        "severity": SEVERITY[f["severity"]],
        "fingerprint": f.get("fingerprint", ""),
        "location": {"path": repo_path(where[0]) if where[0] else "",
                     "lines": {"begin": max(1, where[1])}},
    }
    if f.get("fix"):
        out["content"] = {"body": f"Suggested rule:\n\n    {f['fix']}"}
    return out


def render(report: dict[str, Any]) -> str:
    return json.dumps([issue(report, f) for f in report["findings"]], indent=2,
                      ensure_ascii=False) + "\n"

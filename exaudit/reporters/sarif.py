"""The report as SARIF 2.1.0: one run, a rule per check, results at repository paths."""

from __future__ import annotations

from typing import Any

from exaudit import CHECKS_DOCS, HOMEPAGE, __version__, checks
from exaudit.checks.api import Check
from exaudit.core.findings import Finding
from exaudit.core.paths import repo_path
from exaudit.report.model import AuditReport, DiffReport, Entry, LintReport, Report
from exaudit.reporters.anchor import anchor
from exaudit.reporters.jsontext import dumps
from exaudit.reporters.options import RenderOptions
from exaudit.review.fingerprint import SARIF_KEY

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
# GitHub maps security-severity to Critical (>= 9), High (7-8.9), Medium (4-6.9), Low.
SECURITY_SEVERITY = {"error": "7.5", "warning": "5.0", "info": "2.0"}
SUPPRESSION_KIND = {"inline": "inSource", "baseline": "external"}


def rule(check: Check[Any]) -> dict[str, Any]:
    sections = check.sections()
    what = sections.get("What it does", "")
    why = sections.get("Why is this bad?", "")
    markdown = "\n\n".join(f"## {title}\n{body}" for title, body in sections.items())
    plain = "\n\n".join(f"{title}\n{body}" for title, body in sections.items())
    severity = check.severity.value
    properties: dict[str, Any] = {
        "precision": "very-high",
        "tags": ["firewall", "exchange", *check.tags],
    }
    if "security" in check.tags:  # GitHub ranks security alerts by it; others have none
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    return {
        "id": check.code,
        "name": check.name,
        "shortDescription": {"text": check.summary},
        "fullDescription": {"text": " ".join(what.split()) + "\n\n" + " ".join(why.split())},
        "helpUri": f"{CHECKS_DOCS}#{check.anchor}",
        "help": {"text": plain, "markdown": markdown},
        "defaultConfiguration": {"level": LEVEL[severity]},
        "properties": properties,
    }


def _message(f: Finding) -> str:
    text = f.message
    if f.fix:
        text += "\nfix: " + f.fix
    return text


def _uri(path: str) -> dict[str, str]:
    return {"uri": repo_path(path), "uriBaseId": "%SRCROOT%"}


def result(
    where: tuple[str, int] | None,
    entry: Entry,
    index: dict[str, int],
    baseline_state: str | None = None,
) -> dict[str, Any]:
    f = entry.finding
    out: dict[str, Any] = {
        "ruleId": f.check,
        "ruleIndex": index[f.check],
        "level": LEVEL[f.severity.value],
        "message": {"text": _message(f)},
    }
    if where is not None:
        region: dict[str, Any] = {"startLine": max(1, where[1])}
        if f.location is not None and f.text:
            region["snippet"] = {"text": f.text}
        physical = {"artifactLocation": _uri(where[0]), "region": region}
        location: dict[str, Any] = {"physicalLocation": physical}
        if f.firewall:
            location["logicalLocations"] = [{"name": f.firewall, "kind": "module"}]
        out["locations"] = [location]
    out["partialFingerprints"] = {SARIF_KEY: entry.fingerprint}
    if baseline_state:
        out["baselineState"] = baseline_state
    s = entry.suppression
    if s is not None:
        item: dict[str, Any] = {"kind": SUPPRESSION_KIND[s.kind], "status": "accepted"}
        if s.justification:
            item["justification"] = s.justification
        if s.kind == "inline":
            item["location"] = {
                "physicalLocation": {
                    "artifactLocation": _uri(s.file),
                    "region": {"startLine": s.line},
                }
            }
        out["suppressions"] = [item]
    props = {
        k: v
        for k, v in (("firewall", f.firewall), ("flow", f.flow), ("fix", f.fix))
        if v is not None
    }
    if props:
        out["properties"] = props
    return out


def _entries(report: Report) -> tuple[list[Entry], str | None]:
    if isinstance(report, DiffReport):
        return [m.entry for m in report.introduced], "new"
    if isinstance(report, (AuditReport, LintReport)):
        return list(report.findings) + list(report.suppressed), None
    raise TypeError(f"no SARIF for {type(report).__name__}")


def render(report: Report, options: RenderOptions) -> str:
    """SARIF for a report: its findings, then the suppressed ones marked as such."""
    index = {c.code: i for i, c in enumerate(checks.ALL)}
    topology = getattr(report, "topology", None)
    firewalls = getattr(report, "firewalls", ())
    found, state = _entries(report)
    results = [result(anchor(topology, firewalls, e.finding), e, index, state) for e in found]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "exaudit",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": HOMEPAGE,
                "rules": [rule(c) for c in checks.ALL],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    sarif = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return dumps(sarif, depth=4)  # one line per result

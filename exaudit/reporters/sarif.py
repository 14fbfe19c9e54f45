"""The report as SARIF 2.1.0: one run, a rule per check, results at repository paths."""

from __future__ import annotations

import json
import re
import textwrap
from types import ModuleType
from typing import Any

from exaudit import __version__, checks
from exaudit.review.fingerprint import SARIF_KEY, anchor, repo_path

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
# GitHub maps security-severity to Critical (>= 9), High (7-8.9), Medium (4-6.9), Low.
SECURITY_SEVERITY = {"error": "7.5", "warning": "5.0", "info": "2.0"}
# Tags per check family (the first digit after EXA).
TAGS = {"0": ["maintainability"], "1": ["reliability", "security"], "2": ["security"],
        "3": ["security"], "4": ["reliability"]}
SUPPRESSION_KIND = {"inline": "inSource", "baseline": "external"}


def doc_sections(module: ModuleType) -> dict[str, str]:
    """A check's docstring as ``{section title: text}`` (``What it does`` ...)."""
    doc = textwrap.dedent((module.__doc__ or "").split("\n", 1)[1] if module.__doc__ else "")
    out: dict[str, str] = {}
    for part in re.split(r"^## ", doc, flags=re.MULTILINE)[1:]:
        title, _, body = part.partition("\n")
        out[title.strip()] = body.strip("\n").rstrip()
    return out


def _paragraph(text: str) -> str:
    return " ".join(text.split("\n\n", 1)[0].split())


def rule(module: ModuleType) -> dict[str, Any]:
    sections = doc_sections(module)
    what = sections.get("What it does", "")
    why = sections.get("Why is this bad?", "")
    markdown = "\n\n".join(f"## {title}\n{body}" for title, body in sections.items())
    plain = "\n\n".join(f"{title}\n{body}" for title, body in sections.items())
    severity = module.SEVERITY.value
    return {
        "id": module.CODE,
        "name": module.NAME,
        "shortDescription": {"text": _paragraph(what)},
        "fullDescription": {"text": " ".join(what.split()) + "\n\n" + " ".join(why.split())},
        "help": {"text": plain, "markdown": markdown},
        "defaultConfiguration": {"level": LEVEL[severity]},
        "properties": {"security-severity": SECURITY_SEVERITY[severity],
                       "precision": "very-high",
                       "tags": ["firewall", "exchange", *TAGS.get(module.CODE[3], [])]},
    }


def _message(f: dict[str, Any]) -> str:
    text = f["message"]
    if f.get("fix"):
        text += "\nfix: " + f["fix"]
    return text


def result(report: dict[str, Any], f: dict[str, Any], index: dict[str, int],
           baseline_state: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"ruleId": f["check"], "ruleIndex": index[f["check"]],
                           "level": LEVEL[f["severity"]], "message": {"text": _message(f)}}
    where = anchor(report, f)
    if where is not None:
        region: dict[str, Any] = {"startLine": max(1, where[1])}
        if f.get("location") and f.get("text"):
            region["snippet"] = {"text": f["text"]}
        physical = {"artifactLocation": {"uri": repo_path(where[0]), "uriBaseId": "%SRCROOT%"},
                    "region": region}
        location: dict[str, Any] = {"physicalLocation": physical}
        if f.get("firewall"):
            location["logicalLocations"] = [{"name": f["firewall"], "kind": "module"}]
        out["locations"] = [location]
    if f.get("fingerprint"):
        out["partialFingerprints"] = {SARIF_KEY: f["fingerprint"]}
    if baseline_state:
        out["baselineState"] = baseline_state
    suppression = f.get("suppression")
    if suppression:
        entry: dict[str, Any] = {"kind": SUPPRESSION_KIND[suppression["kind"]],
                                 "status": "accepted"}
        if suppression.get("justification"):
            entry["justification"] = suppression["justification"]
        loc = suppression.get("location")
        if loc and suppression["kind"] == "inline":
            entry["location"] = {"physicalLocation": {
                "artifactLocation": {"uri": repo_path(loc["file"]), "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": loc["line"]}}}
        out["suppressions"] = [entry]
    props = {k: f[k] for k in ("firewall", "flow", "fix") if f.get(k) is not None}
    if props:
        out["properties"] = props
    return out


def render(report: dict[str, Any], baseline_state: str | None = None) -> str:
    """SARIF for a report: its findings, then the suppressed ones marked as such."""
    index = {m.CODE: i for i, m in enumerate(checks.ALL)}
    results = [result(report, f, index, baseline_state) for f in report["findings"]]
    results += [result(report, f, index, baseline_state) for f in report.get("suppressed", [])]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "exaudit", "version": __version__,
                            "semanticVersion": __version__,
                            "rules": [rule(m) for m in checks.ALL]}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    sarif = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"

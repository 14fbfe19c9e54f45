"""The report as JUnit XML: a test case per required flow per firewall, and per finding.

A flow's case fails when a finding counts against it (blocked, partly blocked, replies
blocked); a case whose only finding says "undetermined" (EXA104) is skipped, since
its answer is not known. Findings about no flow (over-broad permits, lines not
understood, topology findings) are cases of their own, always failed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from exaudit.core.findings import Finding
from exaudit.core.paths import repo_path
from exaudit.report.model import AuditReport, FirewallSummary, LintReport
from exaudit.reporters.anchor import anchor
from exaudit.reporters.options import RenderOptions

UNKNOWN_ONLY = {"EXA104"}
Where = Callable[[Finding], "tuple[str, int] | None"]


def _flow_key(firewall: str | None, flow: dict[str, Any]) -> tuple[Any, ...]:
    return (firewall, flow.get("id"), flow.get("src"), flow.get("dst"))


def _flow_name(flow: dict[str, Any]) -> str:
    return f"{flow['id']} {flow.get('proto', 'tcp')}/{flow['port']} {flow['src']} -> {flow['dst']}"


def _finding_text(f: Finding) -> str:
    loc = f.location
    where = f"{loc.file}:{loc.line}: " if loc else ""
    text = f"{where}{f.check} {f.name} ({f.severity.value}): {f.message}"
    if f.fix:
        text += f"\n  fix: {f.fix}"
    return text


def _case(
    suite: ET.Element,
    classname: str,
    name: str,
    findings: list[Finding],
    where: Where,
    passed_note: str = "",
) -> str:
    case = ET.SubElement(suite, "testcase", classname=classname, name=name)
    place = where(findings[0]) if findings else None
    if place is not None:
        case.set("file", repo_path(place[0]))
        case.set("line", str(place[1]))
    if not findings:
        if passed_note:
            ET.SubElement(case, "system-out").text = passed_note
        return "passed"
    body = "\n".join(_finding_text(f) for f in findings)
    checks = sorted({f.check for f in findings})
    if set(checks) <= UNKNOWN_ONLY:
        ET.SubElement(case, "skipped", message=findings[0].message).text = body
        return "skipped"
    failure = ET.SubElement(case, "failure", message=findings[0].message, type=",".join(checks))
    failure.text = body
    return "failed"


def _suite(root: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(root, "testsuite", name=name)


def render(report: AuditReport | LintReport, options: RenderOptions) -> str:
    audit = isinstance(report, AuditReport)
    topology = report.topology if isinstance(report, AuditReport) else None
    firewalls: tuple[FirewallSummary, ...] = (
        report.firewalls if isinstance(report, AuditReport) else ()
    )

    def where(f: Finding) -> tuple[str, int] | None:
        return anchor(topology, firewalls, f)

    root = ET.Element("testsuites", name="exaudit")
    by_flow: dict[tuple[Any, ...], list[Finding]] = {}
    loose: dict[str, list[Finding]] = {}
    for f in report.counted:
        if f.flow:
            by_flow.setdefault(_flow_key(f.firewall, f.flow), []).append(f)
        else:
            owner = f.firewall or (f.location.file if f.location and not audit else "topology")
            loose.setdefault(owner, []).append(f)
    outcomes: list[tuple[ET.Element, str]] = []
    suites: dict[str, ET.Element] = {}
    for fw in firewalls:
        suite = suites[fw.name] = _suite(root, fw.name)
        seen: dict[tuple[Any, ...], dict[str, Any]] = {}
        for verdict in fw.flows:
            seen.setdefault(
                _flow_key(fw.name, verdict.flow), {**verdict.flow, "status": verdict.status}
            )
        for key, flow in seen.items():
            found = by_flow.pop(key, [])
            outcomes.append(
                (
                    suite,
                    _case(
                        suite,
                        fw.name,
                        _flow_name(flow),
                        found,
                        where,
                        f"verdict: {flow.get('status', 'permit')}",
                    ),
                )
            )
    for f_list in by_flow.values():  # flows the report did not list (should not happen)
        for f in f_list:
            loose.setdefault(f.firewall or "topology", []).append(f)
    for item in report.files if isinstance(report, LintReport) else ():
        if item.file not in suites:
            suites[item.file] = _suite(root, item.file)
        if item.file not in loose:
            suite = suites[item.file]
            outcomes.append((suite, _case(suite, item.file, "no findings", [], where)))
    for owner, items in loose.items():
        if owner not in suites:  # (not ``get() or``: an Element without children is false)
            suites[owner] = _suite(root, owner)
        suite = suites[owner]
        for f in items:
            loc = f.location
            name = f"{f.check} {f.name}" + (f" at line {loc.line}" if loc else "")
            outcomes.append((suite, _case(suite, owner, name, [f], where)))
    for suite in suites.values():
        mine = [o for s, o in outcomes if s is suite]
        _counts(suite, mine)
    _counts(root, [o for _, o in outcomes])
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _counts(element: ET.Element, outcomes: list[str]) -> None:
    element.set("tests", str(len(outcomes)))
    element.set("failures", str(outcomes.count("failed")))
    element.set("errors", "0")
    element.set("skipped", str(outcomes.count("skipped")))

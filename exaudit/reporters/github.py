"""The report as GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from exaudit.core.paths import repo_path
from exaudit.report.model import AuditReport, Entry, LintReport
from exaudit.reporters.anchor import anchor
from exaudit.reporters.options import RenderOptions

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(where: tuple[str, int] | None, entry: Entry) -> str:
    f = entry.finding
    props = []
    if where is not None:
        props += [f"file={_property(repo_path(where[0]))}", f"line={max(1, where[1])}"]
    props.append(f"title={_property(f.check + ' ' + f.name)}")
    message = f.message
    if f.firewall:
        message = f"{f.firewall}: {message}"
    if f.fix:
        message += "\nfix: " + f.fix
    return f"::{COMMAND[f.severity.value]} {','.join(props)}::{_data(message)}"


def render(report: AuditReport | LintReport, options: RenderOptions) -> str:
    topology = report.topology if isinstance(report, AuditReport) else None
    firewalls = report.firewalls if isinstance(report, AuditReport) else ()
    # GitHub shows only the first few annotations of each kind per step: errors first.
    ordered = sorted(report.findings, key=lambda e: -e.finding.severity.rank)
    lines = [annotation(anchor(topology, firewalls, e.finding), e) for e in ordered]
    summary = report.to_json()["summary"]
    counts = ", ".join(f"{summary[k]} {k}" for k in ("error", "warning", "info"))
    if report.suppressed:
        counts += f", {len(report.suppressed)} suppressed"
    lines.append(f"exaudit: {counts}")
    return "\n".join(lines) + "\n"

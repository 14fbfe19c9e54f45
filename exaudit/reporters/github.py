"""The report as GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from typing import Any

from exaudit.review.fingerprint import anchor, repo_path

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(report: dict[str, Any], f: dict[str, Any]) -> str:
    props = []
    where = anchor(report, f)
    if where is not None:
        props += [f"file={_property(repo_path(where[0]))}", f"line={max(1, where[1])}"]
    props.append(f"title={_property(f['check'] + ' ' + f['name'])}")
    message = f["message"]
    if f.get("firewall"):
        message = f"{f['firewall']}: {message}"
    if f.get("fix"):
        message += "\nfix: " + f["fix"]
    return f"::{COMMAND[f['severity']]} {','.join(props)}::{_data(message)}"


RANK = {"error": 0, "warning": 1, "info": 2}


def render(report: dict[str, Any]) -> str:
    # GitHub shows only the first few annotations of each kind per step: errors first.
    ordered = sorted(report["findings"], key=lambda f: RANK[f["severity"]])
    lines = [annotation(report, f) for f in ordered]
    s = report["summary"]
    counts = ", ".join(f"{s[k]} {k}" for k in ("error", "warning", "info"))
    if s.get("suppressed"):
        counts += f", {s['suppressed']} suppressed"
    lines.append(f"exaudit: {counts}")
    return "\n".join(lines) + "\n"

"""The baseline file: findings accepted as they are, matched by fingerprint, not by line."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from exaudit import __version__
from exaudit.checks.api import Directive
from exaudit.core.errors import InputError
from exaudit.core.findings import Finding
from exaudit.core.paths import repo_path
from exaudit.review.fingerprint import VERSION

SCHEMA = "exaudit.baseline/1"


@dataclass
class Entry:
    fingerprint: str
    check: str
    line: int  # the entry's own line in the baseline file (for EXA003)
    reason: str
    message: str


class Baseline:
    """Entries by fingerprint; each one matches one finding, the rest are unused."""

    def __init__(self, path: str, entries: list[Entry]) -> None:
        self.path = path
        self.entries = {e.fingerprint: e for e in entries}
        self.used: set[str] = set()

    def take(self, fingerprint: str) -> Entry | None:
        entry = self.entries.get(fingerprint)
        if entry is None or fingerprint in self.used:
            return None
        self.used.add(fingerprint)
        return entry

    def directives(self) -> list[Directive]:
        """Each entry as a directive for the review checks (EXA003 judges the unused)."""
        return [
            Directive(
                "baseline",
                self.path,
                e.line,
                None,
                (e.check,),
                frozenset({e.check}) if fp in self.used else frozenset(),
                fp,
                message=e.message,
            )
            for fp, e in self.entries.items()
        ]


def load(path: str) -> Baseline:
    from exaudit.core.textfile import read_text

    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, exc.lineno, f"not a baseline (bad JSON: {exc.msg})") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise InputError(path, 1, f"not an exaudit baseline (expected schema {SCHEMA!r})")
    if data.get("fingerprint") != VERSION:
        raise InputError(
            path,
            1,
            f"written with fingerprint recipe {data.get('fingerprint')!r}"
            f", this exaudit uses {VERSION!r}: rewrite it with --write-baseline",
        )
    items = data.get("findings")
    if not isinstance(items, list):
        raise InputError(path, 1, "baseline has no 'findings' list")
    lines = text.splitlines()
    entries = []
    for item in items:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("fingerprint"), str)
            and isinstance(item.get("check"), str)
        ):
            raise InputError(path, None, "a baseline entry lacks 'fingerprint' or 'check'")
        fp = item["fingerprint"]
        line = next((n for n, t in enumerate(lines, 1) if fp in t), 1)
        entries.append(
            Entry(
                fp,
                item["check"],
                line,
                str(item.get("reason") or "baseline"),
                str(item.get("message", "")),
            )
        )
    return Baseline(path, entries)


def render(findings: list[tuple[Finding, str]]) -> str:
    """The baseline of these findings: one entry per line, so diffs of it read well."""
    rows = []
    for f, fp in findings:
        entry: dict[str, Any] = {
            "fingerprint": fp,
            "check": f.check,
            "firewall": f.firewall,
            "file": repo_path(f.location.file) if f.location else None,
            "line": f.location.line if f.location else None,
            "message": f.message,
        }
        rows.append("    " + json.dumps(entry, ensure_ascii=False))
    head = json.dumps(
        {
            "schema": SCHEMA,
            "fingerprint": VERSION,
            "tool": {"name": "exaudit", "version": __version__},
        }
    )[:-1]
    body = ",\n".join(rows)
    return f'{head}, "findings": [\n{body}\n]}}\n' if rows else f'{head}, "findings": []}}\n'


def write(path: str, findings: list[tuple[Finding, str]]) -> None:
    try:
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(render(findings))
    except OSError as exc:
        raise InputError(path, None, f"cannot write the baseline: {exc.strerror}") from None

"""Findings: what a check reports, in the shape of the contract's JSON report."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: error 3, warning 2, info 1."""
        return _RANK[self]


_RANK = {s: len(Severity) - i for i, s in enumerate(Severity)}
# --fail-on levels: a finding fails at or above its threshold ("never": nothing does)
FAIL_ON = {**{s.value: s.rank for s in Severity}, "never": 99}


MAX_ECHO = 500  # characters of an input line a finding may carry
MAX_MESSAGE = 2000


def bounded(text: str, limit: int) -> str:
    """``text``, or its first ``limit`` characters and how many more there were."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]} [... {len(text) - limit} more characters]"


@dataclass(frozen=True)
class Location:
    file: str
    line: int


@dataclass
class Finding:
    check: str
    name: str
    severity: Severity
    firewall: str | None
    location: Location | None
    message: str
    flow: dict[str, Any] | None = None
    fix: str | None = None
    text: str | None = None  # the rule's own text at the location, for the text report

    def __post_init__(self) -> None:
        # an input line may be megabytes (or a secret): reports echo a bounded slice of it
        self.text = bounded(self.text, MAX_ECHO) if self.text else self.text
        self.message = bounded(self.message, MAX_MESSAGE)

    def sort_key(self) -> tuple[str, str, int, str, str]:
        loc = self.location
        return (
            self.firewall or "",
            loc.file if loc else "",
            loc.line if loc else 0,
            self.check,
            self.message,
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "check": self.check,
            "name": self.name,
            "severity": self.severity.value,
            "firewall": self.firewall,
            "location": (
                {"file": self.location.file, "line": self.location.line} if self.location else None
            ),
        }
        if self.flow is not None:
            out["flow"] = self.flow
        out["message"] = self.message
        if self.fix is not None:
            out["fix"] = self.fix
        return out


def finding_from_json(data: dict[str, Any]) -> Finding:
    """The finding ``Finding.to_json`` wrote (plus its ``text``), for the result cache."""
    loc = data.get("location")
    return Finding(
        data["check"],
        data["name"],
        Severity(data["severity"]),
        data["firewall"],
        Location(loc["file"], loc["line"]) if loc else None,
        data["message"],
        data.get("flow"),
        data.get("fix"),
        data.get("text"),
    )


def fails(findings: list[Finding], fail_on: str) -> bool:
    threshold = FAIL_ON[fail_on]
    return any(f.severity.rank >= threshold for f in findings)

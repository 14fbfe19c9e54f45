"""The check contract: a frozen record per check, the scopes it runs in, their contexts."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

from exaudit.core.findings import Finding, Location, Severity
from exaudit.core.model import Origin, Ruleset


class Scope(str, Enum):
    """When a check runs, which decides the context it is given."""

    RULESET = "ruleset"  # every parsed config, in lint and in the audit
    LINT = "lint"  # every parsed config, in lint only (rule hygiene, no topology)
    # the audit of one firewall (an AuditContext holding just it): what such a check
    # finds about a firewall depends on that firewall alone, so firewalls are checked
    # apart, in parallel, and cached
    AUDIT = "audit"
    TOPOLOGY = "topology"  # the topology and its required flows, once (no firewall)
    REVIEW = "review"  # after suppressions and the baseline are applied


@dataclass(frozen=True)
class RulesetContext:
    """What a ruleset or lint check sees: one parsed config and its firewall's name."""

    ruleset: Ruleset
    firewall: str | None


@dataclass(frozen=True)
class Directive:
    """A suppression or a baseline entry, as the review checks judge it."""

    kind: str  # "inline" or "baseline"
    file: str
    line: int  # where it is written
    target: int | None  # the statement an inline suppression applies to
    selectors: tuple[str, ...]  # what it names (a baseline entry: its check)
    used: frozenset[str]  # the selectors that matched a finding
    text: str  # the directive's own text (a baseline entry: its fingerprint)
    firewall: str | None = None
    message: str = ""  # a baseline entry: the message of the finding it accepted


@dataclass(frozen=True)
class ReviewContext:
    """The directives after triage, which checks ran, and what each selector names."""

    directives: tuple[Directive, ...]
    enabled: frozenset[str]
    resolve: Callable[[str], frozenset[str] | None]


C = TypeVar("C")


@dataclass(frozen=True)
class Check(Generic[C]):
    """One check: its code and name, default severity, scope, SARIF tags and docs.

    ``doc`` is the check module's docstring: a first line ``EXAnnn name`` then the
    sections *What it does*, *Why is this bad?*, *Example* and *Use instead*.
    """

    code: str
    name: str
    severity: Severity
    scope: Scope
    tags: tuple[str, ...]
    doc: str
    run: Callable[[C], Iterable[Finding]]

    def sections(self) -> dict[str, str]:
        """The docstring as ``{section title: text}``."""
        body = textwrap.dedent(self.doc.split("\n", 1)[1] if "\n" in self.doc else "")
        out: dict[str, str] = {}
        for part in re.split(r"^## ", body, flags=re.MULTILINE)[1:]:
            title, _, text = part.partition("\n")
            out[title.strip()] = text.strip("\n").rstrip()
        return out

    @property
    def summary(self) -> str:
        """The first paragraph of *What it does*, on one line."""
        what = self.sections().get("What it does", "")
        return " ".join(what.split("\n\n", 1)[0].split())

    @property
    def anchor(self) -> str:
        """The heading anchor of this check in ``docs/checks.md``."""
        return f"{self.code} {self.name}".lower().replace(" ", "-")

    def finding(
        self,
        firewall: str | None,
        origin: Origin | None,
        message: str,
        flow: dict[str, Any] | None = None,
        fix: str | None = None,
        location: Location | None = None,
        text: str | None = None,
    ) -> Finding:
        """A finding of this check, at ``origin``'s line unless ``location`` says where."""
        if location is None and origin is not None:
            location = Location(origin.file, origin.line)
        if text is None and origin is not None:
            text = origin.text
        return Finding(
            self.code, self.name, self.severity, firewall, location, message, flow, fix, text
        )


def check(
    code: str,
    name: str,
    severity: Severity,
    scope: Scope,
    tags: Iterable[str],
    doc: str | None,
    run: Callable[[C], Iterable[Finding]],
) -> Check[C]:
    """Declare a check (``doc`` is the module's ``__doc__``, required)."""
    if not doc or not doc.startswith(f"{code} {name}"):
        raise ValueError(f"{code}: the module docstring must start with '{code} {name}'")
    return Check(code, name, severity, scope, tuple(tags), doc, run)

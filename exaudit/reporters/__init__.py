"""Reporters: every format, listed once, each a ``render(report, options) -> str``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from exaudit.report.model import AuditReport, DiffReport, LintReport, RequirementsReport
from exaudit.reporters.options import RenderOptions

ALL_KINDS = (AuditReport, LintReport, RequirementsReport, DiffReport)
FINDINGS = (AuditReport, LintReport)


@dataclass(frozen=True)
class Format:
    """A report format: its module (imported when used), what it is for, what it takes."""

    name: str
    module: str
    purpose: str
    kinds: tuple[type, ...]

    def render(self, report: Any, options: RenderOptions) -> str:
        if not isinstance(report, self.kinds):
            raise TypeError(f"the {self.name} format does not render {type(report).__name__}")
        render: Callable[[Any, RenderOptions], str] = import_module(
            f"{__name__}.{self.module}").render
        return render(report, options)


FORMATS = {f.name: f for f in (
    Format("text", "text", "a person: a summary, then findings per firewall", ALL_KINDS),
    Format("json", "json", "scripts: the contract's report", ALL_KINDS),
    Format("sarif", "sarif", "GitHub code scanning, IDEs (SARIF 2.1.0)",
           (AuditReport, LintReport, DiffReport)),
    Format("github", "github", "GitHub Actions annotations", FINDINGS),
    Format("junit", "junit", "test dashboards (JUnit XML)", FINDINGS),
    Format("gitlab", "gitlab", "GitLab Code Quality", FINDINGS),
)}


def names_for(kind: type) -> tuple[str, ...]:
    """The formats that render reports of ``kind``, in table order."""
    return tuple(name for name, f in FORMATS.items() if kind in f.kinds)

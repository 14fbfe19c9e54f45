"""Reporters: every format, listed once, each a ``render(report, options) -> str``."""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:  # the CLI reads this table at start-up: keep its imports light
    from collections.abc import Callable
    from typing import Any

    from exaudit.report.model import Report
    from exaudit.reporters.options import RenderOptions

ALL_KINDS = ("audit", "lint", "requirements", "diff")  # ``Report.KIND`` of each report
FINDINGS = ("audit", "lint")


class Format:
    """A report format: its module (imported when used), what it is for, what it takes."""

    __slots__ = ("kinds", "module", "name", "purpose")

    def __init__(self, name: str, module: str, purpose: str, kinds: tuple[str, ...]) -> None:
        self.name = name
        self.module = module
        self.purpose = purpose
        self.kinds = kinds

    def render(self, report: Report, options: RenderOptions) -> str:
        if report.KIND not in self.kinds:
            raise TypeError(f"the {self.name} format does not render {report.KIND} reports")
        render: Callable[[Any, RenderOptions], str] = import_module(
            f"{__name__}.{self.module}"
        ).render
        return render(report, options)


FORMATS = {
    f.name: f
    for f in (
        Format("text", "text", "a person: a summary, then findings per firewall", ALL_KINDS),
        Format("json", "json", "scripts: the contract's report", ALL_KINDS),
        Format(
            "sarif", "sarif", "GitHub code scanning, IDEs (SARIF 2.1.0)", ("audit", "lint", "diff")
        ),
        Format("github", "github", "GitHub Actions annotations", FINDINGS),
        Format("junit", "junit", "test dashboards (JUnit XML)", FINDINGS),
        Format("gitlab", "gitlab", "GitLab Code Quality", FINDINGS),
        Format("html", "html", "people who sign off: one self-contained page", ("audit", "diff")),
    )
}


def names_for(kind: str) -> tuple[str, ...]:
    """The formats that render reports of ``kind``, in table order."""
    return tuple(name for name, f in FORMATS.items() if kind in f.kinds)

"""Text that stays readable at scale: bounded lines, wrapping, counts, groups of findings."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from exaudit.core.findings import MAX_MESSAGE, Finding, Severity, bounded

# A config line may be megabytes long; what a person sees of it is bounded first, so that
# wrapping stays linear in what is shown (findings already hold a bounded slice of it).
MAX_SHOWN = 400


def cut(text: str, limit: int = MAX_SHOWN) -> str:
    """``text``, cut at ``limit`` characters with a marker saying how much was left out."""
    return bounded(text, limit)


def wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(
        cut(text, MAX_MESSAGE), max(20, width), break_long_words=True, break_on_hyphens=False
    ) or [""]


def shorten(text: str, width: int) -> str:
    return textwrap.shorten(cut(text, 4 * width), max(20, width), placeholder=" ...")


def plural(count: int, word: str) -> str:
    """``1 error``, ``2 errors``, ``0 errors`` (``info`` counts as ``info``/``infos``)."""
    return f"{count} {word}" + ("" if count == 1 else "s")


def severity_counts_text(findings: Iterable[Finding]) -> dict[Severity, int]:
    counts = dict.fromkeys(Severity, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts


def grouped(findings: list[Finding]) -> list[list[Finding]]:
    """Findings of one check at one line (of one firewall) together, in report order.

    A deny line that blocks forty flows is one entry of forty, not forty entries; the
    JSON report keeps every one.
    """
    groups: dict[tuple[object, ...], list[Finding]] = {}
    for f in findings:
        where = (f.location.file, f.location.line) if f.location else None
        key = (f.firewall, f.check, where) if where else (f.firewall, f.check, id(f))
        groups.setdefault(key, []).append(f)
    return list(groups.values())

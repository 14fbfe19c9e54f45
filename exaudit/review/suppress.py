"""Which findings count: check selection, inline suppressions, the baseline, unused ones.

Inline suppressions are read from the config text itself, in the comment syntax each
platform declares (``Platform.comments``), so the parsers never need to know about them:

- iptables and pf: ``# exaudit: ignore[EXA201] reason`` alone on the line before the rule
  or after it on the same line; iptables also in the rule's own comment match,
  ``-m comment --comment "exaudit: ignore[EXA201] reason"`` (it survives iptables-save);
- Cisco IOS and ASA: ``remark exaudit: ignore[EXA201] reason`` (or ``! exaudit: ...``)
  on a line before the rule; remarks and ``!`` lines in between are skipped;
- the topology (YAML): ``# exaudit: ignore[EXA402] reason``, before or on the line.

The brackets hold codes, code prefixes (``EXA2``) or names, separated by commas.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from exaudit.checks.api import Directive, ReviewContext
from exaudit.checks.runner import review_checks
from exaudit.checks.selection import checks_for
from exaudit.core.findings import Finding, Location
from exaudit.platforms.api import CommentSyntax
from exaudit.review.baseline import Baseline
from exaudit.review.fingerprint import fingerprints


@dataclass
class Suppression:
    """One ``exaudit: ignore[...]`` directive and the line it applies to."""

    file: str
    line: int  # where the directive is written
    target: int | None  # the statement it applies to (None: nothing follows)
    selectors: tuple[str, ...]
    reason: str
    text: str
    firewall: str | None = None
    used: set[str] = field(default_factory=set)


def scan_text(
    text: str, path: str, syntax: CommentSyntax, firewall: str | None = None
) -> list[Suppression]:
    """The suppressions written in one file's text, in its comment syntax."""
    lines = text.splitlines()
    out: list[Suppression] = []
    waiting: list[Suppression] = []
    for number, line in enumerate(lines, 1):
        if "exaudit:" in line.lower():
            found = _first(syntax.before, line)
            if found is not None:
                waiting.append(_suppression(found, path, number, None, line, firewall))
                continue
            found = _first(syntax.same, line)
            if found is not None:
                out.append(_suppression(found, path, number, number, line, firewall))
        if syntax.skip.match(line):
            continue
        for s in waiting:
            s.target = number
        out += waiting
        waiting = []
    return sorted(out + waiting, key=lambda s: s.line)


def _first(patterns: tuple[re.Pattern[str], ...], line: str) -> re.Match[str] | None:
    for pattern in patterns:
        m = pattern.search(line)
        if m:
            return m
    return None


def _suppression(
    m: re.Match[str], path: str, line: int, target: int | None, text: str, firewall: str | None
) -> Suppression:
    selectors = tuple(s for s in re.split(r"[,\s]+", m.group("codes")) if s)
    reason = (m.groupdict().get("reason") or "").strip()
    return Suppression(path, line, target, selectors, reason, text.strip(), firewall)


@dataclass
class Suppressed:
    finding: Finding
    fingerprint: str
    kind: str  # "inline" (SARIF inSource) or "baseline" (SARIF external)
    justification: str
    where: Location  # the directive's line or the baseline entry's line


@dataclass
class Triage:
    active: list[tuple[Finding, str]]  # each finding that counts, with its fingerprint
    suppressed: list[Suppressed]

    @property
    def findings(self) -> list[Finding]:
        return [f for f, _ in self.active]


def triage(
    findings: list[Finding],
    enabled: frozenset[str],
    suppressions: list[Suppression],
    baseline: Baseline | None = None,
) -> Triage:
    """Split findings into those that count and those suppressed; add EXA003 findings.

    Fingerprints are taken over every finding first, so selecting checks or suppressing
    some never changes the fingerprints of the others.
    """
    prints = fingerprints(findings)
    by_line: dict[tuple[str, int], list[Suppression]] = {}
    for s in suppressions:
        if s.target is not None:
            by_line.setdefault((os.path.normpath(s.file), s.target), []).append(s)
    active: list[tuple[Finding, str]] = []
    suppressed: list[Suppressed] = []
    for f, fp in zip(findings, prints, strict=False):
        if f.check not in enabled:
            continue
        hit = _inline(f, by_line)
        if hit is not None:
            suppressed.append(Suppressed(f, fp, "inline", hit.reason, Location(hit.file, hit.line)))
            continue
        entry = baseline.take(fp) if baseline is not None else None
        if baseline is not None and entry is not None:
            suppressed.append(
                Suppressed(f, fp, "baseline", entry.reason, Location(baseline.path, entry.line))
            )
            continue
        active.append((f, fp))
    directives = [_directive(s) for s in suppressions]
    if baseline is not None:
        directives += baseline.directives()
    stale = review_checks(ReviewContext(tuple(directives), enabled, checks_for))
    active += zip(stale, fingerprints(stale), strict=False)
    active.sort(key=lambda item: item[0].sort_key())
    return Triage(active, suppressed)


def _inline(f: Finding, by_line: dict[tuple[str, int], list[Suppression]]) -> Suppression | None:
    if f.location is None:
        return None
    hit = None
    for s in by_line.get((os.path.normpath(f.location.file), f.location.line), []):
        for selector in s.selectors:
            if f.check in (checks_for(selector) or ()):
                s.used.add(selector)
                hit = hit or s
    return hit


def _directive(s: Suppression) -> Directive:
    return Directive(
        "inline", s.file, s.line, s.target, s.selectors, frozenset(s.used), s.text, s.firewall
    )

"""Which findings count: check selection, inline suppressions, the baseline, unused ones.

Inline suppressions are read from the config text itself, with a small table of each
platform's comment syntax, so the parsers never need to know about them:

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
from collections.abc import Iterable
from dataclasses import dataclass, field

from exaudit import checks
from exaudit.core.errors import InputError
from exaudit.core.findings import Finding, Location
from exaudit.core.textfile import read_text
from exaudit.review.baseline import Baseline
from exaudit.review.fingerprint import fingerprints

_DIRECTIVE = r"exaudit:\s*ignore\[(?P<codes>[^\]]*)\]\s*(?P<reason>.*?)\s*$"
_QUOTED = r"exaudit:\s*ignore\[(?P<codes>[^\]]*)\]\s*(?P<reason>[^\"']*)"
_WORD = r"exaudit:ignore\[(?P<codes>[^\]\s]*)\](?=\s|$)"  # an unquoted comment is one word
_ACL_PREFIX = r"(?:(?:ipv6\s+)?access-list\s+\S+\s+(?:line\s+\d+\s+)?)?"


@dataclass(frozen=True)
class Syntax:
    """How one config language writes a suppression and which lines are not statements."""

    before: tuple[re.Pattern[str], ...]  # alone on a line: applies to the next statement
    same: tuple[re.Pattern[str], ...]  # on a statement's own line
    skip: re.Pattern[str]  # comment lines between a directive and its statement


def _re(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


_HASH = Syntax(before=_re(r"^\s*#\s*" + _DIRECTIVE),
               same=_re(r"^\s*[^\s#].*?\s#\s*" + _DIRECTIVE),
               skip=re.compile(r"^\s*(#|$)"))
_CISCO = Syntax(before=_re(r"^\s*!\s*" + _DIRECTIVE,
                           r"^\s*" + _ACL_PREFIX + r"remark\s+" + _DIRECTIVE),
                same=(),
                skip=re.compile(r"^\s*(!|" + _ACL_PREFIX + r"remark\b|$)", re.IGNORECASE))

SYNTAX: dict[str, Syntax] = {
    "iptables": Syntax(before=_HASH.before,
                       same=_re(r"--comment\s+[\"']" + _QUOTED,
                                r"--comment\s+" + _WORD) + _HASH.same,
                       skip=_HASH.skip),
    "pf": _HASH,
    "ios": _CISCO,
    "asa": _CISCO,
    "topology": _HASH,
}


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


def checks_for(selector: str) -> set[str] | None:
    """The check codes a selector means: ``ALL``, a code, a code prefix or a name."""
    token = selector.strip()
    if token.upper() == "ALL":
        return set(checks.BY_CODE)
    module = checks.get(token)
    if module is not None:
        return {module.CODE}
    prefix = token.upper()
    if re.fullmatch(r"EXA\d{0,3}", prefix):
        codes = {code for code in checks.BY_CODE if code.startswith(prefix)}
        return codes or None
    return None


def enabled_checks(select: Iterable[str], ignore: Iterable[str],
                   where: str = "--select/--ignore") -> frozenset[str]:
    """The codes ``select`` minus ``ignore`` (an empty ``select`` means all)."""
    def resolve(items: Iterable[str], what: str) -> set[str]:
        out: set[str] = set()
        for item in items:
            codes = checks_for(item)
            if codes is None:
                raise InputError(None, None, f"{where}: {what} {item!r} matches no check "
                                 f"(known: {', '.join(checks.BY_CODE)})")
            out |= codes
        return out

    chosen = resolve(select, "select") if list(select) else set(checks.BY_CODE)
    return frozenset(chosen - resolve(ignore, "ignore"))


def scan_text(text: str, path: str, platform: str,
              firewall: str | None = None) -> list[Suppression]:
    syntax = SYNTAX.get(platform)
    if syntax is None:
        return []
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


def _suppression(m: re.Match[str], path: str, line: int, target: int | None,
                 text: str, firewall: str | None) -> Suppression:
    selectors = tuple(s for s in re.split(r"[,\s]+", m.group("codes")) if s)
    reason = (m.groupdict().get("reason") or "").strip()
    return Suppression(path, line, target, selectors, reason, text.strip(), firewall)


def scan_files(files: Iterable[tuple[str, str, str | None]]) -> list[Suppression]:
    """Suppressions of each (path, platform or ``topology``, firewall name) file."""
    out: list[Suppression] = []
    for path, platform, firewall in files:
        if platform in SYNTAX:
            out += scan_text(read_text(path), path, platform, firewall)
    return out


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


def triage(findings: list[Finding], enabled: frozenset[str],
           suppressions: list[Suppression], baseline: Baseline | None = None) -> Triage:
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
    for f, fp in zip(findings, prints):
        if f.check not in enabled:
            continue
        hit = _inline(f, by_line)
        if hit is not None:
            suppressed.append(Suppressed(f, fp, "inline", hit.reason,
                                         Location(hit.file, hit.line)))
            continue
        entry = baseline.take(fp) if baseline is not None else None
        if baseline is not None and entry is not None:
            suppressed.append(Suppressed(f, fp, "baseline", entry.reason,
                                         Location(baseline.path, entry.line)))
            continue
        active.append((f, fp))
    if checks.exa003_unused_suppression.CODE in enabled:
        stale = _unused(suppressions, enabled) + (baseline.unused(enabled) if baseline else [])
        active += zip(stale, fingerprints(stale))
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


def _unused(suppressions: list[Suppression], enabled: frozenset[str]) -> list[Finding]:
    module = checks.exa003_unused_suppression
    out = []
    for s in suppressions:
        for selector in s.selectors:
            if selector in s.used:
                continue
            codes = checks_for(selector)
            if codes is None:
                message = f"suppression names {selector!r}, which is no known check"
            elif not codes <= enabled:
                continue  # a check that did not run cannot be judged
            elif s.target is None:
                message = f"suppression of {selector} is followed by no rule"
            else:
                message = (f"suppression of {selector} matches no finding on line "
                           f"{s.target}")
            out.append(Finding(module.CODE, module.NAME, module.SEVERITY, s.firewall,
                               Location(s.file, s.line), message, text=s.text))
    return out


def finding_json(f: Finding, fp: str) -> dict[str, object]:
    out = f.to_json()
    out["fingerprint"] = fp
    if f.text:
        out["text"] = f.text
    return out


def annotate(report: dict[str, object], result: Triage) -> dict[str, object]:
    """Put fingerprints, the rule text and the suppressed findings into a JSON report."""
    report["findings"] = [finding_json(f, fp) for f, fp in result.active]
    suppressed = []
    for s in result.suppressed:
        item = finding_json(s.finding, s.fingerprint)
        item["suppression"] = {"kind": s.kind, "justification": s.justification,
                               "location": {"file": s.where.file, "line": s.where.line}}
        suppressed.append(item)
    report["suppressed"] = suppressed
    summary = report.get("summary")
    if isinstance(summary, dict):
        summary["suppressed"] = len(suppressed)
    return report

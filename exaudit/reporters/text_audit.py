"""The audit as text for a person at a desk: a summary, then findings per firewall."""

from __future__ import annotations

from exaudit import checks
from exaudit.core.findings import Finding
from exaudit.report.model import AuditReport
from exaudit.reporters.options import MIN_WIDTH, RenderOptions
from exaudit.reporters.tables import tabulate
from exaudit.reporters.textlayout import (
    cut,
    grouped,
    plural,
    severity_counts_text,
    shorten,
    wrap,
)

SHOWN_IN_GROUP = 3  # a group of findings at one line shows this many of its messages
INDENT = 4


def counts_line(findings: list[Finding], options: RenderOptions) -> str:
    """``1 error, 2 warnings, 0 infos`` in the severities' colours."""
    counts = severity_counts_text(findings)
    return ", ".join(options.style(plural(n, s.value), s.value) for s, n in counts.items())


def suppressed_note(count: int) -> str:
    return (
        f"{plural(count, 'finding')} suppressed by inline comments or the baseline "
        "(--format json lists them)\n"
        if count
        else ""
    )


def checks_note(ran: frozenset[str]) -> str | None:
    """Which checks ran, when not all of them did (a quiet report must not claim more)."""
    every = list(checks.BY_CODE)
    if set(every) <= ran:
        return None
    shown = [c for c in every if c in ran]
    return (
        f"checks run (--select/--ignore): {', '.join(shown) or 'none'} "
        f"({len(shown)} of {len(every)})"
    )


def _entry(group: list[Finding], options: RenderOptions, explained: set[str]) -> list[str]:
    """One group of findings: a head line, the message wrapped, rule, fix, where to read more."""
    style = options.style
    first = group[0]
    width = max(MIN_WIDTH, options.width) - INDENT
    where = f"{first.location.file}:{first.location.line}" if first.location else "-"
    severity = first.severity.value
    lines = wrap(f"{cut(where, width)}  {first.check} {severity}  {first.name}", width + INDENT)
    lines[0] = lines[0].replace(f" {severity} ", f" {style(severity, severity)} ", 1)
    body = wrap(first.message, width)
    if len(group) > 1:
        fixes = " (each fix: --format json)" if any(f.fix for f in group[1:]) else ""
        body += wrap(
            f"+ {plural(len(group) - 1, 'more finding')} of this check at this line{fixes}:", width
        )
        body += ["  " + shorten(f.message, width - 2) for f in group[1 : 1 + SHOWN_IN_GROUP]]
        if len(group) > 1 + SHOWN_IN_GROUP:
            body.append(f"  ... ({len(group) - 1 - SHOWN_IN_GROUP} more in --format json)")
    if first.text:
        body.append("rule: " + shorten(first.text, width - 6))
    if first.fix:  # a fix is pasted as it is: never wrapped, only bounded
        body += ["fix:  " + cut(line) for line in first.fix.splitlines()]
    if first.check not in explained:
        explained.add(first.check)
        body.append(style(f"more: exaudit explain {first.check}", "dim"))
    return lines + [" " * INDENT + line for line in body]


def findings_text(
    findings: list[Finding], options: RenderOptions, owner: str = "(topology)"
) -> list[str]:
    """The findings per firewall (or file); the findings of a check at a line as one entry."""
    out: list[str] = []
    by_owner: dict[str, list[Finding]] = {}
    for f in findings:
        name = f.firewall or (f.location.file if f.location and owner == "" else owner)
        by_owner.setdefault(name or "-", []).append(f)
    explained: set[str] = set()
    for name, items in by_owner.items():
        out.append(options.style(f"== {name} ==", "bold"))
        for group in grouped(items):
            out += _entry(group, options, explained)
        out.append("")
    return out


def statistics(findings: list[Finding]) -> str:
    """Counts per check and per firewall, most frequent first (as ``ruff --statistics``)."""
    counts: dict[tuple[str, str], int] = {}
    names: dict[str, tuple[str, str]] = {}
    for f in findings:
        key = (f.check, f.firewall or (f.location.file if f.location else "(topology)"))
        counts[key] = counts.get(key, 0) + 1
        names[f.check] = (f.name, f.severity.value)
    rows = [
        [n, code, names[code][0], names[code][1], where]
        for (code, where), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return tabulate(rows, headers=["count", "check", "name", "severity", "firewall"])


def render(report: AuditReport, options: RenderOptions) -> str:
    style = options.style
    findings = report.counted
    out: list[str] = []
    width = max(MIN_WIDTH, options.width)
    if not options.quiet:
        out.append(style(f"exaudit audit of {report.topology}", "bold"))
        out += wrap(
            f"{plural(len(report.firewalls), 'firewall')}, "
            f"{plural(report.flows, 'required flow')}, "
            f"{plural(report.rules, 'rule')}: " + counts_line(findings, RenderOptions()),
            width,
        )
        if style.enabled:  # the counts in colour, once the line is laid out
            out[-1] = out[-1].replace(
                counts_line(findings, RenderOptions()), counts_line(findings, options)
            )
        note = checks_note(report.checks)
        if note:
            out += wrap(note, width)
        out.append("")
        if report.firewalls:
            out += [_firewalls(report, width), ""]
        if not findings:
            out.append(_nothing(report))
    if options.statistics:
        if findings:
            out += [statistics(findings), ""]
    else:
        out += findings_text(findings, options)
    text = "\n".join(out).rstrip()
    return (text + "\n" if text else "") + suppressed_note(len(report.suppressed))


def _firewalls(report: AuditReport, width: int) -> str:
    """A table of the firewalls, or a list when the table would not fit the width."""
    rows = [
        [fw.name, fw.platform, fw.config, fw.rules, fw.lines_unparsed, fw.crossings]
        for fw in report.firewalls
    ]
    table = tabulate(
        rows,
        headers=["firewall", "platform", "config", "rules", "not understood", "flows crossing"],
    )
    if max(len(line) for line in table.splitlines()) <= width:
        return table
    return "\n".join(
        "\n".join(
            wrap(
                f"{fw.name}: {fw.platform}, {fw.config}, {plural(fw.rules, 'rule')}, "
                f"{fw.lines_unparsed} not understood, {fw.crossings} flows crossing",
                width,
            )
        )
        for fw in report.firewalls
    )


def _nothing(report: AuditReport) -> str:
    if report.suppressed:
        return "No findings count: every one is suppressed (see below)."
    if checks_note(report.checks):
        return "No findings from the checks that ran."
    return (
        "No findings: every required flow is permitted and nothing is opened wider "
        "than Exchange needs."
    )

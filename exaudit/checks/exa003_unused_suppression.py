"""EXA003 unused-suppression

## What it does
Reports a suppression that matches no finding: an inline `exaudit: ignore[...]`
comment or Cisco `remark` with no finding of the checks it names on its line, or
naming no known check, and a baseline entry whose finding is gone.

It runs after every other check, on what the suppressions actually matched;
suppressions of checks left out by `--select`/`--ignore` are not judged.

## Why is this bad?
A stale suppression hides the next real problem on that line: once the rule is fixed
and later changed again, the comment silently swallows a new finding nobody reviewed.
A baseline entry whose finding is gone means the baseline no longer describes the
configs and should be rewritten.

## Example
    # exaudit: ignore[EXA201] legacy RPC range, ticket NET-42
    -A FORWARD -d 10.1.0.10/32 -p tcp -m multiport --dports 135,5001,5002,5003 -j ACCEPT

## Use instead
    -A FORWARD -d 10.1.0.10/32 -p tcp -m multiport --dports 135,5001,5002,5003 -j ACCEPT
(remove the comment), or rewrite the baseline with `exaudit audit --write-baseline FILE`.
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.checks.api import Directive, ReviewContext, Scope, check
from exaudit.checks.tags import MAINTAINABILITY
from exaudit.core.findings import Finding, Location, Severity


def run(ctx: ReviewContext) -> Iterator[Finding]:
    for d in ctx.directives:
        if d.kind == "baseline":
            if not d.used and d.selectors[0] in ctx.enabled:
                yield CHECK.finding(
                    None,
                    None,
                    f"baseline entry for {d.selectors[0]} "
                    f"matches no finding any more ({d.message})",
                    location=Location(d.file, d.line),
                    text=d.text,
                )
            continue
        for selector in d.selectors:
            message = _inline_message(d, selector, ctx)
            if message is not None:
                yield CHECK.finding(
                    d.firewall, None, message, location=Location(d.file, d.line), text=d.text
                )


def _inline_message(d: Directive, selector: str, ctx: ReviewContext) -> str | None:
    if selector in d.used:
        return None
    codes = ctx.resolve(selector)
    if codes is None:
        return f"suppression names {selector!r}, which is no known check"
    if not codes <= ctx.enabled:
        return None  # a check that did not run cannot be judged
    if d.target is None:
        return f"suppression of {selector} is followed by no rule"
    return f"suppression of {selector} matches no finding on line {d.target}"


CHECK = check(
    "EXA003", "unused-suppression", Severity.WARNING, Scope.REVIEW, MAINTAINABILITY, __doc__, run
)

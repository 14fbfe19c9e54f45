"""EXA501 shadowed-rule

## What it does
Reports a rule that no packet can ever match: the rules before it in the same chain or
ACL (for pf, the rules that win over it by last match or `quick`) already decide every
packet it matches. exaudit computes this exactly on sets of packets; rules with
conditions it does not model are never counted as covering another.

## Why is this bad?
A dead rule usually means the ruleset does not do what its author believes: a permit
added for a new service that an earlier deny swallows, or a cleanup rule that a broader
rule made useless. Either the rule is in the wrong place or it can go.

## Example
    -A FORWARD -p tcp --dport 993 -j DROP
    -A FORWARD -s 10.10.0.0/16 -d 10.1.0.10 -p tcp --dport 993 -j ACCEPT

## Use instead
    -A FORWARD -s 10.10.0.0/16 -d 10.1.0.10 -p tcp --dport 993 -j ACCEPT
    -A FORWARD -p tcp --dport 993 -j DROP
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.checks.api import RulesetContext, Scope, check
from exaudit.checks.tags import MAINTAINABILITY
from exaudit.core.findings import Finding, Severity
from exaudit.engine.shadow import MAX_PIECES, Shadowed, dead_lines


def run(ctx: RulesetContext) -> Iterator[Finding]:
    for dead in dead_lines(ctx.ruleset):
        yield CHECK.finding(ctx.firewall, dead.rule.origin, _message(dead))


def _message(dead: Shadowed) -> str:
    if dead.kind == "empty":
        return (
            f"this rule never matches anything in {dead.chain}: its conditions exclude each other"
        )
    if dead.kind == "undecided":
        return (
            f"exaudit could not settle whether any packet reaches this rule in {dead.chain}: "
            f"the rules before it cut it into more than {MAX_PIECES} pieces"
        )
    lines = ", ".join(str(o.line) for o in dead.by[:5])
    more = f" and {len(dead.by) - 5} more" if len(dead.by) > 5 else ""
    which = (
        f"line {lines} already decides"
        if len(dead.by) == 1
        else f"lines {lines}{more} already decide"
    )
    return f"this rule never matches a packet in {dead.chain}: {which} everything it matches"


CHECK = check(
    "EXA501", "shadowed-rule", Severity.WARNING, Scope.LINT, MAINTAINABILITY, __doc__, run
)

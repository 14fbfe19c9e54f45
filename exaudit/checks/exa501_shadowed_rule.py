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

import sys
from collections.abc import Iterator

from exaudit.checks._common import finding
from exaudit.core.findings import Finding, Severity
from exaudit.core.model import Ruleset
from exaudit.engine.shadow import dead_lines

CODE = "EXA501"
NAME = "shadowed-rule"
SEVERITY = Severity.WARNING
SCOPE = "lint"


def check_ruleset(ruleset: Ruleset, firewall: str | None) -> Iterator[Finding]:
    module = sys.modules[__name__]
    for dead in dead_lines(ruleset):
        lines = ", ".join(str(o.line) for o in dead.by[:5])
        more = f" and {len(dead.by) - 5} more" if len(dead.by) > 5 else ""
        which = f"line {lines} already decides" if len(dead.by) == 1 else \
            f"lines {lines}{more} already decide"
        yield finding(module, firewall, dead.rule.origin,
                      f"this rule never matches a packet in {dead.chain}: {which} "
                      "everything it matches")

"""EXA002 unsupported-match

## What it does
Reports rules that use a match or option exaudit does not model (for example
`-m recent`, `-m time`, pf `user`, an ASA `fqdn` object).

## Why is this bad?
exaudit keeps such a rule but cannot know which packets it matches, so every verdict the
rule could change is undetermined (EXA104) instead of a guess. The finding tells you which
answers depend on a condition only the live firewall knows.

## Example
    -A FORWARD -p tcp --dport 25 -m recent --rcheck --name spam -j DROP

## Use instead
Nothing needs to change in the firewall; confirm the affected flows by hand, or express
the condition with matches exaudit models (addresses, ports, interfaces, state).
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.checks._common import issue_findings
from exaudit.checks.api import RulesetContext, Scope, check
from exaudit.checks.tags import MAINTAINABILITY
from exaudit.core.findings import Finding, Severity


def run(ctx: RulesetContext) -> Iterator[Finding]:
    yield from issue_findings(CHECK, ctx)


CHECK = check(
    "EXA002", "unsupported-match", Severity.INFO, Scope.RULESET, MAINTAINABILITY, __doc__, run
)

"""EXA001 unparsed-line

## What it does
Reports every line of a firewall configuration that exaudit could not understand.

## Why is this bad?
A line exaudit cannot read may permit or deny anything. exaudit does not guess: every
verdict such a line could change is reported as undetermined (EXA104), so the audit is
only as complete as the parse. Fix the line or tell the exaudit developers about it.

## Example
    -A FORWARD -p tcp --dport 995 -j ACCEPT --bogus-option

## Use instead
    -A FORWARD -p tcp --dport 995 -j ACCEPT
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
    "EXA001", "unparsed-line", Severity.WARNING, Scope.RULESET, MAINTAINABILITY, __doc__, run
)

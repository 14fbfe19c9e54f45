"""EXA102 required-port-partly-blocked

## What it does
Reports a required Exchange flow that a firewall permits for some of its sources and
denies for others, listing the denied sources as CIDR blocks with the deciding line.

## Why is this bad?
Part of the users (one subnet, one branch) cannot reach the service while the rest can,
which is the hardest kind of outage to diagnose from a help desk.

## Example
    -A FORWARD -s 10.10.0.0/17 -d 10.1.0.10 -p tcp --dport 143 -j ACCEPT
    -A FORWARD -j DROP
while the clients are 10.10.0.0/16.

## Use instead
    -A FORWARD -s 10.10.0.0/16 -d 10.1.0.10 -p tcp --dport 143 -j ACCEPT
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext
from exaudit.checks._blocked import blocked
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import AVAILABILITY
from exaudit.core.findings import Finding, Severity


def run(ctx: AuditContext) -> Iterator[Finding]:
    yield from blocked(ctx, CHECK, whole=False)


CHECK = check(
    "EXA102",
    "required-port-partly-blocked",
    Severity.ERROR,
    Scope.AUDIT,
    AVAILABILITY,
    __doc__,
    run,
)

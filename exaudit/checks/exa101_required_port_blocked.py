"""EXA101 required-port-blocked

## What it does
Reports an Exchange flow the topology requires (from the port catalogue) that a firewall
on its path denies for all of its sources, naming the line that denies it.

## Why is this bad?
The service does not work across this firewall: POP3 or IMAP4 clients cannot fetch mail,
MAPI clients cannot open their mailbox, intrasite directory replication fails with error
1720 (KB 180795), or mail queues up behind a connector.

## Example
    -A FORWARD -i eth1 -o eth2 -p tcp --dport 995 -j DROP

## Use instead
    -A FORWARD -i eth1 -o eth2 -s 10.10.0.0/16 -d 10.1.0.10 -p tcp --dport 995 -j ACCEPT
(before the denying line; exaudit's `fix` gives the rule in the firewall's own syntax).
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext
from exaudit.checks._blocked import blocked
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import AVAILABILITY
from exaudit.core.findings import Finding, Severity


def run(ctx: AuditContext) -> Iterator[Finding]:
    yield from blocked(ctx, CHECK, whole=True)


CHECK = check(
    "EXA101", "required-port-blocked", Severity.ERROR, Scope.AUDIT, AVAILABILITY, __doc__, run
)

"""EXA301 missing-ssl-alternative

## What it does
Reports a plaintext port with an SSL counterpart (POP3 110 / 995, IMAP4 143 / 993,
LDAP 389 / 636) that a firewall permits towards an Exchange server on a path where the
SSL port is not permitted for the same sources.

## Why is this bad?
Clients on that path can only use the protocol in clear text: passwords (Basic
authentication) and mail cross the network readable. KB 176466 gives the SSL port for
each of these protocols.

## Example
    -A FORWARD -d 10.1.0.10 -p tcp --dport 110 -j ACCEPT
with no permit for tcp/995.

## Use instead
    -A FORWARD -d 10.1.0.10 -p tcp --dport 995 -j ACCEPT
and, once clients use it, remove the permit for 110.
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext
from exaudit.checks._ssl import plaintext_opens
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import SECURITY
from exaudit.core import addresses
from exaudit.core.findings import Finding, Severity


def run(ctx: AuditContext) -> Iterator[Finding]:
    if ctx.topology.policy.require_ssl:
        return  # EXA302 reports every plaintext permit as an error then
    for op in plaintext_opens(ctx):
        if not op.without_ssl:
            continue
        pair = op.pair
        message = (
            f"{op.by()} permits {pair.protocol.upper()} in plaintext "
            f"(tcp/{pair.plaintext}) to {', '.join(op.servers_without_ssl)} from "
            f"{addresses.describe(op.without_ssl)}, where its SSL port tcp/{pair.ssl} "
            "is not permitted"
        )
        yield CHECK.finding(op.firewall, op.origin, message)


CHECK = check(
    "EXA301", "missing-ssl-alternative", Severity.WARNING, Scope.AUDIT, SECURITY, __doc__, run
)

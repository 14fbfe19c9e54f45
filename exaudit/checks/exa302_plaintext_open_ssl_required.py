"""EXA302 plaintext-open-ssl-required

## What it does
With `policy.require_ssl: true`, reports every permit that lets a plaintext protocol with
an SSL counterpart (POP3 110, IMAP4 143, LDAP 389) reach an Exchange server.

## Why is this bad?
The organisation's policy says these protocols must be used over SSL (995, 993, 636); a
plaintext permit lets clients send passwords and mail in clear text anyway.

## Example
    -A FORWARD -d 10.1.0.10 -p tcp -m multiport --dports 110,995 -j ACCEPT

## Use instead
    -A FORWARD -d 10.1.0.10 -p tcp --dport 995 -j ACCEPT
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
    if not ctx.topology.policy.require_ssl:
        return
    for op in plaintext_opens(ctx):
        pair = op.pair
        message = (
            f"{op.by()} permits {pair.protocol.upper()} in plaintext "
            f"(tcp/{pair.plaintext}) to {', '.join(op.servers)} from "
            f"{addresses.describe(op.sources)}; policy.require_ssl asks for "
            f"tcp/{pair.ssl} only"
        )
        yield CHECK.finding(op.firewall, op.origin, message)


CHECK = check(
    "EXA302", "plaintext-open-ssl-required", Severity.ERROR, Scope.AUDIT, SECURITY, __doc__, run
)

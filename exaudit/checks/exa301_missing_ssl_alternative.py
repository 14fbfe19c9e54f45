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

import sys
from collections.abc import Iterator

from exaudit.checks._common import finding
from exaudit.checks._ssl import plaintext_opens
from exaudit.core import addresses
from exaudit.core.findings import Finding, Severity

CODE = "EXA301"
NAME = "missing-ssl-alternative"
SEVERITY = Severity.WARNING
SCOPE = "audit"


def check(ctx: object) -> Iterator[Finding]:
    if ctx.topology.policy.require_ssl:  # type: ignore[attr-defined]
        return  # EXA302 reports every plaintext permit as an error then
    module = sys.modules[__name__]
    for op in plaintext_opens(ctx):
        if not op.without_ssl:
            continue
        pair = op.pair
        message = (f"{op.by()} permits {pair.protocol.upper()} in plaintext "
                   f"(tcp/{pair.plaintext}) to {', '.join(op.servers_without_ssl)} from "
                   f"{addresses.describe(op.without_ssl)}, where its SSL port tcp/{pair.ssl} "
                   "is not permitted")
        yield finding(module, op.firewall, op.origin, message)

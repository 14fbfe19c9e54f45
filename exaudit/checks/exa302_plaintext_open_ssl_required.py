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

import sys
from collections.abc import Iterator

from exaudit import addresses
from exaudit.checks._common import finding
from exaudit.checks._ssl import plaintext_opens
from exaudit.findings import Finding, Severity

CODE = "EXA302"
NAME = "plaintext-open-ssl-required"
SEVERITY = Severity.ERROR
SCOPE = "audit"


def check(ctx: object) -> Iterator[Finding]:
    if not ctx.topology.policy.require_ssl:  # type: ignore[attr-defined]
        return
    module = sys.modules[__name__]
    for op in plaintext_opens(ctx):
        pair, ap = op.pair, op.approach
        by = f"line {op.origin.line}" if op.origin else "the default (no rule decides)"
        message = (f"{by} permits {pair.protocol.upper()} in plaintext (tcp/{pair.plaintext}) "
                   f"to {ap.server.name} ({ap.where()}) from {addresses.describe(op.sources)}"
                   f"; policy.require_ssl asks for tcp/{pair.ssl} only")
        yield finding(module, ap.fa.firewall.name, op.origin, message)

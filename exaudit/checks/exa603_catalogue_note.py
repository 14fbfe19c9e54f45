"""EXA603 catalogue-note

## What it does
Says once, as information, what a client protocol means for the version it is used
with when the catalogue attaches a note to it: `mapi` on Exchange 2013 and later means
tcp/443 (MAPI over HTTP, Outlook Anywhere), not 135 and the dynamic RPC range.

## Why is this bad?
It is not: a protocol that kept its name across versions changed its ports, and the
ports to open differ from what a 5.5 or 2003 habit expects. Outlook cannot use RPC over
TCP against Exchange 2013 or later (Get-ClientAccessArray).

## Example
    clients:
      - {from: lan, to: [ex19], protocols: [mapi]}

## Use instead
    clients:
      - {from: lan, to: [ex19], protocols: [https]}
says the same without the note (443 carries MAPI over HTTP and Outlook Anywhere).
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import MAINTAINABILITY
from exaudit.core.findings import Finding, Location, Severity


def run(ctx: AuditContext) -> Iterator[Finding]:
    topo = ctx.topology
    said: set[tuple[str, str]] = set()
    for client in topo.clients:
        for name in client.to:
            server = topo.servers[name]
            for protocol in client.protocols:
                proto = server.catalogue.client_protocols[protocol]
                key = (server.catalogue.path, protocol)
                if not proto.note or key in said:
                    continue
                said.add(key)
                message = f"{protocol} on Exchange {server.exchange}: {proto.note}"
                if proto.note_source:
                    message += f" ({proto.note_source})"
                yield CHECK.finding(None, None, message, location=Location(topo.path, client.line))


CHECK = check(
    "EXA603", "catalogue-note", Severity.INFO, Scope.TOPOLOGY, MAINTAINABILITY, __doc__, run
)

"""EXA401 rfc1006-port-mismatch

## What it does
Reports an X.400 connector whose servers declare different RFC1006 ports
(`rfc1006_port`, default 102).

## Why is this bad?
KB 161931 and KB 176466: if the RFC1006 port is changed on one server, every server
communicating over the X.400 connector must use the same port; MTAs with different ports
cannot open associations and mail between the sites stops.

## Example
    ex-hq-1: {address: 10.1.0.10, site: HQ, rfc1006_port: 102}
    ex-br-1: {address: 10.2.0.10, site: BRANCH, rfc1006_port: 1102}

## Use instead
The same "RFC1006 Port Number" registry value on every MTA of the connector.
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import RELIABILITY
from exaudit.core.findings import Finding, Location, Severity


def run(ctx: AuditContext) -> Iterator[Finding]:
    topo = ctx.topology
    for conn in topo.connectors:
        if conn.type != "x400":
            continue
        ports: dict[int, list[str]] = {}
        for name in conn.servers:
            ports.setdefault(topo.servers[name].rfc1006_port, []).append(name)
        if len(ports) > 1:
            detail = "; ".join(
                f"{port}: {', '.join(names)}" for port, names in sorted(ports.items())
            )
            message = (
                f"the X.400 connector between {conn.sites[0]} and {conn.sites[1]} "
                f"has servers on different RFC1006 ports ({detail}); all MTAs on "
                "it must use the same port (KB 161931)"
            )
            yield CHECK.finding(None, None, message, location=Location(topo.path, conn.line))


CHECK = check(
    "EXA401", "rfc1006-port-mismatch", Severity.ERROR, Scope.TOPOLOGY, RELIABILITY, __doc__, run
)

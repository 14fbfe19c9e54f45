"""EXA404 pinned-port-collision

## What it does
Reports an Exchange 2000/2003 server whose pinned RPC ports (`rpc_ports`: the store,
RFR and NSPI interfaces) give two services the same port.

## Why is this bad?
KB 270836: each static port must be distinct and unused. Two services cannot listen on
one port; the second fails to register with the endpoint mapper, and MAPI clients lose
the store or the address book.

## Example
    rpc_ports: {information_store: 5100, rfr: 5100, nspi: 5102}

## Use instead
    rpc_ports: {information_store: 5100, rfr: 5101, nspi: 5102}
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import RELIABILITY
from exaudit.core.findings import Finding, Location, Severity


def run(ctx: AuditContext) -> Iterator[Finding]:
    topo = ctx.topology
    for server in topo.servers.values():
        source = server.catalogue.distinct_ports
        if source is None:
            continue
        by_port: dict[int, list[str]] = {}
        for service, port in server.rpc_ports.items():
            by_port.setdefault(port, []).append(service)
        shared = {p: s for p, s in by_port.items() if len(s) > 1}
        if not shared:
            continue
        detail = "; ".join(f"{p}: {', '.join(sorted(s))}" for p, s in sorted(shared.items()))
        message = (
            f"server {server.name} pins several RPC services on one port ({detail}); "
            f"each must be distinct ({source})"
        )
        line = server.rpc_line or server.line
        yield CHECK.finding(None, None, message, location=Location(topo.path, line))


CHECK = check(
    "EXA404", "pinned-port-collision", Severity.ERROR, Scope.TOPOLOGY, RELIABILITY, __doc__, run
)

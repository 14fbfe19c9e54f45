"""EXA402 risky-static-rpc-port

## What it does
Reports a static RPC port (`rpc_ports`) inside the Windows NT client port pool
1024-5000.

## Why is this bad?
Windows hands out client (outgoing) ports from 1024 to 5000. A service statically
assigned a port in that pool can find it already taken when it starts, and then fails
to register with the endpoint mapper: directory replication fails with error 1720
(KB 180795, KB 148732). KB 155831 recommends ports from 5000 up.

## Example
    rpc_ports: {directory: 1600, information_store: 1601, mta: 1602}

## Use instead
    rpc_ports: {directory: 5001, information_store: 5002, mta: 5003}
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import RELIABILITY
from exaudit.core.findings import Finding, Location, Severity

NT_POOL = (1024, 5000)  # Windows NT/2000/2003 (KB 194952, MaxUserPort)


def run(ctx: AuditContext) -> Iterator[Finding]:
    topo = ctx.topology
    for server in topo.servers.values():
        # the pool of the server's Windows generation (5.5: the NT pool of its catalogue)
        lo, hi = server.client_pool
        risky = {s: p for s, p in server.rpc_ports.items() if lo <= p <= hi}
        if not risky:
            continue
        listed = ", ".join(f"{s} {p}" for s, p in sorted(risky.items()))
        advice = (
            "use ports above 5000 (KB 155831)"
            if (lo, hi) == NT_POOL
            else f"use ports outside {lo}-{hi} (KB 929851)"
        )
        message = (
            f"server {server.name} has static RPC ports inside the client port pool "
            f"{lo}-{hi} ({listed}); they can collide with client sockets "
            f"(KB 180795, KB 148732); {advice}"
        )
        line = server.rpc_line or server.line
        yield CHECK.finding(None, None, message, location=Location(topo.path, line))


CHECK = check(
    "EXA402", "risky-static-rpc-port", Severity.WARNING, Scope.TOPOLOGY, RELIABILITY, __doc__, run
)

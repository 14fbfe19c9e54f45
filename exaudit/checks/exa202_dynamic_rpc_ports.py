"""EXA202 dynamic-rpc-ports

## What it does
Reports an Exchange server that MAPI clients, intrasite partners or a site connector
reach over RPC, but that declares no static port (`rpc_ports`) for a service they need:
the directory, the information store or the MTA.

## Why is this bad?
Without static allocation the RPC endpoint mapper hands out any port >= 1024, so every
firewall on the way must open the whole ephemeral range to the server: the "roadblock"
KB 176466 describes.

## Example
    servers:
      ex-br-1: {address: 10.2.0.10, site: BRANCH}

## Use instead
Fix the ports in the registry (KB 155831 for the directory and information store,
KB 161931 for the MTA), declare them, and open only 135 plus those ports:

    servers:
      ex-br-1:
        address: 10.2.0.10
        site: BRANCH
        rpc_ports: {directory: 5000, information_store: 5001, mta: 5002}
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import SECURITY
from exaudit.core.findings import Finding, Location, Severity


def run(ctx: AuditContext) -> Iterator[Finding]:
    topo = ctx.topology
    needed: dict[str, dict[str, set[str]]] = {}
    for flow in ctx.flows:
        kind = flow.port_kind
        if flow.dynamic and kind is not None and kind.unpinned == "EXA202":
            needed.setdefault(flow.dst.name, {}).setdefault(kind.key, set()).add(flow.kind)
    for name, services in sorted(needed.items()):
        server = topo.servers[name]
        kinds = sorted({k for ks in services.values() for k in ks})
        registry = server.catalogue.registry or topo.catalogue.registry
        fixes = "; ".join(registry.get(s, s) for s in sorted(services))
        lo, hi = server.ephemeral
        message = (
            f"server {name} declares no static RPC port for "
            f"{', '.join(sorted(services))} ({', '.join(kinds)} flows), so firewalls "
            f"must open tcp/{lo}-{hi} to it; set {fixes}, then declare rpc_ports"
        )
        yield CHECK.finding(None, None, message, location=Location(topo.path, server.line))


CHECK = check(
    "EXA202", "dynamic-rpc-ports", Severity.WARNING, Scope.TOPOLOGY, SECURITY, __doc__, run
)

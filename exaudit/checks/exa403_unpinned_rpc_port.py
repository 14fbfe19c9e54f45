"""EXA403 unpinned-rpc-port

## What it does
Reports an Exchange 2000/2003 back-end server, or a domain controller, that MAPI clients
or servers reach across a firewall over RPC while the port of the service they need is
not pinned: the store, the System Attendant's RFR interface or DSProxy's NSPI interface
on the server (`rpc_ports: {information_store, rfr, nspi}`), the logon/replication or
NSPI interface on the domain controller (`rpc_ports: {ntds, nspi}`). The 2003 analogue
of EXA202, reported per firewall that sits on such a path.

## Why is this bad?
Without a static port the endpoint mapper hands out any dynamic port, so this firewall
must open the whole dynamic range (1024-65535 on Windows 2000/2003, 49152-65535 on
Windows Server 2008 and later, KB 929851) towards the server. KB 270836 gives the
registry value that pins each one.

## Example
    servers:
      ex-be-1: {address: 10.1.0.20, site: HQ, exchange: "2003"}
with MAPI clients behind a firewall.

## Use instead
    servers:
      ex-be-1:
        address: 10.1.0.20
        site: HQ
        exchange: "2003"
        rpc_ports: {information_store: 5100, rfr: 5101, nspi: 5102}
with the values set in the registry (KB 270836) and only 135 and those ports opened.
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import SECURITY
from exaudit.core.findings import Finding, Location, Severity
from exaudit.exchange.catalogue import PortKind


def run(ctx: AuditContext) -> Iterator[Finding]:
    topo = ctx.topology
    for fa in ctx.firewalls:
        needed: dict[str, dict[str, tuple[PortKind, set[str], str]]] = {}
        for cr in fa.results:
            flow = cr.crossing.flow
            kind = flow.port_kind
            if not flow.dynamic or kind is None or kind.unpinned != CHECK.code:
                continue
            services = needed.setdefault(flow.dst.name, {})
            _, sources, label = services.get(kind.key, (kind, set(), flow.port_label))
            services[kind.key] = (kind, sources | {flow.src_label}, label)
        for name, services in sorted(needed.items()):
            host = topo.host(name)
            what = "domain controller" if host.domain_controller else "server"
            for key, (kind, sources, label) in sorted(services.items()):
                message = (
                    f"{what} {name} has no static port for {key} (rpc_ports.{key}), which "
                    f"{', '.join(sorted(sources))} reach across {fa.firewall.name}: it must "
                    f"open tcp/{label}; set {kind.registry}, then declare rpc_ports.{key}"
                )
                yield CHECK.finding(
                    fa.firewall.name, None, message, location=Location(topo.path, host.line)
                )


CHECK = check("EXA403", "unpinned-rpc-port", Severity.WARNING, Scope.AUDIT, SECURITY, __doc__, run)

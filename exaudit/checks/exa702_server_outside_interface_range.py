"""EXA702 server-outside-interface-range

## What it does
Reports an Exchange server the topology places behind a firewall interface whose address
blocks, as the firewall's config states them (`ip address A MASK` on Cisco IOS and ASA),
do not contain the server's address. Reported at the topology's line for the interface.
Configs that state no interface address (iptables, pf) are not checked.

## Why is this bad?
A server outside the interface's subnet is either behind a router beyond that interface,
which is fine and worth knowing, or listed under the wrong interface: then every flow to
it is evaluated against the wrong ACLs, and the audit's verdicts are about a path the
packets never take.

## Example
    interface GigabitEthernet0/2
     ip address 10.9.0.1 255.255.255.0
with `GigabitEthernet0/2: [ex1]` in the topology and ex1 at 10.1.0.10.

## Use instead
List the server under the interface whose subnet holds it, or, if a router sits between,
keep it and ignore this note for that line.
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import RELIABILITY
from exaudit.core import addresses
from exaudit.core.findings import Finding, Location, Severity
from exaudit.core.intervals import IntervalSet
from exaudit.exchange.flows import servers_behind


def run(ctx: AuditContext) -> Iterator[Finding]:
    for fa in ctx.firewalls:
        fw = fa.firewall
        given = fa.ruleset.interface_networks
        if not given or fw.interfaces is None:
            continue
        for server, iface in servers_behind(ctx.topology, fw):
            nets = fa.ruleset.networks_of(iface or "")
            if not nets:
                continue
            inside = IntervalSet()
            for n in nets:
                inside = inside | n.network
            if server.address.issubset(inside):
                continue
            stated = ", ".join(
                f"{addresses.describe(n.network)} at {n.origin.file}:{n.origin.line}" for n in nets
            )
            message = (
                f"{server.name} ({server.address_text}) is listed behind {iface} of firewall "
                f"{fw.name}, whose configured addresses ({stated}) do not contain it: right "
                "only if a router sits beyond the interface; otherwise the flows to it are "
                "audited on the wrong path"
            )
            line = fw.interface_lines.get(iface or "", fw.line)
            yield CHECK.finding(fw.name, None, message, location=Location(ctx.topology.path, line))


CHECK = check(
    "EXA702",
    "server-outside-interface-range",
    Severity.INFO,
    Scope.AUDIT,
    RELIABILITY,
    __doc__,
    run,
)

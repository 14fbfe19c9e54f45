"""Questions about what a firewall opens towards each Exchange server, for EXA2xx/EXA3xx."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from exaudit.audit import NEW, AuditContext, FirewallAudit
from exaudit.engine import Part, Question
from exaudit.flows import everything_but, interface_map, servers_behind
from exaudit.intervals import IntervalSet
from exaudit.model import SYN, TCP
from exaudit.topology import Server


@dataclass(frozen=True)
class Approach:
    """Packets towards one server through one firewall: from where, by which interfaces."""

    fa: FirewallAudit
    server: Server
    src: IntervalSet
    in_iface: str | None
    out_iface: str | None
    local: str | None

    def ask(self, ports: IntervalSet) -> list[Part]:
        q = Question(proto=IntervalSet.point(TCP), src=self.src, dst=self.server.address,
                     dport=ports, flags=SYN, state=NEW, in_iface=self.in_iface,
                     out_iface=self.out_iface)
        return self.fa.ask(q, self.local).parts


def approaches(ctx: AuditContext) -> Iterator[Approach]:
    """Every (firewall, server, ingress interface) by which new connections reach a server."""
    for fa in ctx.firewalls:
        fw = fa.firewall
        for server, out_iface in servers_behind(ctx.topology, fw):
            if out_iface is None:
                yield Approach(fa, server, everything_but(server.address), None, None,
                               "input")
                continue
            assert fw.interfaces is not None
            imap = interface_map(fw)
            for in_iface in fw.interfaces:
                if in_iface == out_iface:
                    continue
                src = imap.owned[in_iface] - server.address
                if src:
                    yield Approach(fa, server, src, in_iface, out_iface, None)

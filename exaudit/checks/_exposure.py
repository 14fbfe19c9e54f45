"""Questions about what a firewall opens towards each Exchange server, for EXA2xx/EXA3xx."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from exaudit.analysis.context import AuditContext, FirewallAudit
from exaudit.analysis.crossings import NEW
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import SYN, TCP
from exaudit.engine.evaluate import Part, Question
from exaudit.exchange.flows import everything_but, interface_map, servers_behind
from exaudit.exchange.topology import Server


@dataclass(frozen=True)
class Approach:
    """Packets towards one server through one firewall: from where, by which interfaces."""

    fa: FirewallAudit
    server: Server
    src: IntervalSet
    in_iface: str | None
    out_iface: str | None
    local: str | None
    # every server behind the same egress: one question covers them all
    neighbours: IntervalSet

    def ask(self, ports: IntervalSet) -> list[Part]:
        key = (
            "approach",
            self.in_iface,
            self.out_iface,
            self.local,
            ports,
            self.src,
            self.neighbours,
        )
        result = self.fa.memo.get(key)
        if result is None:
            q = Question(
                proto=IntervalSet.point(TCP),
                src=self.src,
                dst=self.neighbours,
                dport=ports,
                flags=SYN,
                state=NEW,
                in_iface=self.in_iface,
                out_iface=self.out_iface,
            )
            result = self.fa.ask(q, self.local)
            self.fa.memo[key] = result
        return result.restricted("dst", self.server.address).parts


def approaches(ctx: AuditContext) -> Iterator[Approach]:
    """Every (firewall, server, ingress interface) by which new connections reach a server."""
    for fa in ctx.firewalls:
        fw = fa.firewall
        behind = servers_behind(ctx.topology, fw)
        by_egress: dict[str | None, IntervalSet] = {}
        for server, out_iface in behind:
            by_egress[out_iface] = by_egress.get(out_iface, IntervalSet()) | server.address
        for server, out_iface in behind:
            if out_iface is None:
                yield Approach(
                    fa, server, everything_but(server.address), None, None, "input", server.address
                )
                continue
            assert fw.interfaces is not None
            imap = interface_map(fw)
            for in_iface in fw.interfaces:
                if in_iface == out_iface:
                    continue
                # the addresses behind another interface never include this server
                src = imap.owned[in_iface]
                if src:
                    yield Approach(fa, server, src, in_iface, out_iface, None, by_egress[out_iface])

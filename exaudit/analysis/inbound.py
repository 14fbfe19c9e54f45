"""New connections towards each Exchange server through one firewall, one side at a time."""

from __future__ import annotations

from dataclasses import dataclass

from exaudit.analysis.context import FirewallAudit
from exaudit.analysis.crossings import NEW
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import PORTS, PROTOCOLS, SYN, Stage
from exaudit.engine.evaluate import Question, Result
from exaudit.exchange.flows import everything_but, interface_map, servers_behind
from exaudit.exchange.topology import Server, Topology


@dataclass(frozen=True)
class Inbound:
    """Packets towards one server through one firewall: from where, by which interfaces."""

    fa: FirewallAudit
    server: Server
    src: IntervalSet  # every address behind the ingress interface (or every other address)
    in_iface: str | None
    out_iface: str | None
    local: str | None

    @property
    def region(self) -> str:
        """The source side in words: the ingress interface and the names behind it."""
        if self.local:
            return "anywhere"
        assert self.fa.firewall.interfaces is not None and self.in_iface is not None
        names = [r.label for r in self.fa.firewall.interfaces[self.in_iface]]
        return f"{self.in_iface} ({', '.join(names)})" if names else self.in_iface

    def question(self, proto: IntervalSet, ports: IntervalSet) -> Question:
        # SYN only means something to TCP; rules that test flags are TCP rules, so other
        # protocols are unaffected by it
        return Question(
            proto=proto,
            src=self.src,
            dst=self.server.address,
            dport=ports,
            flags=SYN,
            state=NEW,
            in_iface=self.in_iface,
            out_iface=self.out_iface,
        )

    def stages(self) -> list[Stage]:
        return self.fa.stages(in_iface=self.in_iface, out_iface=self.out_iface, local=self.local)

    def ask(self, proto: IntervalSet = PROTOCOLS, ports: IntervalSet | None = None) -> Result:
        """Every new connection of ``proto`` to ``ports`` (all) towards this server."""
        wanted = PORTS if ports is None else ports
        return self.answer(("inbound", proto, wanted), self.stages(), proto, wanted)

    def answer(
        self, what: tuple[object, ...], stages: list[Stage], proto: IntervalSet, ports: IntervalSet
    ) -> Result:
        """The answer of ``stages`` for this side and server, asked once.

        One question per server, not one for every server behind the egress: the rule
        index then finds the few rules that name this server, where one wide question is
        cut into a piece per server that walks every rule (servers times rules).
        """
        key = (*what, self.in_iface, self.out_iface, self.local, self.src, self.server.name)
        result = self.fa.memo.get(key)
        if result is None:
            result = self.fa.evaluator.evaluate(stages, self.question(proto, ports))
            self.fa.memo[key] = result
        return result


def inbound(topo: Topology, fa: FirewallAudit) -> list[Inbound]:
    """Every (server, ingress interface) by which new connections reach a server here."""
    fw = fa.firewall
    behind = servers_behind(topo, fw)
    out: list[Inbound] = []
    for server, out_iface in behind:
        if out_iface is None:
            rest = everything_but(server.address)
            out.append(Inbound(fa, server, rest, None, None, "input"))
            continue
        assert fw.interfaces is not None
        imap = interface_map(fw)
        for in_iface in fw.interfaces:
            # the addresses behind another interface never include this server
            src = imap.owned[in_iface]
            if in_iface != out_iface and src:
                out.append(Inbound(fa, server, src, in_iface, out_iface, None))
    return out

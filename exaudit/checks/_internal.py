"""What a firewall does to the paths Microsoft does not support filtering, for EXA601.

The paths are every pair of internal 2013+ servers and every such server with every DC,
both ways: quadratic in the servers. Pairs that meet the firewall by the same interfaces
are asked as one question (the union of their sources to the union of their
destinations), so the cost follows the interfaces and the rules, not the pairs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from exaudit.analysis.context import AuditContext, FirewallAudit
from exaudit.analysis.crossings import NEW
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import FLAGS, SYN, TCP, UDP, Origin
from exaudit.engine.evaluate import Part, Question
from exaudit.exchange.catalogue import Requirement
from exaudit.exchange.flows import Flow, crossings
from exaudit.exchange.flows_more import internal_servers
from exaudit.exchange.topology import Server, Topology

ALL_PORTS = IntervalSet.span(1, 65535)
_ANY = Requirement("internal-any", 0, "any internal traffic", "EXNP_2016")


@dataclass
class PathGroup:
    """Unrestricted paths meeting one firewall by one way, and the verdicts on them."""

    sources: list[Server]
    destinations: list[Server]
    where: str
    parts: list[tuple[str, Part]]  # (protocol name, part)

    def restrictions(self) -> Iterator[tuple[Origin | None, str, str, str, str]]:
        """(line, deny|undetermined, protocols, from, to) per line that is not a permit."""
        found: dict[tuple[Origin | None, str], tuple[set[str], IntervalSet, IntervalSet]] = {}
        for proto, part in self.parts:
            if part.verdict == "permit":
                continue
            key = (part.decided_by, part.verdict)
            protos, src, dst = found.get(key, (set(), IntervalSet(), IntervalSet()))
            found[key] = (protos | {proto}, src | part.src, dst | part.dim("dst"))
        for (origin, verdict), (protos, src, dst) in sorted(
            found.items(), key=lambda kv: (kv[0][0] is None, kv[0][0].line if kv[0][0] else 0)
        ):
            yield (
                origin,
                verdict,
                " and ".join(sorted(protos)),
                _names(self.sources, src),
                _names(self.destinations, dst),
            )


def _names(hosts: list[Server], addrs: IntervalSet) -> str:
    return ", ".join(sorted(h.name for h in hosts if h.address.intersects(addrs)))


def _flows(topo: Topology) -> list[tuple[str, Flow]]:
    """One flow per (kind of pair, destination), its sources the union of its peers."""
    inside = internal_servers(topo)
    dcs = list(topo.domain_controllers.values())
    with_dcs = [
        s
        for s in inside
        if s.catalogue.unrestricted and s.catalogue.unrestricted.domain_controllers
    ]
    out: list[tuple[str, Flow]] = []
    for kind, srcs, dsts in (
        ("servers", inside, inside),
        ("to-dc", with_dcs, dcs),
        ("from-dc", dcs, with_dcs),
    ):
        if not srcs:
            continue
        every = IntervalSet()
        for s in srcs:
            every = every | s.address
        for b in dsts:
            src = every - b.address
            if src:
                out.append(
                    (kind, Flow(_ANY, "internal", src, kind, None, b, ALL_PORTS, False, b.line))
                )
    return out


def path_groups(ctx: AuditContext) -> Iterator[tuple[FirewallAudit, PathGroup]]:
    """Each firewall's verdicts on the unrestricted paths it sits on (TCP and UDP)."""
    topo = ctx.topology
    flows = _flows(topo)
    if not flows:
        return
    inside = internal_servers(topo)
    dcs = list(topo.domain_controllers.values())
    kinds = {id(f): k for k, f in flows}
    for fa in ctx.firewalls:
        groups: dict[
            tuple[str, str | None, str | None, str | None],
            tuple[IntervalSet, IntervalSet, list[Server]],
        ] = {}
        for c in crossings(topo, [f for _, f in flows], fa.firewall):
            key = (kinds[id(c.flow)], c.in_iface, c.out_iface, c.local)
            src, dst, hosts = groups.get(key, (IntervalSet(), IntervalSet(), []))
            groups[key] = (src | c.src, dst | c.flow.dst.address, [*hosts, c.flow.dst])
        for (kind, in_iface, out_iface, local), (src, dst, hosts) in groups.items():
            parts: list[tuple[str, Part]] = []
            for name, proto in (("tcp", TCP), ("udp", UDP)):
                q = Question(
                    proto=IntervalSet.point(proto),
                    src=src,
                    dst=dst,
                    dport=ALL_PORTS,
                    flags=SYN if proto == TCP else FLAGS,
                    state=NEW,
                    in_iface=in_iface,
                    out_iface=out_iface,
                )
                parts += [(name, p) for p in fa.ask(q, local).parts]
            where = str(local).upper() if local else f"in {in_iface}, out {out_iface}"
            sources = dcs if kind == "from-dc" else inside
            yield fa, PathGroup(sources, hosts, where, parts)

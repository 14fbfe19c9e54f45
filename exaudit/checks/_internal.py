"""What a firewall does to the paths Microsoft does not support filtering, for EXA601.

The paths are every pair of internal 2013+ servers and every such server with every DC,
both ways: quadratic in the servers. Pairs that meet the firewall by the same interfaces
are asked as one question (the union of their sources to the union of their
destinations), so the cost follows the hosts, the interfaces and the rules, not the pairs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from exaudit.analysis.context import AuditContext, FirewallAudit
from exaudit.analysis.crossings import NEW
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import FLAGS, SYN, TCP, UDP, Origin
from exaudit.engine.evaluate import Part, Question
from exaudit.exchange.flows import interface_map
from exaudit.exchange.flows_more import HostIndex, internal_servers, union_of
from exaudit.exchange.topology import Server, Topology

ALL_PORTS = IntervalSet.span(1, 65535)


@dataclass
class PathGroup:
    """Unrestricted paths meeting one firewall by one way, and the verdicts on them."""

    sources: list[Server]
    destinations: list[Server]
    where: str
    parts: list[tuple[str, Part]]  # (protocol name, part)

    def restrictions(self) -> Iterator[tuple[Origin | None, str, str, str, str]]:
        """(line, deny|undetermined, protocols, from, to) per line that is not a permit."""
        found: dict[tuple[Origin | None, str], list[tuple[str, Part]]] = {}
        for proto, part in self.parts:
            if part.verdict != "permit":
                found.setdefault((part.decided_by, part.verdict), []).append((proto, part))
        sources, destinations = HostIndex(self.sources), HostIndex(self.destinations)
        for (origin, verdict), parts in sorted(
            found.items(), key=lambda kv: (kv[0][0] is None, kv[0][0].line if kv[0][0] else 0)
        ):
            src = union_of(p.src for _, p in parts)
            dst = union_of(p.dim("dst") for _, p in parts)
            yield (
                origin,
                verdict,
                " and ".join(sorted({proto for proto, _ in parts})),
                ", ".join(sorted(set(sources.within(src)))),
                ", ".join(sorted(set(destinations.within(dst)))),
            )


def _kinds(topo: Topology) -> list[tuple[str, list[Server], list[Server]]]:
    """The kinds of unrestricted pair: every two internal servers, servers to DCs, back."""
    inside = internal_servers(topo)
    dcs = list(topo.domain_controllers.values())
    with_dcs = [
        s
        for s in inside
        if s.catalogue.unrestricted and s.catalogue.unrestricted.domain_controllers
    ]
    kinds = [("servers", inside, inside), ("to-dc", with_dcs, dcs), ("from-dc", dcs, with_dcs)]
    return [(k, a, b) for k, a, b in kinds if a and b]


def _union(hosts: list[Server]) -> IntervalSet:
    return union_of(h.address for h in hosts)


Way = tuple[str | None, str | None, str | None]  # in interface, out interface, local


def _ways(
    fa: FirewallAudit, srcs: list[Server], dsts: list[Server]
) -> Iterator[tuple[Way, list[Server], list[Server]]]:
    """The ways pairs of ``srcs`` x ``dsts`` meet the firewall, each with its hosts."""
    fw = fa.firewall
    if fw.host is not None:
        host = [h for h in dsts if h.name == fw.host]
        if host:
            yield (None, None, "input"), [h for h in srcs if h is not host[0]], host
        host = [h for h in srcs if h.name == fw.host]
        if host:
            yield (None, None, "output"), host, [h for h in dsts if h is not host[0]]
        return
    imap = interface_map(fw)

    def behind(hosts: list[Server]) -> dict[str, list[Server]]:
        # one address each: a name listed under an interface, else the interface owning it
        out: dict[str, list[Server]] = {}
        for h in hosts:
            iface = imap.by_name.get(h.name)
            if iface is None:
                point = h.address.min()
                iface = next((i for i, owned in imap.owned.items() if point in owned), None)
            if iface is not None:
                out.setdefault(iface, []).append(h)
        return out

    ins, outs = behind(srcs), behind(dsts)
    for i, a in sorted(ins.items()):
        for o, b in sorted(outs.items()):
            if i != o:
                yield (i, o, None), a, b


def path_groups(ctx: AuditContext) -> Iterator[tuple[FirewallAudit, PathGroup]]:
    """Each firewall's verdicts on the unrestricted paths it sits on (TCP and UDP)."""
    kinds = _kinds(ctx.topology)
    for fa in ctx.firewalls:
        for _kind, srcs, dsts in kinds:
            for (in_iface, out_iface, local), a, b in _ways(fa, srcs, dsts):
                if not a or not b:
                    continue
                parts: list[tuple[str, Part]] = []
                for name, proto in (("tcp", TCP), ("udp", UDP)):
                    q = Question(
                        proto=IntervalSet.point(proto),
                        src=_union(a),
                        dst=_union(b),
                        dport=ALL_PORTS,
                        flags=SYN if proto == TCP else FLAGS,
                        state=NEW,
                        in_iface=in_iface,
                        out_iface=out_iface,
                    )
                    parts += [(name, p) for p in fa.ask(q, local).parts]
                where = local.upper() if local else f"in {in_iface}, out {out_iface}"
                yield fa, PathGroup(a, b, where, parts)

"""Flows grown for Exchange 2000 and later: roles, domain controllers, mixed versions."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from exaudit.core.intervals import IntervalSet
from exaudit.exchange.catalogue import (
    DOMAIN_CONTROLLERS,
    LEGACY_PORT_KINDS,
    Catalogue,
    PortKind,
    Requirement,
)
from exaudit.exchange.topology import Server, Topology
from exaudit.exchange.topology_more import governing

# add(requirement, rules, kind, source server, destination, topology line)
AddServerFlow = Callable[[Requirement, Catalogue, str, Server, Server, int], None]


@dataclass(frozen=True)
class Bound:
    """A requirement's port bound on one destination."""

    ports: IntervalSet
    dynamic: bool
    kind: PortKind | None


def bind(req: Requirement, dst: Server, rules: Catalogue) -> Bound:
    """The port(s) ``req`` needs on ``dst`` under ``rules``: a number, pinned, or dynamic."""
    if isinstance(req.port, int):
        return Bound(IntervalSet.point(req.port), False, None)
    kind = rules.port_kinds.get(req.port) or LEGACY_PORT_KINDS[req.port]
    if kind.field == "rfc1006_port":
        return Bound(IntervalSet.point(dst.rfc1006_port), False, kind)
    pinned = dst.rpc_ports.get(kind.key)
    if pinned is not None:
        return Bound(IntervalSet.point(pinned), False, kind)
    if kind.default is not None:
        return Bound(IntervalSet.point(kind.default), False, kind)
    return Bound(IntervalSet.span(*dynamic_range(dst, rules)), True, kind)


def dynamic_range(dst: Server, rules: Catalogue) -> tuple[int, int]:
    """The dynamic RPC range of a server, or of a DC under the rules' default Windows."""
    if not dst.domain_controller:
        return dst.ephemeral
    assert rules.windows is not None  # a catalogue with DC flows chooses by Windows
    return rules.windows.dynamic.get(dst.os or rules.windows.default, rules.ephemeral)


def dcs_of(topo: Topology, server: Server) -> list[Server]:
    """The domain controllers of the server's site, or every one when its site has none."""
    same = [dc for dc in topo.domain_controllers.values() if dc.site == server.site]
    return same or list(topo.domain_controllers.values())


def served(topo: Topology) -> dict[str, set[str]]:
    """The client protocols each server serves (from ``clients:``)."""
    out: dict[str, set[str]] = {}
    for client in topo.clients:
        for name in client.to:
            out.setdefault(name, set()).update(client.protocols)
    return out


def role_flows(topo: Topology, add: AddServerFlow) -> None:
    """Front-end -> back-end, edge <-> mailbox: the catalogue's flows between roles."""
    serves = served(topo)
    for a in topo.servers.values():
        for rf in a.catalogue.role_flows:
            if rf.from_role != a.role:
                continue
            if rf.when and not serves.get(a.name, set()) & set(rf.when):
                continue
            for b in topo.servers.values():
                if b is a or b.catalogue is not a.catalogue or b.role != rf.to_role:
                    continue
                if rf.scope == "site" and b.site != a.site:
                    continue
                add(rf.requirement, a.catalogue, "role", a, b, a.line)


def dc_flows(topo: Topology, add: AddServerFlow) -> None:
    """Every server to the domain controllers it uses, per its catalogue."""
    for a in topo.servers.values():
        for req in a.catalogue.dc_flows:
            if req.roles and a.role not in req.roles:
                continue
            for dc in dcs_of(topo, a):
                add(req, a.catalogue, "domain-controller", a, dc, a.line)


def client_targets(topo: Topology, req: Requirement, dst: Server) -> list[Server]:
    """Where a client requirement towards ``dst`` goes: the server, or its DCs."""
    if req.roles and dst.role not in req.roles:
        return []
    if req.to == DOMAIN_CONTROLLERS:
        return dcs_of(topo, dst)
    return [dst]


@dataclass(frozen=True)
class Undetermined:
    """Servers of two versions the catalogues give no rules between, where they meet."""

    a: tuple[Server, ...]  # the servers of one version
    b: tuple[Server, ...]  # the servers of the other
    why: str  # "intrasite" or "connector"
    where: str  # the site, or the connector's two sites
    line: int

    @property
    def a_version(self) -> str:
        return ", ".join(sorted({s.exchange for s in self.a}))

    @property
    def b_version(self) -> str:
        return ", ".join(sorted({s.exchange for s in self.b}))


def pair_rules(a: Server, b: Server) -> Catalogue | None:
    return governing(a.catalogue, b.catalogue)


def _by_catalogue(servers: list[Server]) -> list[list[Server]]:
    groups: dict[str, list[Server]] = {}
    for s in servers:
        groups.setdefault(s.catalogue.path, []).append(s)
    return list(groups.values())


def _uncovered(
    left: list[Server], right: list[Server], why: str, where: str, line: int | None
) -> Iterator[Undetermined]:
    """Groups of ``left`` and ``right`` (by version) that no catalogue covers."""
    for xs in _by_catalogue(left):
        for ys in _by_catalogue(right):
            if xs is ys or pair_rules(xs[0], ys[0]) is not None:
                continue
            yield Undetermined(tuple(xs), tuple(ys), why, where, line or ys[0].line)


def undetermined_pairs(topo: Topology) -> Iterator[Undetermined]:
    """Per site and per connector: the versions there that no catalogue has rules between."""
    for site, names in sorted(topo.sites().items()):
        groups = _by_catalogue([topo.servers[n] for n in names])
        for i, xs in enumerate(groups):
            for ys in groups[i + 1 :]:
                yield from _uncovered(xs, ys, "intrasite", site, None)
    for conn in topo.connectors:
        left = [topo.servers[s] for s in conn.servers if topo.servers[s].site == conn.sites[0]]
        right = [topo.servers[s] for s in conn.servers if topo.servers[s].site == conn.sites[1]]
        where = f"{conn.sites[0]} and {conn.sites[1]}"
        yield from _uncovered(left, right, "connector", where, conn.line)


def internal_servers(topo: Topology) -> list[Server]:
    """Servers whose version forbids filtering between them (2013+ mailbox servers)."""
    out = []
    for s in topo.servers.values():
        rule = s.catalogue.unrestricted
        if rule is not None and s.role in rule.roles:
            out.append(s)
    return out


def unrestricted_pairs(topo: Topology) -> Iterator[tuple[Server, Server]]:
    """Both directions of every path Microsoft does not support filtering."""
    inside = internal_servers(topo)
    for a in inside:
        for b in inside:
            if a is not b:
                yield a, b
        rule = a.catalogue.unrestricted
        if rule is not None and rule.domain_controllers:
            for dc in topo.domain_controllers.values():
                yield a, dc
                yield dc, a


def unrestricted_peers(topo: Topology) -> dict[str, IntervalSet]:
    """Per internal 2013+ server: the addresses that may reach it on any port (its peers
    and, where the rule says so, the DCs); servers not listed have none."""
    inside = internal_servers(topo)
    every = union_of(s.address for s in inside)
    dcs = union_of(dc.address for dc in topo.domain_controllers.values())
    out = {}
    for s in inside:
        rule = s.catalogue.unrestricted
        out[s.name] = (every - s.address) | (
            dcs if rule and rule.domain_controllers else IntervalSet()
        )
    return out


def union_of(sets: Iterable[IntervalSet]) -> IntervalSet:
    """The union of many sets, normalized once (a loop of ``|`` is quadratic)."""
    return IntervalSet(span for one in sets for span in one.spans)


class HostIndex:
    """Which hosts (one address each) a set of addresses holds, by bisection."""

    def __init__(self, hosts: Iterable[Server]) -> None:
        pairs = sorted((h.address.min(), h.name) for h in hosts)
        self.keys = [k for k, _ in pairs]
        self.names = [n for _, n in pairs]

    def within(self, addrs: IntervalSet) -> list[str]:
        out: list[str] = []
        for lo, hi in addrs.spans:
            out += self.names[bisect_left(self.keys, lo) : bisect_right(self.keys, hi)]
        return out

"""Required flows from the topology and catalogue, and which firewalls each one crosses."""

from __future__ import annotations

from dataclasses import dataclass

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.exchange import flows_more as more
from exaudit.exchange.catalogue import Catalogue, PortKind, Requirement
from exaudit.exchange.topology import Firewall, Ref, Server, Topology


@dataclass(frozen=True)
class Flow:
    """Packets Exchange needs: TCP from a source set to one server port (or port range)."""

    requirement: Requirement
    kind: str  # client | intrasite | connector
    src: IntervalSet
    src_label: str
    src_name: str | None  # the topology name when the source is one name
    dst: Server
    ports: IntervalSet
    dynamic: bool  # an RPC service without a static port: the whole ephemeral range
    line: int  # the topology line the flow comes from
    proto: str = "tcp"
    port_kind: PortKind | None = None  # the per-server port it names, if any
    citation: str = ""  # the requirement's source, as its catalogue cites it

    @property
    def id(self) -> str:
        return self.requirement.id

    @property
    def port_label(self) -> str:
        return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in self.ports.spans)

    def describe(self) -> str:
        return (
            f"{self.requirement.name} ({self.proto}/{self.port_label}) "
            f"from {self.src_label} to {self.dst.name}"
        )


@dataclass(frozen=True)
class Crossing:
    """A flow (or the part of its sources) meeting one firewall, and by which interfaces."""

    firewall: Firewall
    flow: Flow
    src: IntervalSet
    in_iface: str | None
    out_iface: str | None
    local: str | None  # "input" or "output" on a host firewall

    def path_label(self) -> str:
        if self.local:
            return self.local.upper()
        return f"{self.in_iface} -> {self.out_iface}"


def derive_flows(topo: Topology) -> list[Flow]:
    """Every required flow: clients, intrasite pairs (both ways), connectors (both ways),
    then the flows between roles and to domain controllers (Exchange 2000 and later)."""
    flows: list[Flow] = []

    def add(
        req: Requirement,
        kind: str,
        src: IntervalSet,
        label: str,
        name: str | None,
        dst: Server,
        line: int,
        rules: Catalogue | None = None,
    ) -> None:
        src = src - dst.address
        if not src:
            return
        rules = rules or dst.catalogue
        b = more.bind(req, dst, rules)
        flows.append(
            Flow(
                req,
                kind,
                src,
                label,
                name,
                dst,
                b.ports,
                b.dynamic,
                line,
                port_kind=b.kind,
                citation=rules.cite(req.source),
            )
        )

    def add_between(
        req: Requirement, rules: Catalogue, kind: str, a: Server, b: Server, line: int
    ) -> None:
        add(req, kind, a.address, a.name, a.name, b, line, rules)

    for client in topo.clients:
        for ref in client.sources:
            for server_name in client.to:
                dst = topo.servers[server_name]
                cat = dst.catalogue
                for protocol in client.protocols:
                    for req in cat.client_protocols[protocol].needs(protocol in client.ssl):
                        for target in more.client_targets(topo, req, dst):
                            add(
                                req,
                                "client",
                                ref.addresses,
                                ref.label,
                                ref.name,
                                target,
                                client.line,
                                cat,
                            )
    for _site, names in sorted(topo.sites().items()):
        for a in names:
            for b in names:
                if a != b:
                    src = topo.servers[a]
                    rules = more.pair_rules(src, topo.servers[b])
                    for req in rules.intrasite if rules else ():
                        add(req, "intrasite", src.address, a, a, topo.servers[b], src.line, rules)
    for conn in topo.connectors:
        left = [s for s in conn.servers if topo.servers[s].site == conn.sites[0]]
        right = [s for s in conn.servers if topo.servers[s].site == conn.sites[1]]
        for a in left:
            for b in right:
                rules = more.pair_rules(topo.servers[a], topo.servers[b])
                for x, y in ((a, b), (b, a)):
                    for req in rules.connectors.get(conn.type, ()) if rules else ():
                        add(
                            req,
                            "connector",
                            topo.servers[x].address,
                            x,
                            x,
                            topo.servers[y],
                            conn.line,
                            rules,
                        )
    more.role_flows(topo, add_between)
    more.dc_flows(topo, add_between)
    return flows


class InterfaceMap:
    """Which interface of a firewall each address sits behind (longest prefix wins)."""

    def __init__(self, interfaces: dict[str, list[Ref]]) -> None:
        self.by_name: dict[str, str] = {}
        entries = []
        for iface, refs in interfaces.items():
            for ref in refs:
                if ref.name is not None:
                    self.by_name.setdefault(ref.name, iface)
                entries.append((ref.listed.size(), iface, ref.listed))
        entries.sort(key=lambda e: e[0])
        self.owned: dict[str, IntervalSet] = {iface: IntervalSet() for iface in interfaces}
        taken = IntervalSet()
        for _, iface, listed in entries:
            self.owned[iface] = self.owned[iface] | (listed - taken)
            taken = taken | listed
        # many flows share a source (one client network, every protocol and server)
        self._memo: dict[tuple[IntervalSet, str | None], list[tuple[str, IntervalSet]]] = {}

    def split(self, addrs: IntervalSet, name: str | None) -> list[tuple[str, IntervalSet]]:
        """The interfaces ``addrs`` sit behind, with the part behind each."""
        if name is not None and name in self.by_name:
            return [(self.by_name[name], addrs)]
        key = (addrs, name)
        hit = self._memo.get(key)
        if hit is None:
            hit = []
            for iface, owned in self.owned.items():
                part = addrs & owned
                if part:
                    hit.append((iface, part))
            self._memo[key] = hit
        return hit


def interface_map(firewall: Firewall) -> InterfaceMap:
    """The firewall's interface map, built once per firewall."""
    imap = firewall.__dict__.get("_interface_map")
    if imap is None:
        assert firewall.interfaces is not None
        imap = InterfaceMap(firewall.interfaces)
        firewall.__dict__["_interface_map"] = imap
    return imap


def crossings(topo: Topology, flows: list[Flow], firewall: Firewall) -> list[Crossing]:
    """The flows (or parts of their sources) that meet ``firewall``."""
    out: list[Crossing] = []
    if firewall.host is not None:
        host = topo.servers[firewall.host]
        for flow in flows:
            if flow.dst.name == host.name:
                out.append(Crossing(firewall, flow, flow.src, None, None, "input"))
            if flow.src.intersects(host.address):
                out.append(Crossing(firewall, flow, flow.src & host.address, None, None, "output"))
        return out
    imap = interface_map(firewall)
    for flow in flows:
        egress = imap.split(flow.dst.address, flow.dst.name)
        if not egress:
            continue
        out_iface = egress[0][0]
        for in_iface, part in imap.split(flow.src, flow.src_name):
            if in_iface != out_iface:
                out.append(Crossing(firewall, flow, part, in_iface, out_iface, None))
    return out


def servers_behind(topo: Topology, firewall: Firewall) -> list[tuple[Server, str | None]]:
    """The Exchange servers this firewall protects, with the interface in front of each."""
    if firewall.host is not None:
        return [(topo.servers[firewall.host], None)]
    imap = interface_map(firewall)
    out: list[tuple[Server, str | None]] = []
    for server in topo.servers.values():
        behind = imap.split(server.address, server.name)
        if behind:
            out.append((server, behind[0][0]))
    return out


def everything_but(addrs: IntervalSet) -> IntervalSet:
    """Every address of the same family as ``addrs``, except ``addrs``."""
    family = addresses.ALL_V4 if addrs.max() <= addresses.V4_MAX else addresses.ALL_V6
    return family - addrs

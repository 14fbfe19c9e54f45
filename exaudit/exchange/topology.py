"""The topology file: networks, Exchange servers, clients, connectors and firewalls."""

from __future__ import annotations

import heapq
import os
from dataclasses import dataclass, field

from exaudit import platforms
from exaudit.core import addresses, confine
from exaudit.core.errors import InputError
from exaudit.core.intervals import IntervalSet
from exaudit.exchange import topology_more as grown
from exaudit.exchange.allow import Allowance, parse_allow
from exaudit.exchange.catalogue import RPC_PORT_NAMES, Catalogue, load_catalogue
from exaudit.exchange.node import Node

RPC_SERVICES = tuple(RPC_PORT_NAMES.values())  # the keys of a server's rpc_ports
DEFAULT_RFC1006_PORT = 102
DEFAULT_EPHEMERAL_LIMIT = 16
CONNECTOR_TYPES = ("rpc", "x400")

_TOP_KEYS = {
    "version",
    "exchange",
    "policy",
    "networks",
    "servers",
    "clients",
    "connectors",
    "firewalls",
    "domain_controllers",
    "internal",
}
_POLICY_KEYS = {"require_ssl", "ephemeral_limit", "allow"}  # allow: _policy_allow
_SERVER_KEYS = {
    "address",
    "site",
    "rpc_ports",
    "rfc1006_port",
    "description",
    "exchange",
    "role",
    "os",
}
_CLIENT_KEYS = {"from", "to", "protocols", "ssl", "description"}
_CONNECTOR_KEYS = {"between", "type", "servers", "description"}
_FIREWALL_KEYS = {"platform", "config", "interfaces", "host", "description"}


@dataclass(frozen=True)
class Ref:
    """A name or literal address in the topology, resolved to its addresses."""

    label: str  # the name, or the literal as written
    addresses: IntervalSet  # for names: the addresses the name owns in the partition
    listed: IntervalSet  # for names: every address it lists (for longest-prefix match)
    name: str | None  # None for a literal address
    line: int


@dataclass
class Server:
    name: str
    address: IntervalSet
    address_text: str
    site: str
    rpc_ports: dict[str, int]
    rpc_line: int | None
    rfc1006_port: int
    rfc1006_line: int | None
    line: int
    exchange: str  # the version as the topology writes it ("2019")
    catalogue: Catalogue
    role: str | None  # None for a version without roles (5.5)
    os: str | None  # the Windows generation; None: the catalogue has no choice
    ephemeral: tuple[int, int]  # the dynamic RPC range of its Windows generation
    client_pool: tuple[int, int]
    domain_controller: bool = False  # an entry of domain_controllers, not an Exchange server


@dataclass
class Client:
    sources: list[Ref]
    to: list[str]
    protocols: list[str]
    ssl: set[str]
    line: int


@dataclass
class Connector:
    sites: tuple[str, str]
    type: str
    servers: list[str]
    line: int


@dataclass
class Firewall:
    name: str
    platform: str
    config: str  # the path to read, as the report shows it
    interfaces: dict[str, list[Ref]] | None
    host: str | None
    line: int
    interface_lines: dict[str, int] = field(default_factory=dict)  # each interface's key line


@dataclass
class Policy:
    require_ssl: bool = False
    ephemeral_limit: int = DEFAULT_EPHEMERAL_LIMIT
    allow: list[Allowance] = field(default_factory=list)  # accepted extra services


@dataclass
class Topology:
    path: str
    exchange: str
    catalogue: Catalogue
    policy: Policy
    networks: dict[str, Ref] = field(default_factory=dict)
    servers: dict[str, Server] = field(default_factory=dict)
    clients: list[Client] = field(default_factory=list)
    connectors: list[Connector] = field(default_factory=list)
    firewalls: dict[str, Firewall] = field(default_factory=dict)
    # every address written in the file, as written, with its line (for the topology checks)
    literals: list[tuple[str, int]] = field(default_factory=list)
    domain_controllers: dict[str, Server] = field(default_factory=dict)
    internal: list[Ref] | None = None  # `internal:` the organisation's client networks

    def host(self, name: str) -> Server:
        """An Exchange server or a domain controller, by name."""
        return self.servers.get(name) or self.domain_controllers[name]

    def catalogues(self) -> list[Catalogue]:
        """Every catalogue a server of the topology uses, the default first."""
        out = {self.catalogue.path: self.catalogue}
        for server in self.servers.values():
            out.setdefault(server.catalogue.path, server.catalogue)
        return list(out.values())

    def sites(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for server in self.servers.values():
            out.setdefault(server.site, []).append(server.name)
        return out

    def name_of(self, address_set: IntervalSet) -> str | None:
        """The network or server name that owns exactly this set, if any."""
        for name, ref in self.networks.items():
            if ref.addresses == address_set:
                return name
        for server in self.servers.values():
            if server.address == address_set:
                return server.name
        return None


def _check_keys(node: Node, allowed: set[str], what: str) -> dict[str, Node]:
    mapping = node.mapping(what)
    for key, value in mapping.items():
        if key not in allowed:
            raise value.error(
                f"unknown key {key!r} in {what} (allowed: {', '.join(sorted(allowed))})"
            )
    return mapping


def _address(node: Node, what: str) -> IntervalSet:
    text = node.text(what)
    try:
        return addresses.parse(text)
    except addresses.AddressError as exc:
        raise node.error(f"{what}: {exc}") from None


def load_topology(path: str, text: str | None = None) -> Topology:
    """Read and validate a topology file; every mistake is an ``InputError`` with its line.

    ``text`` is the file's content when the caller has already read it.
    """
    from exaudit.exchange.yamlsrc import load, read  # PyYAML: only when a topology is read

    root = read(path) if text is None else load(text, path)
    top = _check_keys(root, _TOP_KEYS, "the topology")
    version = top.get("version")
    if version is None:
        raise root.error("missing 'version: 1'")
    if version.value != 1:
        raise version.error(f"unsupported topology version {version.value!r} (this is 1)")
    exchange_node = top.get("exchange")
    exchange = exchange_node.text("exchange") if exchange_node else "5.5"
    try:
        catalogue = load_catalogue(exchange)
    except InputError as exc:
        if exchange_node is None:
            raise
        raise exchange_node.error(exc.message) from None
    topo = Topology(path, exchange, catalogue, _policy(top.get("policy")))
    base = os.path.dirname(path)

    listed = _names(top, topo)
    owned = _partition(listed, path)
    for name, ref in list(topo.networks.items()):
        topo.networks[name] = Ref(name, owned[name], ref.listed, name, ref.line)
    for name in topo.servers:
        if owned[name] != topo.servers[name].address:
            node = listed[name][0]
            raise InputError(
                path,
                node[2],
                f"server {name!r} shares its address with another name listing the same block",
            )
    resolver = _Resolver(topo, owned, listed)
    if "internal" in top:
        topo.internal = [resolver.ref(n, "internal") for n in top["internal"].items("internal")]
    _policy_allow(top.get("policy"), topo, resolver)
    for item in top["clients"].sequence("clients") if "clients" in top else []:
        topo.clients.append(_client(item, topo, resolver))
    for item in top["connectors"].sequence("connectors") if "connectors" in top else []:
        topo.connectors.append(_connector(item, topo))
    if "firewalls" in top:
        for name, item in top["firewalls"].mapping("firewalls").items():
            topo.firewalls[name] = _firewall(name, item, topo, resolver, base)
    return topo


def _policy(node: Node | None) -> Policy:
    if node is None:
        return Policy()
    keys = _check_keys(node, _POLICY_KEYS, "policy")
    policy = Policy()
    if "require_ssl" in keys:
        policy.require_ssl = keys["require_ssl"].boolean("policy.require_ssl")
    if "ephemeral_limit" in keys:
        policy.ephemeral_limit = keys["ephemeral_limit"].integer("policy.ephemeral_limit", 0, 65535)
    return policy


def _policy_allow(node: Node | None, topo: Topology, resolver: _Resolver) -> None:
    """``policy.allow``, read once names resolve (its ``from`` may name networks)."""
    if node is None or not isinstance(node.value, dict) or "allow" not in node.value:
        return
    topo.policy.allow = parse_allow(
        node.value["allow"], topo.servers, lambda n, what: resolver.ref(n, what).addresses
    )


Listing = list[tuple[str, IntervalSet, int]]  # (text, addresses, line)


def _names(top: dict[str, Node], topo: Topology) -> dict[str, Listing]:
    listed: dict[str, Listing] = {}
    if "networks" in top:
        for name, node in top["networks"].mapping("networks").items():
            entries = []
            for item in node.items(f"network {name!r}"):
                entries.append(
                    (item.text("an address"), _address(item, f"network {name!r}"), item.line)
                )
            if not entries:
                raise node.error(f"network {name!r} lists no addresses")
            listed[name] = entries
            topo.literals.extend((text, line) for text, _, line in entries)
            union = IntervalSet()
            for _, a, _ in entries:
                union = union | a
            topo.networks[name] = Ref(name, union, union, name, node.line)
    if "servers" in top:
        for name, node in top["servers"].mapping("servers").items():
            if name in listed:
                raise node.error(f"duplicate name {name!r}: it is already a network")
            server = _server(name, node, topo)
            topo.servers[name] = server
            listed[name] = [(server.address_text, server.address, node.line)]
    if "domain_controllers" in top:
        what = "domain_controllers"
        for name, node in top["domain_controllers"].mapping(what).items():
            if name in listed:
                raise node.error(f"duplicate name {name!r}: it is already a network or a server")
            dc = _domain_controller(name, node, topo)
            topo.domain_controllers[name] = dc
            listed[name] = [(dc.address_text, dc.address, node.line)]
    return listed


def _server(name: str, node: Node, topo: Topology) -> Server:
    keys = _check_keys(node, _SERVER_KEYS, f"server {name!r}")
    gen = grown.generation(name, keys, topo.catalogue, topo.exchange)
    what = f"server {name!r}"
    if "rfc1006_port" in keys and not grown.has_rfc1006(gen.catalogue):
        raise keys["rfc1006_port"].error(
            f"Exchange {gen.exchange} has no X.400 MTA: remove 'rfc1006_port' from {what}"
        )
    return _host(name, node, keys, gen, set(grown.rpc_port_keys(gen.catalogue, "server")), what)


def _domain_controller(name: str, node: Node, topo: Topology) -> Server:
    what = f"domain controller {name!r}"
    keys = _check_keys(node, grown.DC_KEYS, what)
    catalogues = topo.catalogues()
    if not any(c.windows for c in catalogues):
        raise node.error(
            f"{what}: Exchange {topo.exchange} works with no domain controllers "
            "(they exist from Exchange 2000 on)"
        )
    os_name = grown.dc_windows(keys.get("os"), catalogues, name)
    gen = grown.Generation("", topo.catalogue, None, os_name, (0, 0), (0, 0))
    allowed = {k for c in catalogues for k in grown.rpc_port_keys(c, "domain_controller")}
    dc = _host(name, node, keys, gen, allowed, what)
    dc.domain_controller = True
    return dc


def _host(
    name: str,
    node: Node,
    keys: dict[str, Node],
    gen: grown.Generation,
    allowed: set[str],
    what: str,
) -> Server:
    if "address" not in keys:
        raise node.error(f"{what} has no address")
    addr_node = keys["address"]
    address = _address(addr_node, f"{what} address")
    if address.size() != 1:
        raise addr_node.error(f"{what} address must be one address, not {addr_node.value!r}")
    if "site" not in keys:
        raise node.error(f"{what} has no site")
    site = keys["site"].text("site")
    rpc: dict[str, int] = {}
    rpc_line = None
    if "rpc_ports" in keys:
        rpc_node = keys["rpc_ports"]
        rpc_line = rpc_node.line
        if not allowed:
            version = f"Exchange {gen.exchange}" if gen.exchange else "this topology's Exchange"
            raise rpc_node.error(f"{version} has no per-server ports to pin (rpc_ports of {what})")
        for service, port in _check_keys(rpc_node, allowed, f"{what} rpc_ports").items():
            rpc[service] = port.integer(f"rpc_ports.{service}", 1, 65535)
    rfc_port, rfc_line = DEFAULT_RFC1006_PORT, None
    if "rfc1006_port" in keys:
        rfc_port = keys["rfc1006_port"].integer("rfc1006_port", 1, 65535)
        rfc_line = keys["rfc1006_port"].line
    return Server(
        name,
        address,
        addr_node.text("address"),
        site,
        rpc,
        rpc_line,
        rfc_port,
        rfc_line,
        node.line,
        gen.exchange,
        gen.catalogue,
        gen.role,
        gen.os,
        gen.ephemeral,
        gen.client_pool,
    )


def _partition(listed: dict[str, Listing], path: str) -> dict[str, IntervalSet]:
    """Each address goes to the most specific name listing it (smallest block wins).

    One sweep over the blocks' end points with a heap of the blocks covering the current
    point, so 100k host addresses take n log n, not a union per address.
    """
    entries = [(a.size(), name, a, line) for name, es in listed.items() for _, a, line in es]
    _refuse_ambiguous(entries, path)
    events: list[tuple[int, int, int]] = []  # (point, 0 start | 1 end, entry index)
    for index, (_, _, a, _) in enumerate(entries):
        for lo, hi in a.spans:
            events.append((lo, 0, index))
            events.append((hi + 1, 1, index))
    events.sort()
    spans: dict[str, list[tuple[int, int]]] = {name: [] for name in listed}
    covering: list[tuple[int, int]] = []  # heap of (size, entry index)
    open_count = [0] * len(entries)  # an entry may cover the point through several spans
    for k, (point, kind, index) in enumerate(events):
        open_count[index] += 1 if kind == 0 else -1
        if kind == 0 and open_count[index] == 1:
            heapq.heappush(covering, (entries[index][0], index))
        while covering and open_count[covering[0][1]] == 0:
            heapq.heappop(covering)
        following = events[k + 1][0] if k + 1 < len(events) else point
        if covering and following > point:
            owner = spans[entries[covering[0][1]][1]]
            if owner and owner[-1][1] == point - 1:
                owner[-1] = (owner[-1][0], following - 1)
            else:
                owner.append((point, following - 1))
    return {name: IntervalSet(found) for name, found in spans.items()}


def _refuse_ambiguous(entries: list[tuple[int, str, IntervalSet, int]], path: str) -> None:
    """Two names listing the same addresses in blocks of one size: neither is more specific."""
    by_size: dict[int, list[tuple[int, int, str, int]]] = {}
    for size, name, a, line in entries:
        by_size.setdefault(size, []).extend((lo, hi, name, line) for lo, hi in a.spans)
    for spans in by_size.values():
        spans.sort()
        # the furthest-reaching span so far, and the furthest of another name than its own
        first: tuple[int, str, int] | None = None
        second: tuple[int, str, int] | None = None
        for lo, hi, name, line in spans:
            for seen in (first, second):
                if seen is not None and seen[1] != name and seen[0] >= lo:
                    (at, one), (_, other) = sorted([(line, name), (seen[2], seen[1])])
                    raise InputError(
                        path,
                        at,
                        f"{one!r} and {other!r} list the same addresses equally "
                        "specifically; the partition is ambiguous",
                    )
            if first is None or hi > first[0]:
                if first is not None and first[1] != name:
                    second = first
                first = (hi, name, line)
            elif first[1] != name and (second is None or hi > second[0]):
                second = (hi, name, line)


class _Resolver:
    def __init__(
        self, topo: Topology, owned: dict[str, IntervalSet], listed: dict[str, Listing]
    ) -> None:
        self.topo = topo
        self.owned = owned
        self.listed = listed

    def ref(self, node: Node, what: str) -> Ref:
        text = node.text(what)
        if text in self.owned:
            union = IntervalSet()
            for _, a, _ in self.listed[text]:
                union = union | a
            return Ref(text, self.owned[text], union, text, node.line)
        try:
            a = addresses.parse(text)
        except addresses.AddressError:
            raise node.error(
                f"unknown name {text!r} in {what} (not a network, a server or an address)"
            ) from None
        self.topo.literals.append((text, node.line))
        return Ref(text, a, a, None, node.line)


def _client(node: Node, topo: Topology, resolver: _Resolver) -> Client:
    keys = _check_keys(node, _CLIENT_KEYS, "a client entry")
    if "from" not in keys:
        raise node.error("client entry has no 'from'")
    sources = [resolver.ref(n, "clients.from") for n in keys["from"].items("from")]
    if "to" in keys:
        to = []
        for n in keys["to"].items("to"):
            name = n.text("clients.to")
            if name not in topo.servers:
                raise n.error(f"unknown server {name!r} in clients.to")
            to.append(name)
    else:
        to = list(topo.servers)
    if "protocols" not in keys:
        raise node.error("client entry has no 'protocols'")
    dsts = [topo.servers[name] for name in to]
    if _one_version(topo, dsts):
        known = topo.catalogue.client_protocols
        version = topo.exchange
    else:
        known, version = grown.common_protocols(dsts)
    protocols = []
    for n in keys["protocols"].items("protocols"):
        p = n.text("protocol")
        if p not in known:
            raise n.error(grown.unknown_protocol(p, dsts, topo.catalogue))
        grown.check_roles(n, p, dsts)
        protocols.append(p)
    ssl: set[str] = set()
    for n in keys["ssl"].items("ssl") if "ssl" in keys else []:
        p = n.text("ssl protocol")
        if p not in known:
            raise n.error(f"unknown protocol {p!r} in ssl")
        if not known[p].ssl:
            raise n.error(f"protocol {p!r} has no SSL variant in Exchange {version}")
        grown.check_ssl(n, p, dsts)
        if p not in protocols:
            raise n.error(f"ssl lists {p!r}, which is not in this client's protocols")
        ssl.add(p)
    return Client(sources, to, protocols, ssl, node.line)


def _one_version(topo: Topology, servers: list[Server]) -> bool:
    """Every server uses the default catalogue with no roles: the version 1 rules apply."""
    return all(s.catalogue is topo.catalogue and not s.role for s in servers)


def _connector(node: Node, topo: Topology) -> Connector:
    keys = _check_keys(node, _CONNECTOR_KEYS, "a connector")
    if "between" not in keys:
        raise node.error("connector has no 'between: [SITE, SITE]'")
    sites_nodes = keys["between"].sequence("between")
    sites = topo.sites()
    names = []
    for n in sites_nodes:
        s = n.text("site")
        if s not in sites:
            raise n.error(f"unknown site {s!r} (sites: {', '.join(sorted(sites))})")
        names.append(s)
    if len(names) != 2 or names[0] == names[1]:
        raise keys["between"].error("a connector is between exactly two different sites")
    if "type" not in keys:
        raise node.error("connector has no type (rpc or x400)")
    ctype = keys["type"].text("type")
    left, right = ([topo.servers[s] for s in sites[n]] for n in names)
    if _one_version(topo, left + right) and topo.catalogue.connectors.keys() == set(
        CONNECTOR_TYPES
    ):
        if ctype not in CONNECTOR_TYPES:
            raise keys["type"].error(f"unknown connector type {ctype!r} (rpc or x400)")
    else:
        grown.check_connector_type(keys["type"], ctype, left, right)
    if "servers" in keys:
        servers = []
        for n in keys["servers"].items("servers"):
            s = n.text("server")
            if s not in topo.servers:
                raise n.error(f"unknown server {s!r} in connector")
            if topo.servers[s].site not in names:
                raise n.error(
                    f"server {s!r} is in site {topo.servers[s].site!r}, "
                    "not one this connector joins"
                )
            servers.append(s)
    else:
        servers = sites[names[0]] + sites[names[1]]
    return Connector((names[0], names[1]), ctype, servers, node.line)


def _firewall(name: str, node: Node, topo: Topology, resolver: _Resolver, base: str) -> Firewall:
    keys = _check_keys(node, _FIREWALL_KEYS, f"firewall {name!r}")
    if "platform" not in keys:
        raise node.error(f"firewall {name!r} has no platform")
    platform = keys["platform"].text("platform")
    if platform not in platforms.NAMES:
        raise keys["platform"].error(
            f"unknown platform {platform!r} (known: {', '.join(platforms.NAMES)})"
        )
    if "config" not in keys:
        raise node.error(f"firewall {name!r} has no config")
    config = os.path.normpath(os.path.join(base, keys["config"].text("config")))
    refused = confine.refusal(config, confine.allowed_root(base))
    if refused:
        raise keys["config"].error(f"config file {config!r} of firewall {name!r} {refused}")
    if ("interfaces" in keys) == ("host" in keys):
        raise node.error(f"firewall {name!r} needs exactly one of 'interfaces' or 'host'")
    interfaces = None
    host = None
    lines: dict[str, int] = {}
    if "interfaces" in keys:
        interfaces = {}
        for iface, refs in keys["interfaces"].mapping("interfaces").items():
            lines[iface] = refs.line
            interfaces[iface] = [
                resolver.ref(n, f"interface {iface!r}") for n in refs.items("interface addresses")
            ]
    else:
        host = keys["host"].text("host")
        if host not in topo.servers:
            raise keys["host"].error(f"unknown server {host!r} in host")
    return Firewall(name, platform, config, interfaces, host, node.line, lines)

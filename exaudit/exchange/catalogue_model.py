"""The catalogue's records: requirements, port kinds, roles, and how a list of them reads."""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.exchange.node import Node

RPC_PORT_NAMES = {
    "rpc.directory": "directory",
    "rpc.information_store": "information_store",
    "rpc.mta": "mta",
}
RFC1006 = "rfc1006"
VERIFIED = "verified"
CONFIDENCES = (VERIFIED, "partial", "inferred", "unverified")
SERVER, DOMAIN_CONTROLLERS = "server", "domain_controllers"


@dataclass(frozen=True)
class PortKind:
    """A per-server port a requirement names (``rpc.mta``): where the topology pins it."""

    name: str
    on: str  # "server" or "domain_controller": whose topology entry holds it
    field: str  # "rpc_ports.mta" (a key under rpc_ports) or "rfc1006_port" (a server key)
    default: int | None  # unpinned: this port, or None for the dynamic RPC range
    unpinned: str | None  # the check that reports it unpinned (EXA202, EXA403)
    registry: str  # where it is pinned, for the advice
    source: str

    @property
    def key(self) -> str:
        """The key under ``rpc_ports`` (or the server key) that pins it."""
        return self.field.split(".", 1)[1] if "." in self.field else self.field

    @property
    def under_rpc_ports(self) -> bool:
        return self.field.startswith("rpc_ports.")


# Exchange 5.5's port names, for a catalogue that declares no ``port_kinds``.
LEGACY_PORT_KINDS = {
    **{
        name: PortKind(name, "server", f"rpc_ports.{key}", None, "EXA202", "", "KB176466")
        for name, key in RPC_PORT_NAMES.items()
    },
    RFC1006: PortKind(RFC1006, "server", "rfc1006_port", 102, None, "", "KB161931"),
}


@dataclass(frozen=True)
class Requirement:
    """One port a flow needs: a number, or a per-server name (``rpc.mta``, ``rfc1006``)."""

    id: str
    port: int | str
    name: str
    source: str
    confidence: str = VERIFIED  # verified | partial | inferred | unverified (the research's)
    roles: tuple[str, ...] = ()  # the destination roles it applies to (empty: every role)
    to: str = SERVER  # "server", or "domain_controllers": the server's domain controllers
    note: str = ""

    @property
    def rpc_service(self) -> str | None:
        return RPC_PORT_NAMES.get(self.port) if isinstance(self.port, str) else None

    @property
    def marked(self) -> bool:
        """The research marks it partial, inferred or unverified."""
        return self.confidence != VERIFIED


@dataclass(frozen=True)
class ClientProtocol:
    plain: tuple[Requirement, ...]
    ssl: tuple[Requirement, ...]
    always: tuple[Requirement, ...]
    note: str = ""  # said once in the report when a client uses the protocol
    note_source: str = ""

    def needs(self, over_ssl: bool) -> tuple[Requirement, ...]:
        return (self.ssl if over_ssl else self.plain) + self.always

    def roles(self) -> set[str]:
        """The roles some requirement of the protocol reaches (empty set: every role)."""
        reqs = self.plain + self.ssl + self.always
        if any(not r.roles for r in reqs if r.to == SERVER):
            return set()
        return {role for r in reqs if r.to == SERVER for role in r.roles}


@dataclass(frozen=True)
class SslPair:
    protocol: str
    plaintext: int
    ssl: int
    source: str
    # sources of these roles use the plaintext port by design (2003 front-end -> back-end
    # HTTP: "SSL cannot be used between an FE and BE server")
    unless_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleFlow:
    """A flow between two roles of one version (front-end -> back-end, mailbox -> edge)."""

    requirement: Requirement
    from_role: str
    to_role: str
    scope: str  # "site": servers of one site; "organisation": every pair
    when: tuple[str, ...]  # client protocols the source must serve (empty: always)


@dataclass(frozen=True)
class Unrestricted:
    """Paths Microsoft does not support filtering (internal servers, and to their DCs)."""

    roles: tuple[str, ...]
    domain_controllers: bool
    source: str
    quote: str


@dataclass(frozen=True)
class InternalPort:
    port: int
    name: str
    source: str


@dataclass(frozen=True)
class Windows:
    """Per Windows generation: the RPC dynamic range and the client port pool."""

    default: str
    dynamic: dict[str, tuple[int, int]]
    client_pool: dict[str, tuple[int, int]]
    source: str


@dataclass
class Catalogue:
    exchange: str
    path: str
    ephemeral: tuple[int, int]
    nt_client_port_pool: tuple[int, int]
    sources: dict[str, str]
    ssl_pairs: list[SslPair]
    client_protocols: dict[str, ClientProtocol]
    intrasite: tuple[Requirement, ...]
    connectors: dict[str, tuple[Requirement, ...]]
    registry: dict[str, str] = field(default_factory=dict)
    # grown for Exchange 2000 and later; a 5.5-style file leaves them empty
    versions: tuple[str, ...] = ()
    version_confidence: dict[str, str] = field(default_factory=dict)
    roles: tuple[str, ...] = ()
    default_role: str | None = None
    port_kinds: dict[str, PortKind] = field(default_factory=lambda: dict(LEGACY_PORT_KINDS))
    role_flows: tuple[RoleFlow, ...] = ()
    dc_flows: tuple[Requirement, ...] = ()  # from servers (of ``roles``) to their DCs
    coexists_with: dict[str, str] = field(default_factory=dict)  # older version -> source
    coexistence_confidence: dict[str, str] = field(default_factory=dict)
    unrestricted: Unrestricted | None = None
    internal_ports: tuple[InternalPort, ...] = ()
    distinct_ports: str | None = None  # source saying a server's pinned ports must differ
    windows: Windows | None = None

    def cite(self, key: str) -> str:
        return self.sources.get(key, key)

    def requirements(self) -> list[Requirement]:
        """Every requirement of the catalogue, in file order by section."""
        out: list[Requirement] = []
        for proto in self.client_protocols.values():
            out += proto.plain + proto.ssl + proto.always
        out += self.intrasite
        for reqs in self.connectors.values():
            out += reqs
        out += [rf.requirement for rf in self.role_flows]
        out += self.dc_flows
        return out


def requirements_of(
    node: Node,
    what: str,
    sources: dict[str, str],
    seen: set[str],
    kinds: dict[str, PortKind] | None = None,
) -> tuple[Requirement, ...]:
    """A list of requirements; ``kinds`` names the per-server ports a port may be."""
    kinds = LEGACY_PORT_KINDS if kinds is None else kinds
    out = []
    for item in node.sequence(what):
        keys = item.mapping(what)
        for k in ("id", "port", "name", "source"):
            if k not in keys:
                raise item.error(f"{what} entry lacks {k!r}")
        rid = keys["id"].text("id")
        if rid in seen:
            raise keys["id"].error(f"duplicate requirement id {rid!r}")
        seen.add(rid)
        port_node = keys["port"]
        port: int | str
        if isinstance(port_node.value, int):
            port = port_node.integer("port", 1, 65535)
        else:
            port = port_node.text("port")
            if port not in kinds:
                raise port_node.error(f"unknown port name {port!r}")
        source = keys["source"].text("source")
        if source not in sources:
            raise keys["source"].error(f"unknown source {source!r}")
        confidence = keys["confidence"].text("confidence") if "confidence" in keys else VERIFIED
        if confidence not in CONFIDENCES:
            raise keys["confidence"].error(
                f"unknown confidence {confidence!r} (one of {', '.join(CONFIDENCES)})"
            )
        roles = (
            tuple(n.text("role") for n in keys["roles"].items("roles")) if "roles" in keys else ()
        )
        to = keys["to"].text("to") if "to" in keys else SERVER
        if to not in (SERVER, DOMAIN_CONTROLLERS):
            raise keys["to"].error(f"'to' is {SERVER!r} or {DOMAIN_CONTROLLERS!r}, not {to!r}")
        note = keys["note"].text("note") if "note" in keys else ""
        name = keys["name"].text("name")
        out.append(Requirement(rid, port, name, source, confidence, roles, to, note))
    return tuple(out)

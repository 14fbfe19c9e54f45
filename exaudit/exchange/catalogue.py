"""The Exchange port catalogue: data under ``rules/``, read from a checkout or a wheel."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from exaudit.core.errors import InputError
from exaudit.exchange.yamlsrc import Node, load

RPC_PORT_NAMES = {
    "rpc.directory": "directory",
    "rpc.information_store": "information_store",
    "rpc.mta": "mta",
}
RFC1006 = "rfc1006"


@dataclass(frozen=True)
class Requirement:
    """One port a flow needs: a number, or a per-server name (``rpc.mta``, ``rfc1006``)."""

    id: str
    port: int | str
    name: str
    source: str

    @property
    def rpc_service(self) -> str | None:
        return RPC_PORT_NAMES.get(self.port) if isinstance(self.port, str) else None


@dataclass(frozen=True)
class ClientProtocol:
    plain: tuple[Requirement, ...]
    ssl: tuple[Requirement, ...]
    always: tuple[Requirement, ...]

    def needs(self, over_ssl: bool) -> tuple[Requirement, ...]:
        return (self.ssl if over_ssl else self.plain) + self.always


@dataclass(frozen=True)
class SslPair:
    protocol: str
    plaintext: int
    ssl: int
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

    def cite(self, key: str) -> str:
        return self.sources.get(key, key)


def rules_dir() -> Path:
    """``exaudit/rules`` inside an installed wheel, else ``rules/`` of the checkout."""
    packaged = Path(str(resources.files("exaudit"))) / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


def available() -> list[str]:
    return sorted(p.stem.removeprefix("exchange-") for p in rules_dir().glob("exchange-*.yaml"))


def load_catalogue(exchange: str) -> Catalogue:
    path = rules_dir() / f"exchange-{exchange}.yaml"
    if not path.is_file():
        raise InputError(
            None,
            None,
            f"no port catalogue for Exchange {exchange!r} "
            f"(available: {', '.join(available()) or 'none'})",
        )
    return parse_catalogue(path.read_text(encoding="utf-8"), str(path))


def _requirements(
    node: Node, what: str, sources: dict[str, str], seen: set[str]
) -> tuple[Requirement, ...]:
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
            if port not in RPC_PORT_NAMES and port != RFC1006:
                raise port_node.error(f"unknown port name {port!r}")
        source = keys["source"].text("source")
        if source not in sources:
            raise keys["source"].error(f"unknown source {source!r}")
        out.append(Requirement(rid, port, keys["name"].text("name"), source))
    return tuple(out)


def parse_catalogue(text: str, path: str) -> Catalogue:
    root = load(text, path).mapping("the catalogue")
    sources = {k: v.text("source") for k, v in root["sources"].mapping("sources").items()}
    seen: set[str] = set()
    protocols = {}
    for name, node in root["client_protocols"].mapping("client_protocols").items():
        parts = node.mapping(name)
        protocols[name] = ClientProtocol(
            *(
                _requirements(parts[k], f"{name}.{k}", sources, seen) if k in parts else ()
                for k in ("plain", "ssl", "always")
            )
        )
    pairs = []
    for item in root["ssl_pairs"].sequence("ssl_pairs"):
        keys = item.mapping("ssl pair")
        pairs.append(
            SslPair(
                keys["protocol"].text("protocol"),
                keys["plaintext"].integer("plaintext", 1, 65535),
                keys["ssl"].integer("ssl", 1, 65535),
                keys["source"].text("source"),
            )
        )
    connectors = {
        name: _requirements(node, f"connectors.{name}", sources, seen)
        for name, node in root["connectors"].mapping("connectors").items()
    }

    def span(key: str) -> tuple[int, int]:
        lo, hi = (n.integer(key, 0, 65535) for n in root[key].sequence(key))
        return (lo, hi)

    registry = {
        k: v.text("registry")
        for k, v in root.get("registry", Node(path, 0, {})).mapping("registry").items()
    }
    return Catalogue(
        root["exchange"].text("exchange"),
        path,
        span("ephemeral"),
        span("nt_client_port_pool"),
        sources,
        pairs,
        protocols,
        _requirements(root["intrasite"], "intrasite", sources, seen),
        connectors,
        registry,
    )

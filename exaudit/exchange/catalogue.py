"""The Exchange port catalogue: data under ``rules/``, read from a checkout or a wheel."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from exaudit.core.errors import InputError
from exaudit.exchange import catalogue_more
from exaudit.exchange.catalogue_model import (
    CONFIDENCES,
    DOMAIN_CONTROLLERS,
    LEGACY_PORT_KINDS,
    RFC1006,
    RPC_PORT_NAMES,
    SERVER,
    VERIFIED,
    Catalogue,
    ClientProtocol,
    InternalPort,
    PortKind,
    Requirement,
    RoleFlow,
    SslPair,
    Unrestricted,
    Windows,
    requirements_of,
)
from exaudit.exchange.node import Node

__all__ = [
    "CONFIDENCES",
    "DOMAIN_CONTROLLERS",
    "LEGACY_PORT_KINDS",
    "RFC1006",
    "RPC_PORT_NAMES",
    "SERVER",
    "VERIFIED",
    "Catalogue",
    "ClientProtocol",
    "InternalPort",
    "PortKind",
    "Requirement",
    "RoleFlow",
    "SslPair",
    "Unrestricted",
    "Windows",
    "requirements_of",
    "available",
    "load_catalogue",
    "parse_catalogue",
    "rules_dir",
]


def rules_dir() -> Path:
    """``exaudit/rules`` inside an installed wheel, else ``rules/`` of the checkout."""
    packaged = Path(str(resources.files("exaudit"))) / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


_CACHE: dict[str, Catalogue] = {}


@cache
def _files() -> dict[str, Path]:
    """Every version a catalogue file selects (its own and its ``versions:``) -> the file."""
    out: dict[str, Path] = {}
    for path in sorted(rules_dir().glob("exchange-*.yaml")):
        out.setdefault(path.stem.removeprefix("exchange-"), path)
        root = _load(path.read_text(encoding="utf-8"), str(path)).mapping("the catalogue")
        for node in root["versions"].sequence("versions") if "versions" in root else []:
            out.setdefault(node.text("version"), path)
    return out


def available() -> list[str]:
    return sorted(_files())


def load_catalogue(exchange: str) -> Catalogue:
    path = rules_dir() / f"exchange-{exchange}.yaml"
    if not path.is_file():
        path = _files().get(exchange, path)
    if not path.is_file():
        raise InputError(
            None,
            None,
            f"no port catalogue for Exchange {exchange!r} "
            f"(available: {', '.join(available()) or 'none'})",
        )
    cached = _CACHE.get(str(path))
    if cached is None:
        cached = _CACHE[str(path)] = parse_catalogue(path.read_text(encoding="utf-8"), str(path))
    return cached


def parse_catalogue(text: str, path: str) -> Catalogue:
    root = _load(text, path).mapping("the catalogue")
    sources = {k: v.text("source") for k, v in root["sources"].mapping("sources").items()}
    kinds = catalogue_more.port_kinds(root, sources)
    seen: set[str] = set()
    protocols = {}
    for name, node in root["client_protocols"].mapping("client_protocols").items():
        parts = node.mapping(name)
        note = parts["note"].text("note") if "note" in parts else ""
        note_source = parts["note_source"].text("note_source") if "note_source" in parts else ""
        if note_source and note_source not in sources:
            raise parts["note_source"].error(f"unknown source {note_source!r}")
        plain, ssl, always = (
            requirements_of(parts[k], f"{name}.{k}", sources, seen, kinds) if k in parts else ()
            for k in ("plain", "ssl", "always")
        )
        protocols[name] = ClientProtocol(plain, ssl, always, note, note_source)
    pairs = []
    for item in root["ssl_pairs"].sequence("ssl_pairs"):
        keys = item.mapping("ssl pair")
        pairs.append(
            SslPair(
                keys["protocol"].text("protocol"),
                keys["plaintext"].integer("plaintext", 1, 65535),
                keys["ssl"].integer("ssl", 1, 65535),
                keys["source"].text("source"),
                tuple(n.text("role") for n in keys["unless_from"].items("unless_from"))
                if "unless_from" in keys
                else (),
            )
        )
    connectors = {
        name: requirements_of(node, f"connectors.{name}", sources, seen, kinds)
        for name, node in root["connectors"].mapping("connectors").items()
    }

    def span(key: str) -> tuple[int, int]:
        lo, hi = (n.integer(key, 0, 65535) for n in root[key].sequence(key))
        return (lo, hi)

    registry = {
        k: v.text("registry")
        for k, v in root.get("registry", Node(path, 0, {})).mapping("registry").items()
    }
    cat = Catalogue(
        root["exchange"].text("exchange"),
        path,
        span("ephemeral"),
        span("nt_client_port_pool"),
        sources,
        pairs,
        protocols,
        requirements_of(root["intrasite"], "intrasite", sources, seen, kinds),
        connectors,
        registry,
    )
    catalogue_more.grow(cat, root, kinds, seen)
    return cat


def _load(text: str, path: str) -> Node:
    """The catalogue's YAML (PyYAML is imported when a catalogue is read, not before)."""
    from exaudit.exchange.yamlsrc import load

    return load(text, path)

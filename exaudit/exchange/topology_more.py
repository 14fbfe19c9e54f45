"""Topology keys grown for Exchange 2000 and later: versions per server, roles, os, DCs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from exaudit.core.errors import InputError
from exaudit.exchange.catalogue import (
    Catalogue,
    ClientProtocol,
    PortKind,
    available,
    load_catalogue,
)
from exaudit.exchange.node import Node

DC_KEYS = {"address", "site", "rpc_ports", "os", "description"}


@dataclass(frozen=True)
class Generation:
    """What a server's version, role and Windows generation decide for it."""

    exchange: str  # as the topology writes it ("2019")
    catalogue: Catalogue
    role: str | None
    os: str | None
    ephemeral: tuple[int, int]  # the dynamic RPC range to open when a port is unpinned
    client_pool: tuple[int, int]  # where a pinned port can collide with client sockets


def version_catalogue(node: Node | None, default: Catalogue) -> tuple[str, Catalogue]:
    """A server's ``exchange:`` override, or the topology's default."""
    if node is None:
        return default.exchange, default
    exchange = node.text("exchange")
    try:
        return exchange, load_catalogue(exchange)
    except InputError as exc:
        raise node.error(exc.message) from None


def generation(
    name: str, keys: dict[str, Node], default: Catalogue, default_exchange: str
) -> Generation:
    """The version, role and Windows generation of server ``name``, each checked."""
    if "exchange" in keys:
        exchange, cat = version_catalogue(keys["exchange"], default)
    else:
        exchange, cat = default_exchange, default
    role = None
    if "role" in keys:
        role = keys["role"].text("role")
        if not cat.roles:
            raise keys["role"].error(f"Exchange {exchange} has no server roles (server {name!r})")
        if role not in cat.roles:
            raise keys["role"].error(
                f"unknown role {role!r} for Exchange {exchange} (roles: {', '.join(cat.roles)})"
            )
    elif cat.roles:
        role = cat.default_role
    os_name, ephemeral, pool = _windows(name, keys.get("os"), cat, exchange)
    return Generation(exchange, cat, role, os_name, ephemeral, pool)


def _windows(
    name: str, node: Node | None, cat: Catalogue, exchange: str
) -> tuple[str | None, tuple[int, int], tuple[int, int]]:
    if cat.windows is None:
        if node is not None:
            raise node.error(
                f"Exchange {exchange} has no Windows generations to choose from "
                f"(remove 'os' from server {name!r})"
            )
        return None, cat.ephemeral, cat.nt_client_port_pool
    os_name = cat.windows.default if node is None else node.text("os")
    if os_name not in cat.windows.dynamic:
        assert node is not None
        raise node.error(
            f"unknown os {os_name!r} for Exchange {exchange} "
            f"(known: {', '.join(cat.windows.dynamic)})"
        )
    return os_name, cat.windows.dynamic[os_name], cat.windows.client_pool[os_name]


def rpc_port_keys(cat: Catalogue, owner: str) -> dict[str, PortKind]:
    """The ``rpc_ports`` keys an entry may pin: its catalogue's and the older versions'."""
    out: dict[str, PortKind] = {}
    for c in [cat, *(load_catalogue(v) for v in cat.coexists_with)]:
        for kind in c.port_kinds.values():
            if kind.on == owner and kind.under_rpc_ports:
                out.setdefault(kind.key, kind)
    return out


def dc_windows(node: Node | None, catalogues: list[Catalogue], name: str) -> str | None:
    """A domain controller's ``os:`` (None: each catalogue's default applies)."""
    if node is None:
        return None
    os_name = node.text("os")
    known = sorted({g for c in catalogues if c.windows for g in c.windows.dynamic})
    if os_name not in known:
        raise node.error(
            f"unknown os {os_name!r} for domain controller {name!r} (known: {', '.join(known)})"
        )
    return os_name


def governing(a_cat: Catalogue, b_cat: Catalogue) -> Catalogue | None:
    """The catalogue whose rules apply between servers of two versions, if the research says.

    One version: its own. A version that declares ``coexists_with`` the other: the older
    one's (2003 with 5.5). Otherwise none: the flows are undetermined by the catalogue.
    """
    if a_cat.path == b_cat.path:
        return a_cat
    if b_cat.exchange in a_cat.coexists_with:
        return b_cat
    if a_cat.exchange in b_cat.coexists_with:
        return a_cat
    return None


def has_rfc1006(cat: Catalogue) -> bool:
    """The version (or an older one it coexists with) has an MTA with an RFC1006 port."""
    cats = [cat, *(load_catalogue(v) for v in cat.coexists_with)]
    return any(k.field == "rfc1006_port" for c in cats for k in c.port_kinds.values())


class _HasCatalogue(Protocol):
    name: str
    exchange: str
    catalogue: Catalogue
    role: str | None


def common_protocols(
    servers: Sequence[_HasCatalogue],
) -> tuple[dict[str, ClientProtocol], str]:
    """The client protocols every server's version has, and the versions as text."""
    known: dict[str, ClientProtocol] = {}
    if servers:
        known = dict(servers[0].catalogue.client_protocols)
    for server in servers[1:]:
        known = {p: v for p, v in known.items() if p in server.catalogue.client_protocols}
    versions = ", ".join(sorted({s.exchange for s in servers}))
    return known, versions


def unknown_protocol(protocol: str, servers: Sequence[_HasCatalogue], default: Catalogue) -> str:
    """The message for a protocol some destination's version does not have."""
    anywhere = {p for v in available() for p in load_catalogue(v).client_protocols}
    for server in servers if protocol in anywhere else ():
        known = server.catalogue.client_protocols
        if protocol not in known:
            return (
                f"protocol {protocol!r} does not exist in Exchange {server.exchange} "
                f"(server {server.name!r}; known there: {', '.join(sorted(known))})"
            )
    known = default.client_protocols
    return f"unknown protocol {protocol!r} (known: {', '.join(sorted(known))})"


def check_roles(node: Node, protocol: str, servers: Sequence[_HasCatalogue]) -> None:
    """Every destination's role is one the protocol reaches."""
    for server in servers:
        roles = server.catalogue.client_protocols[protocol].roles()
        if roles and server.role not in roles:
            raise node.error(
                f"protocol {protocol!r} is not served by the {server.role} role of "
                f"Exchange {server.exchange} (server {server.name!r}; served by: "
                f"{', '.join(sorted(roles))})"
            )


def check_ssl(node: Node, protocol: str, servers: Sequence[_HasCatalogue]) -> None:
    for server in servers:
        if not server.catalogue.client_protocols[protocol].ssl:
            raise node.error(
                f"protocol {protocol!r} has no SSL variant in Exchange {server.exchange} "
                f"(server {server.name!r})"
            )


def check_connector_type(
    node: Node, ctype: str, left: Sequence[_HasCatalogue], right: Sequence[_HasCatalogue]
) -> None:
    """The connector type exists in the rules governing every pair it joins."""
    for a in left:
        for b in right:
            rules = governing(a.catalogue, b.catalogue)
            if rules is None or ctype in rules.connectors:
                continue  # no rules between the versions: EXA105 says so
            known = ", ".join(sorted(rules.connectors)) or "none"
            versions = sorted({a.exchange, b.exchange})
            raise node.error(
                f"connector type {ctype!r} does not exist in Exchange "
                f"{' / '.join(versions)} (servers {a.name!r} and {b.name!r}; types: {known})"
            )

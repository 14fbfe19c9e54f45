"""The catalogue sections grown for Exchange 2000 and later: port kinds, roles, DCs, Windows."""

from __future__ import annotations

from exaudit.exchange.catalogue_model import (
    CONFIDENCES,
    LEGACY_PORT_KINDS,
    Catalogue,
    InternalPort,
    PortKind,
    RoleFlow,
    Unrestricted,
    Windows,
    requirements_of,
)
from exaudit.exchange.node import Node

PORT_KIND_OWNERS = ("server", "domain_controller")
ROLE_FLOW_SCOPES = ("site", "organisation")


def _source(node: Node, sources: dict[str, str]) -> str:
    source = node.text("source")
    if source not in sources:
        raise node.error(f"unknown source {source!r}")
    return source


def port_kinds(root: dict[str, Node], sources: dict[str, str]) -> dict[str, PortKind]:
    """``port_kinds:``: the per-server ports the catalogue's requirements may name."""
    if "port_kinds" not in root:
        return dict(LEGACY_PORT_KINDS)
    out: dict[str, PortKind] = {}
    for name, node in root["port_kinds"].mapping("port_kinds").items():
        keys = node.mapping(f"port kind {name!r}")
        for k in ("owner", "field", "source"):
            if k not in keys:
                raise node.error(f"port kind {name!r} lacks {k!r}")
        on = keys["owner"].text("owner")
        if on not in PORT_KIND_OWNERS:
            raise keys["owner"].error(
                f"'owner' is one of {', '.join(PORT_KIND_OWNERS)}, not {on!r}"
            )
        fld = keys["field"].text("field")
        if fld != "rfc1006_port" and not fld.startswith("rpc_ports."):
            raise keys["field"].error("a port kind's field is rpc_ports.NAME or rfc1006_port")
        default = keys["default"].integer("default", 1, 65535) if "default" in keys else None
        unpinned = keys["unpinned"].text("unpinned") if "unpinned" in keys else None
        registry = keys["registry"].text("registry") if "registry" in keys else ""
        out[name] = PortKind(
            name, on, fld, default, unpinned, registry, _source(keys["source"], sources)
        )
    return out


def _texts(node: Node, what: str) -> tuple[str, ...]:
    return tuple(n.text(what) for n in node.items(what))


def grow(cat: Catalogue, top: dict[str, Node], kinds: dict[str, PortKind], seen: set[str]) -> None:
    """Fill the catalogue's grown fields from its file."""
    sources = cat.sources
    cat.port_kinds = kinds
    if "versions" in top:
        cat.versions = _texts(top["versions"], "version")
    for version, node in top.get("version_confidence", Node("", 0, {})).value.items():
        level = node.text("confidence")
        if level not in CONFIDENCES:
            raise node.error(f"unknown confidence {level!r}")
        cat.version_confidence[version] = level
    if "roles" in top:
        cat.roles = _texts(top["roles"], "role")
        if "default_role" not in top:
            raise top["roles"].error("a catalogue with roles needs a default_role")
        cat.default_role = top["default_role"].text("default_role")
        if cat.default_role not in cat.roles:
            raise top["default_role"].error(f"default_role {cat.default_role!r} is not a role")
    flows = []
    for item in top["role_flows"].sequence("role_flows") if "role_flows" in top else []:
        keys = item.mapping("role flow")
        (req,) = requirements_of(
            Node(item.file, item.line, [item]), "role_flows", sources, seen, kinds
        )
        for k in ("from_role", "to_role"):
            if k not in keys:
                raise item.error(f"role flow {req.id!r} lacks {k!r}")
        ends = keys["from_role"].text("from_role"), keys["to_role"].text("to_role")
        for role in ends:
            if role not in cat.roles:
                raise item.error(f"role flow {req.id!r} names an unknown role {role!r}")
        scope = keys["scope"].text("scope") if "scope" in keys else "organisation"
        if scope not in ROLE_FLOW_SCOPES:
            raise keys["scope"].error(f"scope is one of {', '.join(ROLE_FLOW_SCOPES)}")
        when = _texts(keys["when"], "protocol") if "when" in keys else ()
        flows.append(RoleFlow(req, ends[0], ends[1], scope, when))
    cat.role_flows = tuple(flows)
    if "dc_flows" in top:
        cat.dc_flows = requirements_of(top["dc_flows"], "dc_flows", sources, seen, kinds)
    for version, node in top.get("coexists_with", Node("", 0, {})).value.items():
        keys = node.mapping(f"coexists_with {version!r}")
        cat.coexists_with[version] = _source(keys["source"], sources)
        level = keys["confidence"].text("confidence") if "confidence" in keys else "verified"
        if level not in CONFIDENCES:
            raise keys["confidence"].error(f"unknown confidence {level!r}")
        cat.coexistence_confidence[version] = level
    if "unrestricted" in top:
        keys = top["unrestricted"].mapping("unrestricted")
        cat.unrestricted = Unrestricted(
            _texts(keys["roles"], "role"),
            keys["domain_controllers"].boolean("domain_controllers"),
            _source(keys["source"], sources),
            keys["quote"].text("quote"),
        )
    ports = []
    for item in top["internal_ports"].sequence("internal_ports") if "internal_ports" in top else []:
        keys = item.mapping("internal port")
        ports.append(
            InternalPort(
                keys["port"].integer("port", 1, 65535),
                keys["name"].text("name"),
                _source(keys["source"], sources),
            )
        )
    cat.internal_ports = tuple(ports)
    if "distinct_ports" in top:
        cat.distinct_ports = _source(top["distinct_ports"], sources)
    if "windows" in top:
        cat.windows = _windows(top["windows"], sources)


def _windows(node: Node, sources: dict[str, str]) -> Windows:
    keys = node.mapping("windows")
    dynamic: dict[str, tuple[int, int]] = {}
    pool: dict[str, tuple[int, int]] = {}
    for os_name, item in keys["generations"].mapping("windows.generations").items():
        parts = item.mapping(f"windows {os_name}")
        for key, into in (("dynamic", dynamic), ("client_pool", pool)):
            lo, hi = (n.integer(key, 1, 65535) for n in parts[key].sequence(key))
            into[os_name] = (lo, hi)
    default = keys["default"].text("windows.default")
    if default not in dynamic:
        raise keys["default"].error(f"windows.default {default!r} is not a listed generation")
    return Windows(default, dynamic, pool, _source(keys["source"], sources))

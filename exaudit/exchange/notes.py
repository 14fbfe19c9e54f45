"""What the requirements say once: version confidence, protocol notes, marked entries."""

from __future__ import annotations

from exaudit.exchange.catalogue import VERIFIED
from exaudit.exchange.flows import Flow
from exaudit.exchange.flows_more import undetermined_pairs
from exaudit.exchange.topology import Server, Topology


def older_of(a: Server, b: Server) -> Server:
    """Of two servers whose versions coexist, the one whose rules apply."""
    return b if b.catalogue.exchange in a.catalogue.coexists_with else a


def _file(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def requirement_notes(topo: Topology, flows: list[Flow]) -> tuple[str, ...]:
    """The notes of ``exaudit requirements``, each once, in a stable order."""
    notes: list[str] = []
    versions = sorted({(s.exchange, s.catalogue.path) for s in topo.servers.values()})
    for exchange, path in versions:
        cat = next(s.catalogue for s in topo.servers.values() if s.catalogue.path == path)
        level = cat.version_confidence.get(exchange, VERIFIED)
        if level != VERIFIED:
            notes.append(
                f"Exchange {exchange} uses {_file(path)}, which the research holds {level} "
                "for this version"
            )
    said: set[tuple[str, str]] = set()
    for client in topo.clients:
        for name in client.to:
            server = topo.servers[name]
            for protocol in client.protocols:
                proto = server.catalogue.client_protocols[protocol]
                key = (server.catalogue.path, protocol)
                if proto.note and key not in said:
                    said.add(key)
                    notes.append(f"{protocol} on Exchange {server.exchange}: {proto.note}")
    marked: dict[str, Flow] = {}
    for flow in flows:
        if flow.requirement.marked:
            marked.setdefault(flow.id, flow)
    for rid, flow in sorted(marked.items()):
        req = flow.requirement
        notes.append(
            f"flow {rid} ({req.name}) comes from a catalogue entry the research marks "
            f"{req.confidence} (source {req.source})"
        )
    mixed: set[tuple[str, str]] = set()
    for flow in flows:
        src = topo.servers.get(flow.src_name or "")
        if src is None or flow.kind not in ("intrasite", "connector"):
            continue
        if src.catalogue is flow.dst.catalogue:
            continue
        newer, older = (src, flow.dst) if older_of(src, flow.dst) is flow.dst else (flow.dst, src)
        key = (newer.name, older.name)
        if key in mixed:
            continue
        mixed.add(key)
        source = newer.catalogue.coexists_with.get(older.catalogue.exchange, "")
        level = newer.catalogue.coexistence_confidence.get(older.catalogue.exchange, VERIFIED)
        mark = "" if level == VERIFIED else f"; the research holds this {level}"
        notes.append(
            f"{newer.name} (Exchange {newer.exchange}) and {older.name} (Exchange "
            f"{older.exchange}) follow the Exchange {older.exchange} rules between them "
            f"(mixed mode, {source}{mark})"
        )
    for u in undetermined_pairs(topo):
        a = ", ".join(s.name for s in u.a)
        b = ", ".join(s.name for s in u.b)
        notes.append(
            f"{a} (Exchange {u.a_version}) and {b} (Exchange {u.b_version}), {u.where}: "
            "no catalogue gives rules between these versions; their flows are undetermined "
            "by the catalogue and not listed"
        )
    return tuple(notes)

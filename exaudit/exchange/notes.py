"""What the requirements say once: version confidence, protocol notes, marked entries."""

from __future__ import annotations

from exaudit.exchange.catalogue import VERIFIED
from exaudit.exchange.flows import Flow
from exaudit.exchange.flows_more import undetermined_pairs
from exaudit.exchange.topology import Topology


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
    for u in undetermined_pairs(topo):
        notes.append(
            f"{u.a.name} (Exchange {u.a.exchange}) and {u.b.name} (Exchange {u.b.exchange}): "
            "no catalogue gives rules between these versions; their flows are undetermined "
            "by the catalogue and not listed"
        )
    return tuple(notes)

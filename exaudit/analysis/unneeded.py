"""Open but not required: what a firewall lets reach a server minus what the flows need.

For every server and side (ingress interface, or a host firewall's INPUT), the engine
answers one question: every protocol, every port, new connections. Its permitted parts,
taken as exact (source, protocol, port) boxes per permitting line, minus the boxes of the
required flows that cross there, minus what ``policy.allow`` accepts, are what is open
and not required. Nothing is sampled: it is box arithmetic on exact sets.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field

from exaudit.analysis.context import FirewallAudit
from exaudit.analysis.inbound import Inbound, inbound
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import EPHEMERAL, PORTS, PROTOCOLS, TCP, Origin
from exaudit.core.protocols import WITH_PORTS
from exaudit.core.protocols import name as proto_name
from exaudit.engine.evaluate import Part, intersect, subtract
from exaudit.exchange.allow import Allowance
from exaudit.exchange.flows import Crossing, Flow, crossings
from exaudit.exchange.flows_more import unrestricted_peers
from exaudit.exchange.topology import Topology

Box3 = tuple[IntervalSet, IntervalSet, IntervalSet]  # (sources, protocols, ports)


@dataclass
class Extra:
    """What one permitting line opens towards one server from one side, beyond the flows."""

    inbound: Inbound
    origin: Origin | None  # the permitting line (None: a default no line states)
    boxes: list[Box3] = field(default_factory=list)  # not required, not accepted
    allowed: list[tuple[Allowance, list[Box3]]] = field(default_factory=list)
    # the TCP ports >= 1024 the line opens here (required or not): EXA201's measure
    tcp_ephemeral: IntervalSet = field(default_factory=IntervalSet)


def minus(boxes: list[Box3], cut: Box3) -> list[Box3]:
    """``boxes`` without ``cut``, as disjoint boxes."""
    out: list[Box3] = []
    for b in boxes:
        out.extend((p[0], p[1], p[2]) for p in subtract(b, cut))
    return out


Side = tuple[str, str | None, str | None, str | None]  # server, in, out, local


def _by_side(here: list[Crossing]) -> dict[Side, list[Crossing]]:
    out: dict[Side, list[Crossing]] = {}
    for c in here:
        out.setdefault((c.flow.dst.name, c.in_iface, c.out_iface, c.local), []).append(c)
    return out


def _needed(here: dict[Side, list[Crossing]], ib: Inbound) -> list[Box3]:
    """The required flows' boxes on this side, one per source set (ports merged)."""
    by_src: dict[IntervalSet, IntervalSet] = {}
    for c in here.get((ib.server.name, ib.in_iface, ib.out_iface, ib.local), []):
        by_src[c.src] = by_src.get(c.src, IntervalSet()) | c.flow.ports
    tcp = IntervalSet.point(TCP)
    return [(src, tcp, ports) for src, ports in by_src.items()]


def permitting_line(part: Part) -> Origin | None:
    """The last line on the part's path that permitted it (a stage default may have none)."""
    for step in reversed(part.path):
        if step.verdict == "permit" and step.origin is not None:
            return step.origin
    return part.decided_by


def extras(topo: Topology, flows: list[Flow], fa: FirewallAudit) -> list[Extra]:
    """Every (side, server, permitting line) opening more than the flows need."""
    out: list[Extra] = []
    here = _by_side([cr.crossing for cr in fa.results] or crossings(topo, flows, fa.firewall))
    # Exchange 2013+ servers need every port open between them (and to their DCs): no
    # required flow lists it, the catalogue's no-filtering rule says it (EXA601)
    peers = unrestricted_peers(topo)
    for ib in inbound(topo, fa):
        needed = _needed(here, ib)
        if peers.get(ib.server.name):
            needed.append((peers[ib.server.name], PROTOCOLS, PORTS))
        allowances = [a for a in topo.policy.allow if a.covers(ib.server.name)]
        by_line: dict[Origin | None, list[Box3]] = {}
        for p in ib.ask().by_verdict("permit"):
            box = (p.src, p.dim("proto"), p.dim("dport"))
            by_line.setdefault(permitting_line(p), []).append(box)
        for origin, boxes in by_line.items():
            wide = IntervalSet()
            for _, protos, ports in boxes:
                if TCP in protos:
                    wide = wide | (ports & EPHEMERAL)
            for cut in needed:
                boxes = minus(boxes, cut)
            if not boxes:
                continue
            extra = Extra(ib, origin, tcp_ephemeral=wide)
            for allowance in allowances:
                accepted = _within(boxes, allowance.box(ib.src))
                if accepted:
                    extra.allowed.append((allowance, accepted))
                    boxes = minus(boxes, allowance.box(ib.src))
            extra.boxes = boxes
            out.append(extra)
    return out


def _within(boxes: list[Box3], cut: Box3) -> list[Box3]:
    out = []
    for b in boxes:
        inter = intersect(b, cut)
        if inter is not None:
            out.append((inter[0], inter[1], inter[2]))
    return out


# --- in words ---------------------------------------------------------------------------


def protocols_text(protos: IntervalSet) -> str:
    if protos == PROTOCOLS:
        return "every protocol"
    missing = PROTOCOLS - protos
    if missing.size() <= 3:
        return "every protocol but " + ", ".join(proto_name(v) for v in _values(missing))
    if protos.size() <= 4:
        return ", ".join(proto_name(v) for v in _values(protos))
    return "protocols " + _spans(protos)


def ports_text(protos: IntervalSet, ports: IntervalSet) -> str:
    if ports == PORTS:
        return ""
    word = "/" if protos.size() == 1 and protos.min() in WITH_PORTS else " port "
    if protos.size() == 1 and protos.min() not in WITH_PORTS:
        word = " type "
    return word + _spans(ports)


def _values(s: IntervalSet) -> Iterable[int]:
    for lo, hi in s.spans:
        yield from range(lo, hi + 1)


def _spans(s: IntervalSet) -> str:
    spans = s.spans
    text = ",".join(str(a) if a == b else f"{a}-{b}" for a, b in spans[:6])
    return text + (",..." if len(spans) > 6 else "")


def services(boxes: list[Box3]) -> list[tuple[str, IntervalSet]]:
    """The boxes as (service in words, its sources), one entry per protocol and ports."""
    # subtracting flows of several sources cuts one opening into pieces: the same
    # protocols from the same sources join their ports, then the same service its sources
    by_source: dict[tuple[IntervalSet, IntervalSet], IntervalSet] = {}
    for src, protos, ports in boxes:
        by_source[(protos, src)] = by_source.get((protos, src), IntervalSet()) | ports
    merged: dict[tuple[IntervalSet, IntervalSet], IntervalSet] = {}
    for (protos, src), ports in by_source.items():
        merged[(protos, ports)] = merged.get((protos, ports), IntervalSet()) | src
    out = []
    for (protos, ports), src in merged.items():
        text = protocols_text(protos) + ports_text(protos, ports)
        if ports == PORTS and protos.size() == 1 and protos.min() in WITH_PORTS:
            text += " (every port)"
        out.append((text, src))
    return sorted(out, key=lambda e: e[0])


def source_names(topo: Topology, src: IntervalSet, most: int = 6) -> list[str] | None:
    """The topology names whose addresses make up ``src`` exactly, if at most ``most`` do
    (more would not read better than the addresses, and would cost as many as there are)."""
    starts, named = _names_by_start(topo)
    found, union = [], IntervalSet()
    for lo, hi in src.spans:
        # a name inside this span starts inside it: bisect to the first such start
        k = bisect_left(starts, lo)
        while k < len(starts) and starts[k] <= hi:
            name, owned = named[k]
            if owned.issubset(src):
                found.append(name)
                if len(found) > most:
                    return None
                union = union | owned
            k += 1
    return sorted(set(found)) if found and union == src else None


def _names_by_start(topo: Topology) -> tuple[list[int], list[tuple[str, IntervalSet]]]:
    """Every network and server with addresses, by its lowest address (built once)."""
    hit = topo.__dict__.get("_names_by_start")
    if hit is None:
        entries = [(r.addresses, n) for n, r in topo.networks.items() if r.addresses]
        entries += [(sv.address, n) for n, sv in topo.servers.items()]
        entries.sort(key=lambda e: e[0].min())
        hit = ([a.min() for a, _ in entries], [(n, a) for a, n in entries])
        topo.__dict__["_names_by_start"] = hit
    return hit

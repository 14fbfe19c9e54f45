"""What a firewall does to the paths Microsoft does not support filtering, for EXA601."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from exaudit.analysis.context import AuditContext, FirewallAudit
from exaudit.analysis.crossings import NEW
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import FLAGS, SYN, TCP, UDP, Origin
from exaudit.engine.evaluate import Part, Question
from exaudit.exchange.catalogue import Requirement
from exaudit.exchange.flows import Flow, crossings
from exaudit.exchange.flows_more import unrestricted_pairs
from exaudit.exchange.topology import Server

ALL_PORTS = IntervalSet.span(1, 65535)
_ANY = Requirement("internal-any", 0, "any internal traffic", "EXNP_2016")


@dataclass
class PathAnswer:
    """One direction of one unrestricted path through a firewall, and its verdicts."""

    src_server: Server
    dst_server: Server
    where: str
    parts: list[tuple[str, Part]]  # (protocol name, part)

    def restrictions(self) -> Iterator[tuple[Origin | None, str, str]]:
        """(deciding line, deny|undetermined, what) per line that is not a permit."""
        found: dict[tuple[Origin | None, str], set[str]] = {}
        for proto, part in self.parts:
            if part.verdict != "permit":
                found.setdefault((part.decided_by, part.verdict), set()).add(proto)
        for (origin, verdict), protos in sorted(
            found.items(), key=lambda kv: (kv[0][0] is None, kv[0][0].line if kv[0][0] else 0)
        ):
            yield origin, verdict, " and ".join(sorted(protos))


def _flow(a: Server, b: Server) -> Flow:
    return Flow(_ANY, "internal", a.address, a.name, a.name, b, ALL_PORTS, False, a.line)


def path_answers(ctx: AuditContext) -> Iterator[tuple[FirewallAudit, PathAnswer]]:
    """Each firewall's verdicts on every unrestricted path it sits on (TCP and UDP)."""
    flows = [_flow(a, b) for a, b in unrestricted_pairs(ctx.topology)]
    if not flows:
        return
    for fa in ctx.firewalls:
        for c in crossings(ctx.topology, flows, fa.firewall):
            parts: list[tuple[str, Part]] = []
            for name, proto in (("tcp", TCP), ("udp", UDP)):
                q = Question(
                    proto=IntervalSet.point(proto),
                    src=c.src,
                    dst=c.flow.dst.address,
                    dport=ALL_PORTS,
                    flags=SYN if proto == TCP else FLAGS,
                    state=NEW,
                    in_iface=c.in_iface,
                    out_iface=c.out_iface,
                )
                parts += [(name, p) for p in fa.ask(q, c.local).parts]
            where = c.local.upper() if c.local else f"in {c.in_iface}, out {c.out_iface}"
            src = ctx.topology.host(c.flow.src_label)
            yield fa, PathAnswer(src, c.flow.dst, where, parts)

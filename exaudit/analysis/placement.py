"""Required flows that cross no firewall because an end of theirs sits behind none.

A flow meets a firewall with interfaces when its source and destination sit behind two
different ones, and a host firewall when it starts or ends on that host. The sources of a
flow that meet no firewall at all are either on the destination's own side (behind the
same interface: nothing to audit) or *unplaced*: behind no interface of any firewall that
has the destination behind one. Those, and flows whose destination no firewall places,
vanish from the audit unless said.
"""

from __future__ import annotations

from dataclasses import dataclass

from exaudit.core.intervals import IntervalSet
from exaudit.exchange.flows import Flow, crossings, interface_map
from exaudit.exchange.topology import Topology


@dataclass(frozen=True)
class Unplaced:
    """Sources of a flow that no firewall audits, and why."""

    flow: Flow
    src: IntervalSet
    reason: str


def unplaced(topo: Topology, flows: list[Flow]) -> list[Unplaced]:
    """The flows (or parts of their sources) that cross no firewall for want of a place."""
    crossed: dict[int, IntervalSet] = {}
    for fw in topo.firewalls.values():
        for c in crossings(topo, flows, fw):
            crossed[id(c.flow)] = crossed.get(id(c.flow), IntervalSet()) | c.src
    with_ifaces = [fw for fw in topo.firewalls.values() if fw.interfaces is not None]
    out: list[Unplaced] = []
    for flow in flows:
        missed = flow.src - crossed.get(id(flow), IntervalSet())
        if not missed:
            continue
        placing = [
            fw for fw in with_ifaces if interface_map(fw).split(flow.dst.address, flow.dst.name)
        ]
        if not placing:
            out.append(
                Unplaced(flow, missed, f"{flow.dst.name} sits behind no interface of any firewall")
            )
            continue
        behind = IntervalSet()
        for fw in placing:
            imap = interface_map(fw)
            if flow.src_name is not None and flow.src_name in imap.by_name:
                behind = flow.src
                break
            for owned in imap.owned.values():
                behind = behind | (missed & owned)
        lost = missed - behind
        if lost:
            names = ", ".join(fw.name for fw in placing)
            out.append(Unplaced(flow, lost, f"its sources sit behind no interface of {names}"))
    return out

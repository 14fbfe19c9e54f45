"""EXA701 flow-crosses-no-firewall

## What it does
Reports required flows (or part of their sources) that cross no firewall of the topology
because their source or destination sits behind no declared interface: the destination
is listed under no interface of any firewall (and has no host firewall), or the sources
are behind no interface of the firewalls that have the destination behind one. Such a
flow is not audited at all. Sources behind the destination's own interface are not
reported: their traffic does not cross that firewall.

One finding per topology line (client entry, server, connector), source and server,
naming the flows.

## Why is this bad?
The audit says nothing about the flow, so a reader takes the silence for "permitted": a
newcomer's network added to `networks:` and `clients:` but to no firewall's
`interfaces:` has its SMTP or MAPI traffic dropped by the real firewall without a word.

## Example
    networks:
      partner: [192.0.2.0/24]      # listed under no interface
    clients:
      - {from: partner, to: [ex1], protocols: [smtp]}
    firewalls:
      fw: {platform: iptables, config: fw.rules,
           interfaces: {eth1: [lan], eth2: [servers]}}

## Use instead
    interfaces: {eth0: [partner], eth1: [lan], eth2: [servers]}
(or `internet: [0.0.0.0/0]` on the outside interface: whatever no other name claims).
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext
from exaudit.analysis.placement import Unplaced, unplaced
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import RELIABILITY
from exaudit.core import addresses
from exaudit.core.findings import Finding, Location, Severity
from exaudit.core.intervals import IntervalSet

SHOWN = 8  # flows named in one message


def run(ctx: AuditContext) -> Iterator[Finding]:
    if not ctx.topology.firewalls:
        if ctx.flows:  # one finding says it all
            message = (
                f"the topology declares no firewall: none of its {len(ctx.flows)} required "
                "flow(s) is audited"
            )
            yield CHECK.finding(None, None, message, location=Location(ctx.topology.path, 1))
        return
    groups: dict[tuple[int, str, str, str], list[Unplaced]] = {}
    for u in unplaced(ctx.topology, ctx.flows):
        key = (u.flow.line, u.flow.src_label, u.flow.dst.name, u.reason)
        groups.setdefault(key, []).append(u)
    for (line, src, dst, reason), found in sorted(groups.items()):
        lost = IntervalSet()
        for u in found:
            lost = lost | u.src
        whole = found[0].flow.src
        which = src if lost == whole else f"{src} ({addresses.describe(lost)})"
        flows = [f"{u.flow.requirement.name} ({u.flow.proto}/{u.flow.port_label})" for u in found]
        shown = ", ".join(dict.fromkeys(flows[:SHOWN]))
        if len(flows) > SHOWN:
            shown += f" and {len(flows) - SHOWN} more"
        message = (
            f"{len(found)} required flow(s) from {which} to {dst} cross no firewall, "
            f"so none is audited: {reason}. Flows: {shown}"
        )
        yield CHECK.finding(None, None, message, location=Location(ctx.topology.path, line))


CHECK = check(
    "EXA701",
    "flow-crosses-no-firewall",
    Severity.WARNING,
    Scope.TOPOLOGY,
    RELIABILITY,
    __doc__,
    run,
)

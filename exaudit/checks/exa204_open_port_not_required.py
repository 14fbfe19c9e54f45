"""EXA204 open-port-not-required

## What it does
Reports, per permitting line and Exchange server, the (source side, protocol, port) that
the firewall lets through for new connections and that no required flow needs and no
`policy.allow` entry accepts: RDP 3389, SMB 445, all of UDP, every protocol. Each side is
an ingress interface of the firewall (with the names listed behind it) or, on a host
firewall, every other address. The difference is exact set arithmetic: what the engine
permits, minus the required flows crossing there, minus `policy.allow`. Where a line
opens more TCP ports >= 1024 than `policy.ephemeral_limit`, that width is EXA201's
finding at the same line and is not repeated here.

Only what is permitted for sure is reported; parts a line exaudit cannot fully model
decides are EXA001/EXA002's (and EXA104's for required flows). `exaudit requirements`
shows the same difference as "open but not required", the accepted services with their
reasons.

## Why is this bad?
Least privilege: every service open to a mail server beyond what Exchange needs is attack
surface (remote desktop, file sharing, a database port, a forgotten web console) that no
one asked for and no one watches.

## Example
    -A FORWARD -i eth0 -o eth2 -d 10.1.0.10 -p tcp -m multiport --dports 25,3389 -j ACCEPT
(only SMTP from the internet is required).

## Use instead
    -A FORWARD -i eth0 -o eth2 -d 10.1.0.10 -p tcp --dport 25 -j ACCEPT
or, where the service must stay, say so in the topology:

    policy:
      allow:
        - {proto: tcp, ports: 3389, from: admin-lan, to: ex-hq-1, reason: server team RDP}
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext
from exaudit.analysis.unneeded import Box3, Extra, extras, minus, services, source_names
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import SECURITY
from exaudit.core import addresses
from exaudit.core.findings import Finding, Severity
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import EPHEMERAL, TCP, Origin
from exaudit.exchange.topology import Topology

SHOWN = 6  # services named in one message; the rest are counted


def run(ctx: AuditContext) -> Iterator[Finding]:
    limit = ctx.topology.policy.ephemeral_limit
    for fa in ctx.firewalls:
        grouped: dict[tuple[Origin | None, str], list[Extra]] = {}
        for extra in extras(ctx.topology, ctx.flows, fa):
            if extra.tcp_ephemeral.size() > limit:
                # that width is EXA201's finding at the same line: reported once
                tcp = IntervalSet.point(TCP)
                extra.boxes = minus(extra.boxes, (extra.inbound.src, tcp, EPHEMERAL))
            if extra.boxes:
                grouped.setdefault((extra.origin, extra.inbound.server.name), []).append(extra)
        for (origin, server), found in sorted(
            grouped.items(), key=lambda kv: (kv[0][0] is None, _line(kv[0][0]), kv[0][1])
        ):
            message = _message(ctx.topology, origin, server, found)
            yield CHECK.finding(fa.firewall.name, origin, message)


def _line(origin: Origin | None) -> int:
    return origin.line if origin else 0


def describe(topo: Topology, boxes: list[Box3], whole: IntervalSet, region: str) -> list[str]:
    """Each service of ``boxes`` with its sources (the side's name when it is all of it)."""
    out = []
    for text, src in services(boxes):
        if src == whole:
            out.append(f"{text} from {region}")
            continue
        names = source_names(topo, src)
        shown = ", ".join(names) if names else addresses.describe(src)
        out.append(f"{text} from {shown}" + ("" if region == "anywhere" else f" via {region}"))
    return out


def _message(topo: Topology, origin: Origin | None, server: str, found: list[Extra]) -> str:
    items: list[str] = []
    for extra in found:
        ib = extra.inbound
        items += describe(topo, extra.boxes, ib.src, ib.region)
    shown = "; ".join(items[:SHOWN])
    if len(items) > SHOWN:
        shown += f"; and {len(items) - SHOWN} more"
    by = f"line {origin.line}" if origin else "the default (no line states it)"
    return (
        f"{by} lets new connections reach {server} that no required flow needs and "
        f"policy.allow does not accept: {shown}"
    )


CHECK = check(
    "EXA204", "open-port-not-required", Severity.WARNING, Scope.AUDIT, SECURITY, __doc__, run
)

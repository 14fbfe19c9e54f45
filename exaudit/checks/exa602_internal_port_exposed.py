"""EXA602 internal-port-exposed

## What it does
Reports a permit that lets new connections from outside the organisation reach an
Exchange 2013-or-later server on a port that serves only inside it: 465 (the Client
Proxy receive connector), 2525, 717, 475 or 50389. Outside means any source the topology
does not declare as an Exchange server, a domain controller or an internal client
network (`internal:`, or by default the `clients:` networks that hold only private
addresses).

## Why is this bad?
These are the Transport service's internal receive connectors and the edge server's
local AD LDS port (Receive connectors; Edge Subscriptions). On Exchange 2016/2019, 465
is not an Internet-facing SMTPS port: secure submission is 587 with STARTTLS. Opening
them to the Internet exposes connectors meant for other Exchange servers only.

## Example
    access-list OUTSIDE-IN extended permit tcp any host 203.0.113.10 eq 465

## Use instead
    access-list OUTSIDE-IN extended permit tcp any host 203.0.113.10 eq 587
for authenticated submission, and no permit for 465 from outside.
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext, FirewallAudit
from exaudit.analysis.crossings import NEW
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import SECURITY
from exaudit.core import addresses
from exaudit.core.findings import Finding, Severity
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import SYN, TCP, Origin
from exaudit.engine.evaluate import Question
from exaudit.exchange.flows import everything_but, interface_map, servers_behind
from exaudit.exchange.flows_more import HostIndex, union_of
from exaudit.exchange.topology import Server, Topology

# RFC 1918, RFC 6598, loopback and link-local (IPv4); ULA, loopback, link-local (IPv6)
PRIVATE = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "fc00::/7",
    "::1/128",
    "fe80::/10",
]


def organisation(topo: Topology) -> IntervalSet:
    """Exchange servers, domain controllers and the internal client networks."""
    private = union_of(addresses.parse(block) for block in PRIVATE)
    if topo.internal is not None:
        refs = topo.internal
    else:
        refs = [r for c in topo.clients for r in c.sources if not r.addresses - private]
    hosts = [*topo.servers.values(), *topo.domain_controllers.values()]
    return union_of([*(h.address for h in hosts), *(r.addresses for r in refs)])


def _questions(
    ctx: AuditContext, fa: FirewallAudit, inside: IntervalSet
) -> Iterator[tuple[IntervalSet, list[Server], str | None, str | None, str | None]]:
    """(outside sources, servers, in, out, local): one question per way in, not per server."""
    fw = fa.firewall
    behind = [
        (s, iface) for s, iface in servers_behind(ctx.topology, fw) if s.catalogue.internal_ports
    ]
    if fw.host is not None:
        for s, _ in behind:
            yield everything_but(s.address) - inside, [s], None, None, "input"
        return
    assert fw.interfaces is not None
    imap = interface_map(fw)
    by_egress: dict[str | None, list[Server]] = {}
    for s, iface in behind:
        by_egress.setdefault(iface, []).append(s)
    for out_iface, servers in sorted(by_egress.items(), key=lambda kv: str(kv[0])):
        for in_iface in fw.interfaces:
            if in_iface != out_iface:
                yield imap.owned[in_iface] - inside, servers, in_iface, out_iface, None


def run(ctx: AuditContext) -> Iterator[Finding]:
    inside = organisation(ctx.topology)
    found: dict[tuple[str, Origin | None, int], tuple[set[str], IntervalSet]] = {}
    names: dict[int, str] = {}
    for fa in ctx.firewalls:
        for outside, servers, in_iface, out_iface, local in _questions(ctx, fa, inside):
            if not outside:
                continue
            numbers: set[int] = set()
            for cat in {id(s.catalogue): s.catalogue for s in servers}.values():
                for port in cat.internal_ports:
                    names.setdefault(port.port, port.name)
                    numbers.add(port.port)
            ports = IntervalSet.of(numbers)
            dst = union_of(s.address for s in servers)
            q = Question(
                proto=IntervalSet.point(TCP),
                src=outside,
                dst=dst,
                dport=ports,
                flags=SYN,
                state=NEW,
                in_iface=in_iface,
                out_iface=out_iface,
            )
            lookup = HostIndex(servers)
            for p in fa.ask(q, local).parts:
                if p.verdict != "permit":
                    continue
                hit = set(lookup.within(p.dim("dst")))
                for lo, hi in p.dim("dport").spans:
                    for number in range(lo, hi + 1):
                        key = (fa.firewall.name, p.decided_by, number)
                        seen, src = found.get(key, (set(), IntervalSet()))
                        found[key] = (seen | hit, src | p.src)
    for (fw, origin, number), (servers_hit, src) in sorted(
        found.items(), key=lambda kv: (kv[0][0], kv[0][1].line if kv[0][1] else 0, kv[0][2])
    ):
        by = f"line {origin.line}" if origin else "the default (no rule decides)"
        message = (
            f"{by} permits tcp/{number} ({names[number]}) to {', '.join(sorted(servers_hit))} "
            f"from outside the organisation ({addresses.describe(src)}); it serves only "
            "Exchange servers inside it"
        )
        yield CHECK.finding(fw, origin, message)


CHECK = check(
    "EXA602", "internal-port-exposed", Severity.WARNING, Scope.AUDIT, SECURITY, __doc__, run
)

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

from exaudit.analysis.context import AuditContext
from exaudit.checks._common import union_src
from exaudit.checks._exposure import approaches
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import SECURITY
from exaudit.core import addresses
from exaudit.core.findings import Finding, Severity
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import Origin
from exaudit.exchange.topology import Topology

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
    inside = IntervalSet()
    for host in [*topo.servers.values(), *topo.domain_controllers.values()]:
        inside = inside | host.address
    private = IntervalSet()
    for block in PRIVATE:
        private = private | addresses.parse(block)
    if topo.internal is not None:
        refs = topo.internal
    else:
        refs = [r for c in topo.clients for r in c.sources if not r.addresses - private]
    for ref in refs:
        inside = inside | ref.addresses
    return inside


def run(ctx: AuditContext) -> Iterator[Finding]:
    inside = organisation(ctx.topology)
    found: dict[tuple[str, Origin | None, int], tuple[set[str], IntervalSet, str]] = {}
    for ap in approaches(ctx):
        outside = ap.src - inside
        if not outside:
            continue
        for port in ap.server.catalogue.internal_ports:
            opened = [p for p in ap.ask(IntervalSet.point(port.port)) if p.verdict == "permit"]
            if not union_src(opened) & outside:
                continue
            for p in opened:
                if not p.src & outside:
                    continue
                key = (ap.fa.firewall.name, p.decided_by, port.port)
                servers, seen, _ = found.get(key, (set(), IntervalSet(), port.name))
                servers.add(ap.server.name)
                found[key] = (servers, seen | (p.src & outside), port.name)
    for (fw, origin, number), (servers, src, name) in sorted(
        found.items(), key=lambda kv: (kv[0][0], kv[0][1].line if kv[0][1] else 0, kv[0][2])
    ):
        by = f"line {origin.line}" if origin else "the default (no rule decides)"
        message = (
            f"{by} permits tcp/{number} ({name}) to {', '.join(sorted(servers))} from "
            f"outside the organisation ({addresses.describe(src)}); it serves only "
            "Exchange servers inside it"
        )
        yield CHECK.finding(fw, origin, message)


CHECK = check(
    "EXA602", "internal-port-exposed", Severity.WARNING, Scope.AUDIT, SECURITY, __doc__, run
)

"""EXA201 over-broad-ephemeral-range

## What it does
Reports a permit that lets new connections reach an Exchange server on more ports >= 1024
than `policy.ephemeral_limit` (default 16). A permit of any port counts; permits that
only match replies (`established`, a state match of ESTABLISHED) do not.

## Why is this bad?
Exchange 5.5 needs port 135 and, once the RPC services are statically allocated, one port
each for the directory, the information store and the MTA (KB 176466, KB 155831). Opening
the whole ephemeral range exposes every RPC service on the server, which is exactly what
static allocation was meant to avoid.

## Example
    -A FORWARD -d 10.1.0.10 -p tcp --dport 1024:65535 -j ACCEPT

## Use instead
    -A FORWARD -d 10.1.0.10 -p tcp -m multiport --dports 135,1600,1601,1602 -j ACCEPT
with the directory, information store and MTA ports fixed in the registry (KB 155831,
KB 161931).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from exaudit.analysis.context import AuditContext
from exaudit.checks._common import union_dim
from exaudit.checks._exposure import approaches
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import SECURITY
from exaudit.core.findings import Finding, Severity
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import EPHEMERAL, Origin
from exaudit.engine.evaluate import Part
from exaudit.exchange.flows_more import unrestricted_peers


@dataclass
class _Widest:
    """The widest opening one permit line makes, over every server it reaches."""

    count: int
    ports: IntervalSet
    servers: set[str] = field(default_factory=set)


def run(ctx: AuditContext) -> Iterator[Finding]:
    limit = ctx.topology.policy.ephemeral_limit
    seen: dict[tuple[str, Origin | None], _Widest] = {}
    # Exchange 2013+ peers must reach each other on every port (EXA601's rule)
    peers = unrestricted_peers(ctx.topology)
    for ap in approaches(ctx):
        mine = peers.get(ap.server.name, IntervalSet())
        permitted = [p for p in ap.ask(EPHEMERAL) if p.verdict == "permit" and p.src - mine]
        by_line: dict[Origin | None, list[Part]] = {}
        for p in permitted:
            by_line.setdefault(p.decided_by, []).append(p)
        for origin, parts in by_line.items():
            ports = union_dim(parts, "dport") & EPHEMERAL
            count = ports.size()
            if count <= limit:
                continue
            widest = seen.setdefault((ap.fa.firewall.name, origin), _Widest(count, ports))
            widest.servers.add(ap.server.name)
            if count > widest.count:
                widest.count, widest.ports = count, ports
    for (fw, origin), widest in seen.items():
        by = f"line {origin.line}" if origin else "the default (no rule decides)"
        message = (
            f"{by} permits new connections to {', '.join(sorted(widest.servers))} "
            f"on {widest.count} ports >= 1024 ({_ranges(widest.ports)}); the limit is "
            f"{limit}. Exchange needs 135 and the servers' static RPC ports"
        )
        yield CHECK.finding(fw, origin, message)


def _ranges(ports: IntervalSet) -> str:
    spans = ports.spans
    text = ",".join(str(a) if a == b else f"{a}-{b}" for a, b in spans[:4])
    return text + (",..." if len(spans) > 4 else "")


CHECK = check(
    "EXA201", "over-broad-ephemeral-range", Severity.WARNING, Scope.AUDIT, SECURITY, __doc__, run
)

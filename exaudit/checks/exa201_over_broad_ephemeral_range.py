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

import sys
from collections.abc import Iterator

from exaudit.checks._common import finding, union_dim
from exaudit.checks._exposure import approaches
from exaudit.core.findings import Finding, Severity
from exaudit.core.model import EPHEMERAL, Origin

CODE = "EXA201"
NAME = "over-broad-ephemeral-range"
SEVERITY = Severity.WARNING
SCOPE = "audit"


def check(ctx: object) -> Iterator[Finding]:
    module = sys.modules[__name__]
    limit = ctx.topology.policy.ephemeral_limit  # type: ignore[attr-defined]
    seen: dict[tuple[str, Origin | None], tuple[int, set[str], str, object]] = {}
    for ap in approaches(ctx):  # type: ignore[arg-type]
        permitted = [p for p in ap.ask(EPHEMERAL) if p.verdict == "permit"]
        by_line: dict[Origin | None, list] = {}
        for p in permitted:
            by_line.setdefault(p.decided_by, []).append(p)
        for origin, parts in by_line.items():
            ports = union_dim(parts, "dport") & EPHEMERAL
            count = ports.size()
            if count <= limit:
                continue
            key = (ap.fa.firewall.name, origin)
            old = seen.get(key)
            servers = (old[1] if old else set()) | {ap.server.name}
            if old is None or count > old[0]:
                seen[key] = (count, servers, _ranges(ports), ap)
            else:
                seen[key] = (old[0], servers, old[2], old[3])
    for (fw, origin), (count, servers, ranges, _) in seen.items():
        by = f"line {origin.line}" if origin else "the default (no rule decides)"
        message = (f"{by} permits new connections to {', '.join(sorted(servers))} on "
                   f"{count} ports >= 1024 ({ranges}); the limit is {limit}. Exchange needs "
                   "135 and the servers' static RPC ports")
        yield finding(module, fw, origin, message)


def _ranges(ports: object) -> str:
    spans = ports.spans  # type: ignore[attr-defined]
    text = ",".join(str(a) if a == b else f"{a}-{b}" for a, b in spans[:4])
    return text + (",..." if len(spans) > 4 else "")

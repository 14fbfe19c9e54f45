"""EXA203 latent-over-broad-permit

## What it does
Reports a permit that would let new connections reach an Exchange server on more ports
>= 1024 than `policy.ephemeral_limit` if the rules and stages before it did not stop
them, while today it lets through no more than the limit: an EXA201 finding hidden by
another rule or stage. The finding sits at the permitting line and names what masks it.

A permit's own width is what its stage alone would let it through with every deny rule
of that stage set aside (other stages, such as pf's `in` rules or an ASA's inbound list,
do not filter); its effective width is what it lets through on today's whole path. Both
are exact sets. A permit that is over-broad today, from any side, is EXA201's, not this
check's.

This is a check of its own, not a mode of EXA201: it is a lower severity (nothing is
exposed today), it can be selected or ignored on its own, and its fingerprint does not
change when a masking rule is removed and EXA201 takes over at the same line.

## Why is this bad?
The width is a defect waiting for the next change: delete or reorder the masking deny,
loosen the inbound list, add an interface to a pf `in` rule, and every RPC service of the
server is open without anyone having touched the permit.

## Example
    -A FORWARD -p tcp --dport 1024:65535 -j DROP
    -A FORWARD -d 10.1.0.10 -j ACCEPT

or, in pf, `pass out on em2 proto tcp to 10.1.0.10 port 1024:65535` behind `in` rules
that pass only port 25.

## Use instead
    -A FORWARD -d 10.1.0.10 -p tcp -m multiport --dports 25,135,1600,1601,1602 -j ACCEPT
a permit as narrow as the flows it serves, whatever the other rules do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from exaudit.analysis.context import AuditContext
from exaudit.analysis.inbound import inbound
from exaudit.analysis.masking import Mask, masked_permits
from exaudit.checks._common import port_value
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import SECURITY
from exaudit.core.findings import Finding, Severity
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import Origin


@dataclass
class _Line:
    """One permit line's widest hidden opening, over every server and side it reaches."""

    stage: str
    own: IntervalSet
    effective: IntervalSet
    servers: set[str] = field(default_factory=set)
    masks: dict[tuple[Origin | None, str], Mask] = field(default_factory=dict)


def run(ctx: AuditContext) -> Iterator[Finding]:
    limit = ctx.topology.policy.ephemeral_limit
    for fa in ctx.firewalls:
        lines: dict[Origin, _Line] = {}
        exposed: set[Origin] = set()
        for ib in inbound(ctx.topology, fa):
            masked, wide = masked_permits(ib, limit)
            exposed |= wide
            for m in masked:
                line = lines.setdefault(m.origin, _Line(m.stage, m.own, m.effective))
                line.servers.add(ib.server.name)
                line.own = line.own | m.own
                line.effective = line.effective | m.effective  # what it permits, any side
                for mask in m.masks:
                    line.masks.setdefault((mask.origin, mask.where), mask)
        for origin, line in sorted(lines.items(), key=lambda kv: kv[0].line):
            if origin in exposed:
                continue  # over-broad today from another side: EXA201's finding
            yield CHECK.finding(fa.firewall.name, origin, _message(origin, line, limit))


def _masks_text(masks: list[Mask]) -> str:
    """The masking lines in line order (the implicit denies last), each with its stages."""
    stages: dict[tuple[Origin | None, str], list[str]] = {}
    for m in masks:
        stages.setdefault((m.origin, m.verdict), []).append(m.where)
    texts = []
    for (origin, verdict), where in sorted(
        stages.items(), key=lambda kv: (kv[0][0] is None, kv[0][0].line if kv[0][0] else 0)
    ):
        at = ", ".join(sorted(set(where)))
        how = ", undetermined" if verdict == "undetermined" else ""
        texts.append(
            f"the implicit deny ({at})" if origin is None else f"line {origin.line} ({at}{how})"
        )
    shown = ", ".join(texts[:4])
    return shown + (f" and {len(texts) - 4} more" if len(texts) > 4 else "")


def _message(origin: Origin, line: _Line, limit: int) -> str:
    today = (
        f"today it permits {line.effective.size()} ({port_value(line.effective)})"
        if line.effective
        else "today it permits none of them"
    )
    return (
        f"line {origin.line} ({line.stage}) would permit new connections to "
        f"{', '.join(sorted(line.servers))} on {line.own.size()} ports >= 1024 "
        f"({_ranges(line.own)}) if nothing stopped them before it; {today}, masked by "
        f"{_masks_text(list(line.masks.values()))}. The limit is {limit}: narrow the "
        "permit before the mask changes"
    )


def _ranges(ports: IntervalSet) -> str:
    spans = ports.spans
    text = ",".join(str(a) if a == b else f"{a}-{b}" for a, b in spans[:4])
    return text + (",..." if len(spans) > 4 else "")


CHECK = check(
    "EXA203", "latent-over-broad-permit", Severity.INFO, Scope.AUDIT, SECURITY, __doc__, run
)

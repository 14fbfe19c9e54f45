"""Findings for required flows a firewall denies, shared by EXA101 and EXA102."""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext, CrossingResult, FirewallAudit
from exaudit.checks._common import (
    decider_text,
    flow_json,
    group_by_decider,
    union_dim,
    union_src,
)
from exaudit.checks.api import Check
from exaudit.core import addresses
from exaudit.core.findings import Finding
from exaudit.core.model import Origin
from exaudit.engine.evaluate import Part, Step
from exaudit.exchange.flows import interface_map
from exaudit.platforms.api import FixRequest


def where(cr: CrossingResult) -> str:
    c = cr.crossing
    if c.local:
        return f" ({c.local.upper()} on the host)"
    return f" (in {c.in_iface}, out {c.out_iface})"


def chains_at_end(path: tuple[Step, ...]) -> tuple[str, ...]:
    """The chain stack of the path's last stage when it ended, outermost first."""
    if not path:
        return ()
    last = path[-1].stage
    steps = [s for s in path if s.stage == last]
    where = [steps[0].chain]
    for step in steps:
        if step.verdict.startswith("jump "):
            where.append(step.verdict[5:])
        elif step.verdict.startswith("goto "):
            where[-1] = step.verdict[5:]
        elif step.verdict == "return" and len(where) > 1:
            where.pop()
    return tuple(where)


def _from_anywhere(cr: CrossingResult, denied: addresses.IntervalSet) -> bool:
    """The flow wants everything that arrives where it enters, and all of it is denied.

    Then the smallest exact rule names no source: ``-i eth0`` (or, on a host firewall,
    nothing) says it, where listing the sources would be the whole space minus every
    network behind the other interfaces, dozens of CIDRs.
    """
    c = cr.crossing
    if denied != c.src:
        return False
    if c.local == "input":
        return any((c.flow.src & fam) == fam for fam in (addresses.ALL_V4, addresses.ALL_V6))
    if c.in_iface is None or c.firewall.interfaces is None:
        return False
    # an interface towards anywhere: a name behind it lists a whole address family
    refs = c.firewall.interfaces.get(c.in_iface, [])
    if not any(r.listed in (addresses.ALL_V4, addresses.ALL_V6) for r in refs):
        return False
    arriving = interface_map(c.firewall).owned[c.in_iface]
    return bool(arriving) and (arriving - c.flow.src).is_empty()


def suggest_fix(
    fa: FirewallAudit, cr: CrossingResult, origin: Origin | None, parts: list[Part]
) -> str | None:
    c = cr.crossing
    denied = union_src(parts)
    request = FixRequest(
        proto=c.flow.proto,
        sources=() if _from_anywhere(cr, denied) else tuple(addresses.to_cidrs(denied)),
        destination=addresses.first_address(c.flow.dst.address),
        ports=union_dim(parts, "dport"),
        in_iface=c.in_iface,
        out_iface=c.out_iface,
        local=c.local,
        stage=parts[0].path[-1].stage if parts[0].path else "",
        before=origin,
        chains=chains_at_end(parts[0].path),
    )
    return fa.platform.fix(fa.ruleset, request)


def blocked(ctx: AuditContext, check: Check[AuditContext], whole: bool) -> Iterator[Finding]:
    """Denied parts of crossings: ``whole`` for fully denied flows, else partly denied."""
    for fa in ctx.firewalls:
        for cr in fa.results:
            denied = cr.forward.by_verdict("deny")
            if not denied:
                continue
            everything = cr.forward.verdicts == {"deny"} and cr.crossing.src == cr.crossing.flow.src
            if everything != whole:
                continue
            flow = cr.crossing.flow
            for origin, chain, parts in group_by_decider(denied):
                src = union_src(parts)
                by = decider_text(origin, chain)
                if whole:
                    message = f"{flow.describe()} is denied by {by}{where(cr)}"
                else:
                    shown = addresses.describe(src)
                    message = (
                        f"{flow.describe()} is denied for part of its sources "
                        f"by {by}{where(cr)}: {shown}"
                    )
                if flow.dynamic:
                    message += (
                        "; the server has no static port for this RPC service, "
                        "so any port >= 1024 may be used"
                    )
                yield check.finding(
                    fa.firewall.name,
                    origin,
                    message,
                    flow_json(flow, src, cr.crossing),
                    suggest_fix(fa, cr, origin, parts),
                )

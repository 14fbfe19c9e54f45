"""Findings for required flows a firewall denies, shared by EXA101 and EXA102."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

from exaudit.analysis.context import AuditContext, CrossingResult, FirewallAudit
from exaudit.checks._common import (
    decider_text,
    finding,
    flow_json,
    group_by_decider,
    union_dim,
    union_src,
)
from exaudit.core import addresses
from exaudit.core.findings import Finding
from exaudit.core.model import Origin
from exaudit.engine.evaluate import Part
from exaudit.platforms import FixRequest


def where(cr: CrossingResult) -> str:
    c = cr.crossing
    if c.local:
        return f" ({c.local.upper()} on the host)"
    return f" (in {c.in_iface}, out {c.out_iface})"


def suggest_fix(fa: FirewallAudit, cr: CrossingResult, origin: Origin | None,
                parts: list[Part]) -> str | None:
    fix = getattr(fa.module, "fix", None)
    if fix is None:
        return None
    c = cr.crossing
    request = FixRequest(
        proto=c.flow.proto,
        sources=tuple(addresses.to_cidrs(union_src(parts))),
        destination=addresses.first_address(c.flow.dst.address),
        ports=union_dim(parts, "dport"),
        in_iface=c.in_iface,
        out_iface=c.out_iface,
        local=c.local,
        stage=parts[0].path[-1].stage if parts[0].path else "",
        before=origin,
    )
    return fix(fa.ruleset, request)


def blocked(ctx: AuditContext, check: ModuleType, whole: bool) -> Iterator[Finding]:
    """Denied parts of crossings: ``whole`` for fully denied flows, else partly denied."""
    for fa in ctx.firewalls:
        for cr in fa.results:
            denied = cr.forward.by_verdict("deny")
            if not denied:
                continue
            everything = (cr.forward.verdicts == {"deny"}
                          and cr.crossing.src == cr.crossing.flow.src)
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
                    message = (f"{flow.describe()} is denied for part of its sources "
                               f"by {by}{where(cr)}: {shown}")
                if flow.dynamic:
                    message += ("; the server has no static port for this RPC service, "
                                "so any port >= 1024 may be used")
                yield finding(check, fa.firewall.name, origin, message,
                              flow_json(flow, src, cr.crossing),
                              suggest_fix(fa, cr, origin, parts))

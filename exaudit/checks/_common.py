"""Helpers shared by the check modules: building findings and describing flows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from exaudit.checks.api import Check, RulesetContext
from exaudit.core import addresses
from exaudit.core.findings import Finding
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import Origin
from exaudit.engine.evaluate import Part
from exaudit.exchange.flows import Crossing, Flow


def issue_findings(check: Check[RulesetContext], ctx: RulesetContext) -> Iterator[Finding]:
    """The parser's issues of ``check``'s code, as findings at their lines."""
    for issue in ctx.ruleset.issues:
        if issue.code == check.code:
            yield check.finding(ctx.firewall, issue.origin, issue.message)


def port_value(ports: IntervalSet) -> int | str:
    if len(ports.spans) == 1 and ports.spans[0][0] == ports.spans[0][1]:
        return ports.spans[0][0]
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in ports.spans)


def flow_json(
    flow: Flow, blocked: IntervalSet | None = None, crossing: Crossing | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": flow.id,
        "proto": flow.proto,
        "port": port_value(flow.ports),
        "src": flow.src_label,
        "dst": flow.dst.name,
    }
    if blocked is not None:
        out["blocked"] = addresses.to_cidrs(blocked)
    if crossing is not None and not crossing.local:
        out["in"] = crossing.in_iface
        out["out"] = crossing.out_iface
    elif crossing is not None:
        out["path"] = crossing.local
    return out


def group_by_decider(parts: list[Part]) -> list[tuple[Origin | None, str, list[Part]]]:
    """Parts grouped by the line that decided them, in line order (implicit deny last)."""
    groups: dict[tuple[Origin | None, str], list[Part]] = {}
    for p in parts:
        chain = p.path[-1].stage + " " + p.path[-1].chain if p.path else ""
        groups.setdefault((p.decided_by, chain), []).append(p)
    return sorted(
        ((o, c, ps) for (o, c), ps in groups.items()),
        key=lambda g: (g[0] is None, g[0].line if g[0] else 0),
    )


def union_src(parts: list[Part]) -> IntervalSet:
    out = IntervalSet()
    for p in parts:
        out = out | p.src
    return out


def union_dim(parts: list[Part], dim: str) -> IntervalSet:
    out = IntervalSet()
    for p in parts:
        out = out | p.dim(dim)
    return out


def decider_text(origin: Origin | None, where: str) -> str:
    if origin is None:
        return f"the implicit deny ({where.strip()})"
    return f"line {origin.line}"


def sources_text(part: IntervalSet, whole: IntervalSet) -> str:
    """The sources of a part, or "all its sources" when it is the whole."""
    return "all its sources" if part == whole else addresses.describe(part)

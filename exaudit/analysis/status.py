"""The verdict of each required flow at each firewall, worst first, with deciding lines."""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.analysis.context import CrossingResult, FirewallAudit
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import Origin
from exaudit.exchange.flows import Crossing

# Worst first: a flow at a firewall has the first status whose test holds.
STATUSES = ("deny", "partly denied", "replies denied", "undetermined", "permit")

# (direction, verdict, deciding line, "stage chain" where it was decided)
Decision = tuple[str, str, Origin | None, str]


@dataclass
class FlowState:
    """A crossing's verdict and the lines that decided each part (forward and replies)."""

    firewall: str
    crossing: Crossing
    status: str
    decided: list[Decision]
    # the sources each forward verdict covers, and the clients whose replies are denied:
    # two versions may agree on the status and still deny different addresses
    sources: dict[str, IntervalSet] = field(default_factory=dict)
    replies_denied: IntervalSet = field(default_factory=IntervalSet)

    @property
    def key(self) -> tuple[str, ...]:
        c = self.crossing
        return (
            self.firewall,
            c.flow.id,
            c.flow.src_label,
            c.flow.dst.name,
            c.local or f"{c.in_iface}>{c.out_iface}",
        )

    def lines(self, verdict: str | None = None) -> list[int]:
        return sorted(
            {
                o.line
                for _, v, o, _ in self.decided
                if o is not None and (verdict is None or v == verdict)
            }
        )

    def lines_by_verdict(self) -> dict[str, list[int]]:
        return {v: self.lines(v) for v in sorted({v for _, v, _, _ in self.decided})}


def status(cr: CrossingResult) -> str:
    forward = cr.forward.verdicts
    replies: set[str] = set()
    for r in cr.replies:
        replies |= r.result.verdicts
    tests = {
        "deny": forward == {"deny"},
        "partly denied": "deny" in forward,
        "replies denied": "deny" in replies,
        "undetermined": "undetermined" in forward | replies,
        "permit": True,
    }
    return next(s for s in STATUSES if tests[s])


def decisions(cr: CrossingResult) -> list[Decision]:
    out = []
    for direction, result in [("forward", cr.forward)] + [("reply", r.result) for r in cr.replies]:
        for p in result.parts:
            chain = f"{p.path[-1].stage} {p.path[-1].chain}" if p.path else ""
            out.append((direction, p.verdict, p.decided_by, chain))
    return out


def _sources(cr: CrossingResult) -> dict[str, IntervalSet]:
    out: dict[str, IntervalSet] = {}
    for p in cr.forward.parts:
        out[p.verdict] = out.get(p.verdict, IntervalSet()) | p.src
    return out


def _replies_denied(cr: CrossingResult) -> IntervalSet:
    out = IntervalSet()
    for r in cr.replies:
        for p in r.result.by_verdict("deny"):
            out = out | p.dim("dst")  # a reply goes to the client
    return out


def flow_states(fa: FirewallAudit) -> list[FlowState]:
    return [
        FlowState(
            fa.firewall.name,
            cr.crossing,
            status(cr),
            decisions(cr),
            _sources(cr),
            _replies_denied(cr),
        )
        for cr in fa.results
    ]

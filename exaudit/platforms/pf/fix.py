"""A ``pass quick`` rule that permits what a finding says is denied, and where it goes."""

from __future__ import annotations

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import Ruleset
from exaudit.platforms.api import FixRequest
from exaudit.platforms.pf.model import PfRuleset


def _ports(ports: IntervalSet) -> str:
    items = [str(a) if a == b else f"{a}:{b}" for a, b in ports.spans]
    return items[0] if len(items) == 1 else "{ " + ", ".join(items) + " }"


def _family(texts: list[str]) -> str:
    sets = [addresses.parse(t) for t in texts]
    fams = set().union(*(addresses.family_of(s) for s in sets)) if sets else set()
    return {frozenset({4}): " inet", frozenset({6}): " inet6"}.get(frozenset(fams), "")


def fix(ruleset: Ruleset, request: FixRequest) -> str | None:
    """A ``pass ... quick`` rule for the request; where to put it when a quick block wins."""
    direction = "out" if request.stage.startswith("out") or request.local == "output" else "in"
    iface = request.out_iface if direction == "out" else request.in_iface
    sources = list(request.sources) or ["any"]
    try:
        family = _family([s for s in sources if s != "any"] + [request.destination])
    except addresses.AddressError:
        family = ""
    src = sources[0] if len(sources) == 1 else "{ " + ", ".join(sources) + " }"
    on = f" on {iface}" if iface else ""
    rule = (
        f"pass {direction} quick{on}{family} proto {request.proto} from {src} "
        f"to {request.destination} port {_ports(request.ports)}"
    )
    before = request.before
    assert isinstance(ruleset, PfRuleset)
    if before is not None and (before.file, before.line) in ruleset.quick_blocks:
        where = (
            f"line {before.line}"
            if before.file == ruleset.file
            else f"{before.file} line {before.line}"
        )
        return f"{rule}  # insert before {where} (a quick block there decides first)"
    return rule

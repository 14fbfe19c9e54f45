"""Suggested rules: iptables commands that permit what a deny stops, where it stops it."""

from __future__ import annotations

from exaudit.core.intervals import IntervalSet
from exaudit.core.model import (
    Chain,
    Origin,
    Ruleset,
)
from exaudit.platforms.api import FixRequest
from exaudit.platforms.iptables.ruleset import IptablesRuleset


def _port_args(ports: IntervalSet) -> list[str]:
    spans = list(ports.spans)
    if len(spans) == 1:
        lo, hi = spans[0]
        return ["--dport", str(lo) if lo == hi else f"{lo}:{hi}"]
    items = [str(lo) if lo == hi else f"{lo}:{hi}" for lo, hi in spans]
    return ["-m", "multiport", "--dports", ",".join(items)]


def _multiport_chunks(ports: IntervalSet) -> list[IntervalSet]:
    """Split a port set into multiport-sized pieces (15 slots, a range takes two)."""
    if len(ports.spans) <= 1:
        return [ports]
    chunks: list[IntervalSet] = []
    current: list[tuple[int, int]] = []
    used = 0
    for lo, hi in ports.spans:
        cost = 1 if lo == hi else 2
        if used + cost > 15:
            chunks.append(IntervalSet(current))
            current, used = [], 0
        current.append((lo, hi))
        used += cost
    if current:
        chunks.append(IntervalSet(current))
    return chunks


def _position(ruleset: Ruleset, origin: Origin) -> tuple[str, str, int] | None:
    """The table and chain holding the rule of ``origin`` and its 1-based kernel position."""
    if not isinstance(ruleset, IptablesRuleset):
        return _positions(ruleset.chains, {}, "filter").get(origin)
    if ruleset.positions is None:
        found: dict[Origin, tuple[str, str, int]] = {}
        for table, chains in [("filter", ruleset.chains), *ruleset.tables.items()]:
            for key, value in _positions(chains, ruleset.rule_sizes.get(table, {}), table).items():
                found.setdefault(key, value)
        ruleset.positions = found
    return ruleset.positions.get(origin)


def _positions(
    chains: dict[str, Chain], sizes: dict[str, list[int]], table: str
) -> dict[Origin, tuple[str, str, int]]:
    """Every rule's chain and kernel position, computed once per ruleset (fixes are many)."""
    out: dict[Origin, tuple[str, str, int]] = {}
    for name, chain in chains.items():
        chain_sizes = sizes.get(name)
        if chain_sizes is None:
            for i, rule in enumerate(chain.rules):
                out.setdefault(rule.origin, (table, name, i + 1))
            continue
        i = 0
        for pos, size in enumerate(chain_sizes, 1):
            out.setdefault(chain.rules[i].origin, (table, name, pos))
            i += size
    return out


def _fell_off(ruleset: Ruleset, request: FixRequest, chain: str) -> str:
    """The chain at whose end a policy-denied request's packets leave the rules: the top
    of the chain stack the evaluation ended with (a goto replaces it, so packets falling
    off a goto's chain never come back to the end of ``chain``)."""
    if request.chains and request.chains[-1] in ruleset.chains:
        return request.chains[-1]
    return chain


def fix(ruleset: Ruleset, request: FixRequest) -> str | None:
    """iptables commands (iptables-save syntax) that permit the request where it is denied."""
    if request.stage in ruleset.chains:
        chain = request.stage
    elif request.local == "input":
        chain = "INPUT"
    elif request.local == "output":
        chain = "OUTPUT"
    else:
        chain = "FORWARD" if request.out_iface else "INPUT"
    where = f"-A {chain}"
    found = _position(ruleset, request.before) if request.before is not None else None
    table, _, hook = request.stage.rpartition(" ")  # "raw PREROUTING": another table's stage
    if found is not None:
        table, chain = found[0], found[1]
        where = f"-I {chain} {found[2]}"
    elif table:
        chain = hook
        where = f"-A {chain}"
    elif chain in ruleset.chains:
        # denied by the policy: usually at the end of the chain, unless the packets fell
        # off a chain that a goto led them to (they never come back to the end then)
        chain = _fell_off(ruleset, request, chain)
        where = f"-A {chain}"
    if table and table != "filter":
        # ACCEPT ends that table's chain: the packets go on to the next table
        where = f"-t {table} {where}"
    words = [where]
    if request.in_iface and chain not in ("OUTPUT", "POSTROUTING"):
        words += ["-i", request.in_iface]
    if request.out_iface and chain not in ("INPUT", "PREROUTING"):
        words += ["-o", request.out_iface]
    if request.sources:
        words += ["-s", ",".join(request.sources)]
    words += ["-d", request.destination, "-p", request.proto]
    lines = [
        " ".join(words + _port_args(chunk) + ["-j", "ACCEPT"])
        for chunk in _multiport_chunks(request.ports)
    ]
    return "\n".join(lines)

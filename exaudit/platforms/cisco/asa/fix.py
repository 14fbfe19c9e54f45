"""Suggesting ASA lines that permit what a list or a security level denies."""

from __future__ import annotations

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import Origin, Ruleset
from exaudit.platforms.api import FixRequest
from exaudit.platforms.cisco.asa.model import Acl, AsaRuleset, Interface, asa_ruleset
from exaudit.platforms.cisco.asa.stages import level_verdict, resolve_interface


def render_address(spans: IntervalSet) -> list[str]:
    """ASA address arguments for a set: ``any4``, ``host A``, ``A MASK``, ``V6/LEN``."""
    if spans == addresses.ALL:
        return ["any"]
    out = []
    for fam, word in ((addresses.ALL_V4, "any4"), (addresses.ALL_V6, "any6")):
        part = spans & fam
        if part == fam:
            out.append(word)
            continue
        for cidr in addresses.to_cidrs(part):
            if "/" not in cidr:
                out.append(f"host {cidr}")
            elif fam is addresses.ALL_V6:
                out.append(cidr)
            else:
                address, length = cidr.split("/")
                mask = addresses._from_int((0xFFFFFFFF << (32 - int(length))) & 0xFFFFFFFF)
                out.append(f"{address} {mask}")
    return out


def _bodies(request: FixRequest) -> list[str]:
    sources: list[str] = [] if request.sources else ["any"]  # none: from anywhere
    for src in request.sources:
        sources.extend(render_address(addresses.parse(src)))
    dsts = render_address(addresses.parse(request.destination))
    ports = [
        ""
        if request.ports == IntervalSet.span(0, 65535)
        else (f"eq {lo}" if lo == hi else f"range {lo} {hi}")
        for lo, hi in request.ports.spans
    ]
    out = []
    for s in dict.fromkeys(sources):
        for d in dsts:
            for p in ports:
                out.append(" ".join(x for x in ("permit", request.proto, s, d, p) if x))
    return out


def _position(acl: Acl, before: Origin | None) -> int | None:
    """The ASA line number (remarks count) of the deciding entry, None if not in the list."""
    if before is None:
        return None
    for number, entry in enumerate(acl.entries, 1):
        if entry.index == before.line - 1:
            return number
    return None


def fix(ruleset: Ruleset, request: FixRequest) -> str | None:
    """ASA lines that permit the request where the deny happened."""
    return _fix(asa_ruleset(ruleset), request)


def _fix(ruleset: AsaRuleset, request: FixRequest) -> str | None:
    if request.local is not None:
        return None
    words = request.stage.split()
    if not words:
        return None
    bodies = _bodies(request)
    if not bodies:
        return None
    if words[0] == "same-security":
        kind = "intra-interface" if request.in_iface == request.out_iface else "inter-interface"
        return f"same-security-traffic permit {kind}"
    acls = ruleset.acls
    if words[0] == "acl" and len(words) == 2:
        candidates = [words[1]]
    elif words[0] == "in" and len(words) >= 3:
        iface = resolve_interface(ruleset, words[1])
        bindings = ruleset.bindings
        own = bindings.get((iface.nameif or "", "in"))
        glob = bindings.get(("", "global"))
        if own is None and glob is None:
            return _new_acl(ruleset, iface, bodies)
        candidates = [b.acl for b in (own, glob) if b is not None]
    elif words[0] == "out" and len(words) >= 3:
        candidates = [" ".join(words[2:])]
    else:
        return None
    candidates = [c for c in candidates if c in acls]
    if not candidates:
        return None
    for name in candidates:
        line = _position(acls[name], request.before)
        if line is not None:
            return "\n".join(
                f"access-list {name} line {line + j} extended {body}"
                for j, body in enumerate(bodies)
            )
    # the implicit deny: append to the interface's own list (it runs before the global one)
    name = candidates[0]
    return "\n".join(f"access-list {name} extended {body}" for body in bodies)


def _new_acl(ruleset: AsaRuleset, iface: Interface, bodies: list[str]) -> str:
    nameif = iface.nameif or iface.name
    name = f"{nameif}_access_in"
    while name in ruleset.acls:
        name += "_1"
    lines = []
    lower = [
        i
        for i in ruleset.interfaces.values()
        if i.nameif and i is not iface and level_verdict(ruleset, iface, i)
    ]
    if lower:
        lines.append(
            f"access-list {name} remark exaudit: an access-group replaces the "
            f"security-level permit for traffic entering {nameif}; permit what "
            "else it must pass"
        )
    lines.extend(f"access-list {name} extended {body}" for body in bodies)
    lines.append(f"access-group {name} in interface {nameif}")
    return "\n".join(lines)

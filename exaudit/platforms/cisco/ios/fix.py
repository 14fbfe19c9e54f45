"""Suggesting IOS lines that permit what a list denies."""

from __future__ import annotations

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import Origin, Ruleset
from exaudit.platforms.api import FixRequest
from exaudit.platforms.cisco.ios.model import Acl, IosRuleset, ios_ruleset
from exaudit.platforms.cisco.ios.stages import acl_by_name


def _render_address(cidr: str, family: int) -> str:
    if family == 6:
        if cidr == "::/0":
            return "any"
        return f"host {cidr}" if "/" not in cidr else cidr
    if cidr == "0.0.0.0/0":
        return "any"
    if "/" not in cidr:
        return f"host {cidr}"
    address, length = cidr.split("/")
    wild = (1 << (32 - int(length))) - 1
    return f"{address} {addresses._from_int(wild)}"


def render_sources(sources: tuple[str, ...], family: int) -> list[str]:
    out: list[str] = []
    fam = addresses.ALL_V6 if family == 6 else addresses.ALL_V4
    for src in sources:
        spans = addresses.parse(src) & fam
        if spans == fam:
            out.append("any")
            continue
        out.extend(_render_address(c, family) for c in addresses.to_cidrs(spans))
    return list(dict.fromkeys(out))


def render_ports(ports: IntervalSet) -> list[str]:
    if ports == IntervalSet.span(0, 65535):
        return [""]
    return [f"eq {lo}" if lo == hi else f"range {lo} {hi}" for lo, hi in ports.spans]


def _acls_for_stage(ruleset: IosRuleset, label: str) -> list[Acl]:
    """The lists a stage label names (``out Gi0/1 110 + ipv6 V6``, ``acl X``)."""
    words = label.split()
    if len(words) >= 2 and words[0] == "acl":
        found = ruleset.acls.get(" ".join(words[1:]))
        return [found] if found is not None else []
    if len(words) < 3 or words[0] not in ("in", "out"):
        return []
    out = []
    for name in " ".join(words[2:]).split(" + "):
        family = 4
        if name.startswith("ipv6 "):
            family, name = 6, name[5:]
        acl = acl_by_name(ruleset, name, family)
        if acl is not None:
            out.append(acl)
    return out


def _sequences(acl: Acl, before: Origin | None, count: int) -> tuple[list[int], str | None]:
    """Free sequence numbers just above the deciding deny, or a resequence command first."""
    entries = sorted(acl.entries, key=lambda e: e.seq)
    if before is None:
        last = entries[-1].seq if entries else 0
        return [last + 10 * (j + 1) for j in range(count)], None
    position = next((i for i, e in enumerate(entries) if e.index == before.line - 1), None)
    if position is None:
        last = entries[-1].seq if entries else 0
        return [last + 10 * (j + 1) for j in range(count)], None
    deny = entries[position].seq
    prev = entries[position - 1].seq if position > 0 else 0
    step = (deny - prev) // (count + 1)
    if step >= 1:
        return [prev + step * (j + 1) for j in range(count)], None
    increment = 10 * (count // 10 + 1)
    prev, deny = increment * position, increment * (position + 1)
    step = (deny - prev) // (count + 1)
    seqs = [prev + step * (j + 1) for j in range(count)]
    return seqs, f"ip access-list resequence {acl.name} {increment} {increment}"


def fix(ruleset: Ruleset, request: FixRequest) -> str | None:
    """IOS lines inserting permits just above the deny that decided the request."""
    rs = ios_ruleset(ruleset)
    if request.local is not None:
        return None
    dst_family = 6 if addresses.parse(request.destination).issubset(addresses.ALL_V6) else 4
    candidates = [a for a in _acls_for_stage(rs, request.stage) if a.family == dst_family]
    if request.before is not None:
        line = request.before.line - 1
        candidates = [a for a in candidates if any(e.index == line for e in a.entries)]
    if not candidates:
        return None
    acl = candidates[0]
    # no sources: from anywhere (the interface the ACL is bound to says where)
    sources = render_sources(request.sources, acl.family) if request.sources else ["any"]
    dst = render_sources((request.destination,), acl.family)
    if not sources or not dst:
        return None
    bodies = []
    if acl.kind == "standard":
        bodies = [f"permit {s}" for s in sources]
    else:
        for s in sources:
            for d in dst:
                for p in render_ports(request.ports):
                    bodies.append(" ".join(x for x in ("permit", request.proto, s, d, p) if x))
    seqs, reseq = _sequences(acl, request.before, len(bodies))
    out = []
    if acl.numbered:
        out.append(
            f"! access-list {acl.name} is numbered: IOS (12.3 and later) edits it by "
            "sequence number as a named list"
        )
    if acl.kind == "standard":
        out.append(
            f"! {acl.name} is a standard ACL: it matches sources only, so these "
            "entries permit all traffic from them"
        )
    if reseq:
        out.append(reseq)
    if acl.family == 6:
        out.append(f"ipv6 access-list {acl.name}")
        out.extend(f" {body} sequence {seq}" for seq, body in zip(seqs, bodies, strict=False))
    else:
        out.append(f"ip access-list {acl.kind} {acl.name}")
        out.extend(f" {seq} {body}" for seq, body in zip(seqs, bodies, strict=False))
    return "\n".join(out)

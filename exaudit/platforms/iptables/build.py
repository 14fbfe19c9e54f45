"""From a parsed iptables command to model rules: option contributions and rule recipes.

Each option value turns into a *contribution* (restrictions on packet dimensions, an
error iptables would raise, or a description of a condition exaudit does not model),
memoized by value. A *recipe* gathers a rule's contributions, except for the addresses
and interfaces, which the reader adds when it makes the rules.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field, fields
from functools import lru_cache

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import PROTOCOLS, IfaceMatch, Match, Origin, Rule, Target
from exaudit.platforms.iptables import extensions as ext
from exaudit.platforms.iptables import values
from exaudit.platforms.iptables.command import _AH6
from exaudit.platforms.iptables.words import Command

# -f / ! -f: kept on the rule (a packet set has no fragment dimension); the stages answer
# them exactly for the packets exaudit asks about, which are never non-first fragments
LATER_FRAGMENTS = "-f (second and further fragments)"
NOT_LATER_FRAGMENTS = "! -f (unfragmented or first fragments)"
FRAGMENTS = frozenset({LATER_FRAGMENTS, NOT_LATER_FRAGMENTS})
# The kernel's two backends disagree on this rule (tried in a namespace, iptables 1.8.9):
# iptables-legacy matches when neither port is the one named (the man page), iptables-nft
# unless both are (it compares the port pair at once)
BACKENDS_DISAGREE = (
    "! --sport A ! --dport B with single ports in one match: iptables-legacy matches when "
    "neither port is the one named, iptables-nft unless both are; which one loads the "
    "rules decides"
)
PORT_PROTOCOLS = IntervalSet.of([6, 17, 33, 132, 136])
TCP_ONLY = IntervalSet.point(6)
ICMP_PROTOCOLS = IntervalSet.of([1, 58])
EMPTY = IntervalSet()
Alt = dict  # dimension name -> IntervalSet
# what a modeled option says: its alternatives (as Contribution.alts) and any unmodeled text
Handled = tuple[tuple[Alt, ...], "str | None"]

# --- fast constructors for the frozen model classes ---------------------------------------
# A frozen dataclass __init__ sets each field through object.__setattr__; filling the
# instance dict directly is three times faster and matters at 100,000 rules.
_new = object.__new__
_FAST = {f.name for f in fields(Rule)} == {"origin", "match", "target", "unknown", "stateful"} and {
    f.name for f in fields(Origin)
} == {"file", "line", "text"}


def make_rule(origin: Origin, match: Match, target: Target, unknown: tuple[str, ...]) -> Rule:
    if not _FAST:  # pragma: no cover - the model changed; stay correct
        return Rule(origin, match, target, unknown)
    rule = _new(Rule)
    rule.__dict__.update(origin=origin, match=match, target=target, unknown=unknown, stateful=False)
    return rule


def make_origin(file: str, line: int, text: str) -> Origin:
    if not _FAST:  # pragma: no cover
        return Origin(file, line, text)
    origin = _new(Origin)
    origin.__dict__.update(file=file, line=line, text=text)
    return origin


_tuple_new = tuple.__new__


def make_match(
    proto: IntervalSet | None,
    src: IntervalSet | None,
    dst: IntervalSet | None,
    sport: IntervalSet | None,
    dport: IntervalSet | None,
    flags: IntervalSet | None,
    state: IntervalSet | None,
    iif: IfaceMatch | None,
    oif: IfaceMatch | None,
) -> Match:
    return _tuple_new(Match, (proto, src, dst, sport, dport, flags, state, iif, oif))


# --- option contributions ------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """What one option says about packets: restrictions, a refusal, or unmodeled text."""

    alts: tuple[Alt, ...] = ()  # (): no restriction; one: intersect; more: disjoint OR
    error: str | None = None
    unknown: str | None = None


NOTHING = Contribution()


def describe(module: str, option: str, invert: bool, vals: tuple[str, ...]) -> str:
    """An option as written (``! --name value``); recipes put ``-m MODULE`` in front."""
    words = " ".join(shlex.quote(v) if v else '""' for v in vals)
    return f"{'! ' if invert else ''}--{option}" + (f" {words}" if words else "")


def _spec(module: str, family: int, is_target: bool) -> ext.Extension | None:
    if is_target:
        return ext.TARGET_EXTS.get(module)
    if module == "ah" and family == 6:
        return _AH6
    return ext.MATCHES.get(module)


@lru_cache(maxsize=1 << 16)
def contribution(
    module: str, option: str, invert: bool, vals: tuple[str, ...], family: int, is_target: bool
) -> Contribution:
    spec = _spec(module, family, is_target)
    opt = spec.options.get(option) if spec is not None else None
    error = None
    if opt is not None and opt.check is not None and vals:
        problem = opt.check(vals[0], family)  # type: ignore[operator]
        if problem:
            kind = "target" if is_target else "match"
            error = f"{kind} {module} --{option}: {problem}"
    if is_target:
        return Contribution((), error, None) if error else NOTHING
    handler = _MODELED.get(module)
    if handler is None:
        return Contribution((), error, describe(module, option, invert, vals))
    try:
        alts, unknown = handler(module, option, invert, vals, family)
    except values.BadValue as exc:
        return Contribution((), error or f"{module} --{option}: {exc}", None)
    return Contribution(alts, error, unknown)


def _ports(module: str, option: str, invert: bool, vals: tuple[str, ...], family: int) -> Handled:
    dim = _PORT_DIMS.get(option)
    if dim is not None:
        got = values.port_range(vals[0])
        return ({dim: values.not_ports(got) if invert else got},), None
    if option == "syn":
        return ({"flags": values.flags_set(0x17, 0x02, invert)},), None
    if option == "tcp-flags":
        return ({"flags": values.tcp_flags(vals[0], vals[1], invert)},), None
    return (), describe(module, option, invert, vals)


_PORT_DIMS = {
    "dport": "dport",
    "destination-port": "dport",
    "sport": "sport",
    "source-port": "sport",
}
_MULTI_DIMS = {
    "dports": "dport",
    "destination-ports": "dport",
    "sports": "sport",
    "source-ports": "sport",
}


def _multiport(
    module: str, option: str, invert: bool, vals: tuple[str, ...], family: int
) -> Handled:
    got = values.port_list(vals[0])
    dim = _MULTI_DIMS.get(option)
    if dim is not None:
        return ({dim: values.not_ports(got) if invert else got},), None
    if invert:  # ! --ports P: neither port in P
        other = values.not_ports(got)
        return ({"sport": other, "dport": other},), None
    # --ports P: the source or the destination port in P, as two disjoint boxes
    return ({"sport": got}, {"sport": values.not_ports(got), "dport": got}), None


def _icmp(module: str, option: str, invert: bool, vals: tuple[str, ...], family: int) -> Handled:
    kind, lo, hi = values.icmp_type(vals[0], family)
    if kind == 255 and family == 4:  # "any": the kernel matches every type
        return (({"dport": EMPTY},) if invert else ()), None
    types = IntervalSet.point(kind)
    codes = None if (lo, hi) == (0, 255) else IntervalSet.span(lo, hi)  # empty if lo > hi
    if not invert:
        return ({"dport": types} if codes is None else {"dport": types, "sport": codes},), None
    if codes is None:
        return ({"dport": values.not_ports(types)},), None
    # not (type t with a code in c): another type, or type t with another code
    return (
        {"dport": values.not_ports(types)},
        {"dport": types, "sport": values.not_ports(codes)},
    ), None


def _iprange(module: str, option: str, invert: bool, vals: tuple[str, ...], family: int) -> Handled:
    got = values.address_range(vals[0], family)
    dim = "src" if option == "src-range" else "dst"
    return ({dim: values.complement(got, addresses.V6_MAX) if invert else got},), None


def _state(module: str, option: str, invert: bool, vals: tuple[str, ...], family: int) -> Handled:
    if option not in ("state", "ctstate"):
        return (), describe(module, option, invert, vals)
    got, nat = values.states(vals[0], option == "ctstate")
    if nat:
        # SNAT/DNAT say whether NAT applies, which is no connection state: not modeled
        return (), describe(module, option, invert, vals)
    return ({"state": values.complement(got, 6) if invert else got},), None


def _comment(module: str, option: str, invert: bool, vals: tuple[str, ...], family: int) -> Handled:
    return (), None


_MODELED = {
    "tcp": _ports,
    "udp": _ports,
    "sctp": _ports,
    "dccp": _ports,
    "multiport": _multiport,
    "icmp": _icmp,
    "icmp6": _icmp,
    "iprange": _iprange,
    "state": _state,
    "conntrack": _state,
    "comment": _comment,
}

# --- recipes -------------------------------------------------------------------------------


@dataclass
class Recipe:
    """What a rule's options say, apart from its addresses and interfaces."""

    base: dict = field(default_factory=dict)  # one restriction per dimension
    alternatives: list = field(default_factory=list)  # groups of disjoint boxes, ORed
    unknown: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    target: str | None = None
    goto: bool = False


def merge(c: Contribution, base: dict, alternatives: list, unknown: list, errors: list) -> None:
    if c.error:
        errors.append(c.error)
    if c.unknown:
        unknown.append(c.unknown)
    alts = c.alts
    if len(alts) == 1:
        for dim, value in alts[0].items():
            old = base.get(dim)
            base[dim] = value if old is None else old & value
    elif alts:
        alternatives.append(alts)


_PROTO_SETS: dict[tuple[int, bool], IntervalSet] = {}


def proto_set(proto: int, negated: bool) -> IntervalSet:
    got = _PROTO_SETS.get((proto, negated))
    if got is None:
        point = IntervalSet.point(proto)
        got = _PROTO_SETS[(proto, negated)] = PROTOCOLS - point if negated else point
    return got


def make_recipe(cmd: Command, family: int) -> Recipe:
    r = Recipe(target=cmd.target, goto=cmd.goto)
    r.errors.extend(cmd.errors)
    if cmd.proto:
        r.base["proto"] = proto_set(cmd.proto, cmd.proto_neg)
    if cmd.fragment:
        r.unknown.append(NOT_LATER_FRAGMENTS if cmd.fragment < 0 else LATER_FRAGMENTS)
    uses = [(u, False) for u in cmd.matches]
    if cmd.target_use is not None:
        uses.append((cmd.target_use, True))
    for use, is_target in uses:
        if not use.opts and not is_target and use.name not in _MODELED:
            r.unknown.append(f"-m {use.name}")
            continue
        parts: list[str] = []
        pair = _negated_port_pair(use.opts) if use.name in ("tcp", "udp") else None
        if pair is not None:
            # what either backend may match: not (sport A and dport B), as two disjoint
            # boxes; kept uncertain, so where they differ the answer is undetermined
            not_a, not_b = values.not_ports(pair[0]), values.not_ports(pair[1])
            r.alternatives.append(({"sport": not_a}, {"sport": pair[0], "dport": not_b}))
            r.unknown.append(BACKENDS_DISAGREE)
        for name, invert, vals in use.opts:
            if pair is not None and invert and name in _PORT_OPTIONS:
                continue
            merge(
                contribution(use.name, name, invert, vals, family, is_target),
                r.base,
                r.alternatives,
                parts,
                r.errors,
            )
        if parts:  # one description per module: "-m recent --update --seconds 60"
            r.unknown.append(f"-m {use.name} " + " ".join(parts))
    return r


_PORT_OPTIONS = frozenset({"sport", "dport", "source-port", "destination-port"})


def _negated_port_pair(
    opts: list[tuple[str, bool, tuple[str, ...]]],
) -> tuple[IntervalSet, IntervalSet] | None:
    """The ports of ``! --sport A ! --dport B`` in one tcp/udp match, both single ports."""
    single: dict[str, IntervalSet] = {}
    for name, invert, vals in opts:
        if invert and name in _PORT_OPTIONS and vals:
            try:
                got = values.port_range(vals[0])
            except values.BadValue:
                continue
            if len(got.spans) == 1 and got.spans[0][0] == got.spans[0][1]:
                single[name[0] + "port"] = got  # sport/source-port, dport/destination-port
    if set(single) != {"sport", "dport"}:
        return None
    return single["sport"], single["dport"]


def conventions(base: dict, alternatives: list) -> tuple[dict, list]:
    """Ports and flags only where the protocol has them (else dropped: a wider bound).

    Valid rules always satisfy this (iptables demands -p for port matches); only rules
    iptables refuses arrive without it, and those are undetermined anyway.
    """
    proto = base.get("proto")
    if proto is not None and (proto.issubset(PORT_PROTOCOLS) or proto.issubset(ICMP_PROTOCOLS)):
        if "flags" in base and not proto.issubset(TCP_ONLY):
            base = {k: v for k, v in base.items() if k != "flags"}
        return base, alternatives
    if not any(d in base for d in ("sport", "dport", "flags")) and not alternatives:
        return base, alternatives
    base = {k: v for k, v in base.items() if k not in ("sport", "dport", "flags")}
    alternatives = [
        tuple(
            {k: v for k, v in alt.items() if k not in ("sport", "dport", "flags")} for alt in alts
        )
        for alts in alternatives
    ]
    return base, alternatives


def combine(base: dict, alternatives: list) -> list[dict]:
    boxes = [base]
    for alts in alternatives:
        grown = []
        for box in boxes:
            for alt in alts:
                merged = dict(box)
                for dim, value in alt.items():
                    old = merged.get(dim)
                    merged[dim] = value if old is None else old & value
                grown.append(merged)
        boxes = grown
    return boxes


def interfaces(
    iif: str | None, iif_neg: bool, oif: str | None, oif_neg: bool, errors: list
) -> tuple[IfaceMatch | None, IfaceMatch | None]:
    a = b = None
    try:
        if iif is not None:
            a = values.interface(iif, iif_neg)
        if oif is not None:
            b = values.interface(oif, oif_neg)
    except values.BadValue as exc:
        errors.append(str(exc))
    return a, b


def address_list(
    text: str | None, negated: bool, family: int, what: str, errors: list, unknown: list
) -> list[IntervalSet | None]:
    if text is None:
        return [None]
    if "," not in text:
        try:
            got = values.address(text, family)
        except values.HostName:
            unknown.append(
                f"{what} host name {text!r} (iptables resolves it in DNS when the rule is loaded)"
            )
            return [None]
        except values.OverBudget as exc:
            unknown.append(
                f"{what} {text}: {exc}, past exaudit's budget of "
                f"{addresses.MAX_WILDCARD_SPANS} (the rule is kept as undetermined)"
            )
            return [None]
        except values.BadValue as exc:
            errors.append(str(exc))
            return [None]
        return [values.complement(got, addresses.V6_MAX) if negated else got]
    items = text.split(",")
    if negated:
        errors.append("! not allowed with multiple source or destination addresses")
        return [None]
    out: list[IntervalSet | None] = []
    for item in items:
        out.extend(address_list(item, False, family, what, errors, unknown))
    return out

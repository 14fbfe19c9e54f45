"""The fast reader of iptables-save's canonical ``-A`` lines, in one pass per line."""

from __future__ import annotations

from typing import Any

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import (
    Target,
    Verb,
)
from exaudit.platforms.iptables import values
from exaudit.platforms.iptables.build import make_match, make_origin, make_rule
from exaudit.platforms.iptables.build import proto_set as b_proto_set
from exaudit.platforms.iptables.extensions import TARGET_EXTS
from exaudit.platforms.iptables.names import (
    BUILTIN_CHAINS,
    INCOMING_CHAINS,
    OUTGOING_CHAINS,
    REJECT_WITH,
)
from exaudit.platforms.iptables.reader import _CONTINUE, _TARGET_INFO, Reader
from exaudit.platforms.iptables.state import ChainState, TableState

# The canonical iptables-save words the fast reader knows, numbered for its dispatch.
_FAST_OPS = {
    "-s": 0,
    "-d": 1,
    "-i": 2,
    "-o": 3,
    "-p": 4,
    "-m": 5,
    "--dport": 6,
    "--sport": 6,
    "--dports": 7,
    "--sports": 7,
    "--state": 8,
    "--ctstate": 8,
    "--comment": 9,
    "--icmp-type": 10,
    "--icmpv6-type": 10,
    "--tcp-flags": 11,
    "-j": 12,
    "--syn": 13,
}
# fast-path modules and the protocol (tag) each needs from -p
_FAST_MODULES = {
    "tcp": "p:tcp",
    "udp": "p:udp",
    "multiport": "p:ports",
    "icmp": "p:icmp",
    "icmp6": "p:icmp6",
    "state": None,
    "conntrack": None,
    "comment": None,
}
_PROTO_TAGS = {
    6: frozenset({"p:tcp", "p:ports"}),
    17: frozenset({"p:udp", "p:ports"}),
    132: frozenset({"p:ports"}),
    33: frozenset({"p:ports"}),
    136: frozenset({"p:ports"}),
    1: frozenset({"p:icmp"}),
    58: frozenset({"p:icmp6"}),
}
_MODULE_NEEDS = frozenset({"multiport", "state", "conntrack", "comment", "icmp", "icmp6"})
_FAST_PROTOS = {
    "tcp": 6,
    "udp": 17,
    "icmp": 1,
    "ipv6-icmp": 58,
    "icmpv6": 58,
    "all": 0,
    "6": 6,
    "17": 17,
    "1": 1,
    "58": 58,
    "0": 0,
    "esp": 50,
    "ah": 51,
    "gre": 47,
    "sctp": 132,
    "igmp": 2,
    "vrrp": 112,
    "ospf": 89,
    "47": 47,
    "50": 50,
    "51": 51,
    "41": 41,
    "ipv6": 41,
}
_NO_MODULES: frozenset[str] = frozenset()
_ANY_IFACE = object()
_LOG_FLAGS = frozenset(
    {"--log-tcp-sequence", "--log-tcp-options", "--log-ip-options", "--log-uid", "--log-macdecode"}
)
_LOG_LEVELS = frozenset(
    {
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "alert",
        "crit",
        "debug",
        "emerg",
        "error",
        "info",
        "notice",
        "panic",
        "warning",
    }
)
_TARGET_NEEDS_OPTIONS = frozenset(
    name
    for name, spec in TARGET_EXTS.items()
    if any(o.mandatory for o in spec.options.values()) or spec.need or spec.one
)
_NO_REJECT = frozenset({"PREROUTING", "POSTROUTING"})
TCP_SET = IntervalSet.point(6)
V6_MAX = addresses.V6_MAX


def _port_range(text: str) -> IntervalSet | None:
    try:
        return values.port_range(text)
    except values.BadValue:
        return None


def _port_list(text: str) -> IntervalSet | None:
    try:
        return values.port_list(text)
    except values.BadValue:
        return None


def _states(text: str, ctstate: bool) -> IntervalSet | None:
    try:
        got, nat = values.states(text, ctstate)
    except values.BadValue:
        return None
    return None if nat else got


IcmpPair = tuple["IntervalSet | None", "IntervalSet | None"]
_ICMP_PLAIN: dict[tuple[str, int], IcmpPair | None] = {}


def _icmp_plain(text: str, family: int) -> IcmpPair | None:
    """(type set, code set) of a non-negated ICMP type (None, None for "any")."""
    key = (text, family)
    if key in _ICMP_PLAIN:
        return _ICMP_PLAIN[key]
    try:
        kind, lo, hi = values.icmp_type(text, family)
    except values.BadValue:
        got: IcmpPair | None = None
    else:
        if kind == 255 and family == 4:
            got = (None, None)
        else:
            got = (
                IntervalSet.point(kind),
                None if (lo, hi) == (0, 255) else IntervalSet.span(lo, hi),
            )
    _ICMP_PLAIN[key] = got
    return got


def fast_append(ex: Reader, table: TableState, tokens: list[str], number: int, line: str) -> bool:
    """``-A CHAIN ...`` in iptables-save's canonical form, read in one pass.

    Handles the options iptables-save writes for the common matches (addresses,
    interfaces, -p, tcp/udp ports and flags, multiport, state/conntrack states,
    comments, ICMP types) and the ACCEPT/DROP/REJECT/RETURN/LOG/jump targets, with the
    same value converters as the full reader. Anything else, and anything iptables
    would refuse, returns False: the full reader then takes the line (and reports).
    """
    chain = table.chains.get(tokens[1])
    if chain is None:
        return False
    family = table.family
    n = len(tokens)
    i = 2
    src: IntervalSet | None = None
    dst: IntervalSet | None = None
    proto: IntervalSet | None = None
    sport: IntervalSet | None = None
    dport: IntervalSet | None = None
    flags: IntervalSet | None = None
    state: IntervalSet | None = None
    iif: Any = None  # an IfaceMatch, or _ANY_IFACE for "-i +"
    oif: Any = None
    got: Any  # each option's value (a set, a target, an ICMP pair)
    negated_points = 0  # negated single-port --sport/--dport (two: the backends disagree)
    module = None  # the current -m module
    used = _NO_MODULES  # modules loaded so far, and the protocol tags of -p
    needs = False  # the current module still needs its option
    neg = False
    have_proto = False
    target = _CONTINUE
    ops = _FAST_OPS
    address = values.address
    while i < n:
        word = tokens[i]
        op = ops.get(word)
        if op is None:
            if word == "!" and not neg and type(word) is str:
                neg = True
                i += 1
                continue
            return False
        if op == 13:  # --syn, the only flag option
            if module != "tcp" or flags is not None:
                return False
            flags = values.flags_set(0x17, 0x02, neg)
            neg = False
            i += 1
            continue
        i += 1
        if i >= n:
            return False
        value = tokens[i]
        if value == "!" or not value:
            return False
        i += 1
        if op <= 1:  # -s, -d
            try:
                got = address(value, family)
            except ValueError:
                return False
            if neg:
                got = values.complement(got, V6_MAX)
                neg = False
            if op == 0:
                if src is not None:
                    return False
                src = got
            else:
                if dst is not None:
                    return False
                dst = got
        elif op == 4:  # -p
            if have_proto or module is not None:
                return False
            have_proto = True
            number_ = _FAST_PROTOS.get(value)
            if number_ is None or (neg and number_ == 0):
                return False
            if number_:
                proto = b_proto_set(number_, neg)
                if not neg:  # match modules that need a protocol need a plain -p
                    used = _PROTO_TAGS.get(number_, _NO_MODULES)
            neg = False
        elif op == 5:  # -m
            if neg or needs or value in used:
                return False
            required = _FAST_MODULES.get(value, 0)
            if required == 0 or (required is not None and required not in used):
                return False
            module = value
            used = used | {value}
            needs = value in _MODULE_NEEDS
        elif op == 6:  # --dport, --sport
            if module != "tcp" and module != "udp":
                return False
            got = _port_range(value)
            if got is None:
                return False
            if neg:
                if len(got.spans) == 1 and got.spans[0][0] == got.spans[0][1]:
                    negated_points += 1
                    if negated_points == 2:  # the backends disagree: the full reader
                        return False
                got = values.not_ports(got)
                neg = False
            if word == "--dport":
                if dport is not None:
                    return False
                dport = got
            else:
                if sport is not None:
                    return False
                sport = got
        elif op == 12:  # -j
            if neg or needs:
                return False
            got = _fast_target(ex, value, tokens[i:], table, chain, proto)
            if got is None:
                return False
            target = got
            break
        elif op == 8:  # --state, --ctstate
            if not needs or module != ("conntrack" if word == "--ctstate" else "state"):
                return False
            got = _states(value, word == "--ctstate")
            if got is None:
                return False
            if neg:
                got = values.complement(got, 6)
                neg = False
            state = got if state is None else state & got
            needs = False
        elif op == 7:  # --dports, --sports
            if module != "multiport" or not needs:
                return False
            got = _port_list(value)
            if got is None:
                return False
            if neg:
                got = values.not_ports(got)
                neg = False
            # several port matches in one rule must all hold
            if word == "--dports":
                dport = got if dport is None else dport & got
            else:
                sport = got if sport is None else sport & got
            needs = False
        elif op == 2 or op == 3:  # -i, -o
            if op == 2:
                if iif is not None or chain.name in OUTGOING_CHAINS:
                    return False
            else:
                if oif is not None or chain.name in INCOMING_CHAINS:
                    return False
            if len(value) > 15:
                return False
            got = values.interface(value, neg) or _ANY_IFACE
            neg = False
            if op == 2:
                iif = got
            else:
                oif = got
        elif op == 9:  # --comment
            if module != "comment" or neg or not needs:
                return False
            needs = False
        elif op == 10:  # --icmp-type, --icmpv6-type
            if not needs or neg or (module != "icmp" and module != "icmp6"):
                return False
            got = _icmp_plain(value, family)
            if got is None:
                return False
            dport, sport = got
            needs = False
        else:  # --tcp-flags MASK COMP
            if module != "tcp" or flags is not None or i >= n:
                return False
            comp = tokens[i]
            if comp[:1] in ("-", "!"):
                return False
            try:
                flags = values.tcp_flags(value, comp, neg)
            except ValueError:
                return False
            neg = False
            i += 1
    if neg or needs:
        return False
    if iif is _ANY_IFACE:
        iif = None
    if oif is _ANY_IFACE:
        oif = None
    chain.entries.append(
        (
            make_rule(
                make_origin(ex.path, number, line),
                make_match(proto, src, dst, sport, dport, flags, state, iif, oif),
                target,
                (),
            ),
        )
    )
    return True


def _fast_target(
    ex: Reader,
    name: str,
    rest: list[str],
    table: TableState,
    chain: ChainState,
    proto: IntervalSet | None,
) -> Target | None:
    info = _TARGET_INFO.get(name)
    if info is None:
        if name not in table.chains or name in BUILTIN_CHAINS[table.name] or rest:
            return None
        target = ex._target_cache.get((name, False))
        if target is None:
            target = ex._target_cache[(name, False)] = Target(Verb.JUMP, chain=name, name=name)
        return target
    target, why, allowed = info
    if why is not None or (allowed is not None and table.name not in allowed):
        return None
    if not rest:
        return target if name not in _TARGET_NEEDS_OPTIONS else None
    if name == "LOG":
        k = 0
        while k < len(rest):
            opt = rest[k]
            if opt in _LOG_FLAGS:
                k += 1
            elif (
                opt == "--log-prefix"
                and k + 1 < len(rest)
                or opt == "--log-level"
                and k + 1 < len(rest)
                and rest[k + 1] in _LOG_LEVELS
            ):
                k += 2
            else:
                return None
        return target
    if (
        name == "REJECT"
        and len(rest) == 2
        and rest[0] == "--reject-with"
        and chain.name not in _NO_REJECT
    ):
        how = rest[1]
        if how not in REJECT_WITH[table.family]:
            return None
        if how in ("tcp-reset", "tcp-rst") and proto != TCP_SET:
            return None
        return target
    return None

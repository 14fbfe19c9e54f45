"""The options of pf filter rules, one handler per keyword, and ``antispoof``.

Every handler reads its words from the parser and records what they mean in the rule's
``Conditions`` (what it matches) or ``RuleState`` (how it keeps state, whether it
translates). Options that do not change what a rule matches (``label``, ``queue``,
``route-to``...) are read and dropped; conditions exaudit does not model (``user``,
``tagged``, ``tos``...) become ``unknown`` reasons, so that verdicts they touch are
undetermined instead of guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from exaudit.core.model import IfaceMatch, Target, Verb
from exaudit.platforms.pf import addr as pf_addr
from exaudit.platforms.pf.ir import Conditions, FilterRule, IfaceAlt
from exaudit.platforms.pf.lexer import PUNCT, WORD, Token
from exaudit.platforms.pf.names import PROTOCOLS
from exaudit.platforms.pf.operands import Reader
from exaudit.platforms.pf.values import (
    BINARY,
    LOOPBACK_NAME,
    UNARY,
    Syntax,
    flag_bits,
    iface,
    number,
)


@dataclass
class RuleState:
    """Options of a filter rule that are not match conditions but change its meaning."""

    state: str | None = None  # "keep", "modulate", "synproxy", "no"
    translation: bool = False


Handler = Callable[[Reader, Conditions, "RuleState"], None]


def _direction(p: Reader, c: Conditions, s: RuleState) -> None:
    c.direction = p.next().value


def _log(p: Reader, c: Conditions, s: RuleState) -> None:
    p.next()
    if p.at("("):
        p.balanced()


def _on(p: Reader, c: Conditions, s: RuleState) -> None:
    p.next()
    if p.accept("rdomain"):
        p.string()
        c.unknown.append("'on rdomain' depends on routing domains")
        return
    c.ifaces = p.iface_list()


def _af(p: Reader, c: Conditions, s: RuleState) -> None:
    c.af = 4 if p.next().value == "inet" else 6


def _proto(p: Reader, c: Conditions, s: RuleState) -> None:
    p.next()
    names = []
    if p.accept("{"):
        while not p.list_end():
            names.append(p.string())
    else:
        names.append(p.string())
    protos = []
    for name in names:
        value = number(name)
        if value is None:
            value = PROTOCOLS.get(name)
        if value is None or not 0 <= value <= 255:
            raise Syntax(f"unknown protocol '{name}'")
        protos.append(value)
    c.protos = protos


def _all(p: Reader, c: Conditions, s: RuleState) -> None:
    p.next()


def _from_to(p: Reader, c: Conditions, s: RuleState) -> None:
    side = p.next().value
    hosts: list = []
    if not p.at("port"):
        hosts = p.hosts(c)
    ports = None
    if p.accept("port"):
        ports = p.ports()
    if side == "from":
        c.src = hosts or None
        c.sport = ports
        if p.accept("os"):
            p.balanced() if p.at("{") else p.string()
            c.unknown.append("'os' fingerprints are not modelled")
    else:
        c.dst = hosts or None
        c.dport = ports


def _route(p: Reader, c: Conditions, s: RuleState) -> None:
    p.next()
    _target_operand(p)


def _target_operand(p: Reader) -> None:
    """A translation or routing target: host, list, (if addr), <table>, then port/pool."""
    if p.at("{", "("):
        p.balanced()
    elif p.accept("<"):
        p.string()
        p.expect(">")
    elif p.accept("!"):
        while p.accept("!"):
            pass
        _target_operand(p)
        return
    elif not p.end_of_statement():
        p.next()
        if p.accept("/"):
            p.string()
        if p.accept("-"):
            p.string()
    if p.accept("port"):
        p.ports() if not p.at("*") else p.next()
    while p.at(*POOL_WORDS):
        p.next()
        if (
            p.last is not None
            and p.last.value == "source-hash"
            and p.peek().kind == WORD
            and p.peek().value not in OPTIONS
            and p.peek().value not in HEAD
        ):
            p.next()


def _translation(p: Reader, c: Conditions, s: RuleState) -> None:
    s.translation = True
    _route(p, c, s)


def _af_to(p: Reader, c: Conditions, s: RuleState) -> None:
    p.next()
    p.string()
    s.translation = True
    if p.accept("from"):
        _target_operand(p)
    if p.accept("to"):
        _target_operand(p)


def _divert(p: Reader, c: Conditions, s: RuleState) -> None:
    word = p.next().value
    if word == "divert-reply":
        return
    if word == "divert-to" and not p.at("port"):
        p.next()  # host (or, in pfctl -nv output, the port alone)
    if p.accept("port"):
        p.string()


def _user(p: Reader, c: Conditions, s: RuleState) -> None:
    word = p.next().value
    if p.at("{"):
        p.balanced()
    else:
        if p.peek().kind == PUNCT and p.peek().value in UNARY:
            p.next()
        p.string()
        if p.peek().kind == PUNCT and p.peek().value in BINARY:
            p.next()
            p.string()
    c.unknown.append(f"'{word}' matches the owner of a local socket")


def _flags(p: Reader, c: Conditions, s: RuleState) -> None:
    p.next()
    if p.accept("any"):
        c.flags_any = True
        c.flags = None
        return
    bits = 0
    if not p.at("/"):
        bits = flag_bits(p.string())
    p.expect("/")
    mask = flag_bits(p.string())
    c.flags = (bits, mask)


def _icmp(p: Reader, c: Conditions, s: RuleState) -> None:
    proto = 1 if p.next().value == "icmp-type" else 58
    c.icmp = (c.icmp or []) + p.icmp_items(proto)


def _state(p: Reader, c: Conditions, s: RuleState) -> None:
    word = p.next().value
    if word == "no":
        if p.accept("state"):
            s.state = "no"
            return
        raise Syntax("expected 'no state'")
    p.expect("state")
    s.state = word
    if p.at("("):
        p.balanced()


def _flag_option(p: Reader, c: Conditions, s: RuleState) -> None:
    p.next()


def _one_argument(p: Reader, c: Conditions, s: RuleState) -> None:
    p.next()
    if p.at("(", "{"):
        p.balanced()
    else:
        p.string()
        if p.at("/"):  # max-pkt-rate 100/10
            p.next()
            p.string()
        p.accept("%")


def _set(p: Reader, c: Conditions, s: RuleState) -> None:
    p.next()
    if p.at("("):  # pfctl -nv prints "set ( prio 2 )"
        p.balanced()
        return
    what = p.string()
    if what not in ("prio", "tos", "queue", "delay"):
        raise Syntax(f"unknown 'set {what}' in a rule")
    if p.at("(", "{"):
        p.balanced()
    else:
        p.string()


def _unknown_condition(reason: str, arguments: int = 1) -> Handler:
    def handler(p: Reader, c: Conditions, s: RuleState) -> None:
        p.next()
        for _ in range(arguments):
            if p.at("(", "{"):
                p.balanced()
            else:
                p.string()
                p.accept("%")
        c.unknown.append(reason)

    return handler


def _fragment(p: Reader, c: Conditions, s: RuleState) -> None:
    p.next()
    c.fragment = True  # matches only non-first fragments: none of the packets exaudit asks about


def _once(p: Reader, c: Conditions, s: RuleState) -> None:
    p.next()
    c.unknown.append("'once' rules expire after their first match")


def _scrub(p: Reader, c: Conditions, s: RuleState) -> None:
    p.next()
    if p.at("("):
        p.balanced()


def _reassemble(p: Reader, c: Conditions, s: RuleState) -> None:
    p.next()
    p.accept("tcp")


HEAD: dict[str, Handler] = {
    "in": _direction,
    "out": _direction,
    "log": _log,
    "on": _on,
    "inet": _af,
    "inet6": _af,
    "proto": _proto,
    "all": _all,
    "from": _from_to,
    "to": _from_to,
    "route-to": _route,
    "reply-to": _route,
    "dup-to": _route,
    "fastroute": _flag_option,
}
OPTIONS: dict[str, Handler] = {
    "user": _user,
    "group": _user,
    "flags": _flags,
    "icmp-type": _icmp,
    "icmp6-type": _icmp,
    "keep": _state,
    "modulate": _state,
    "synproxy": _state,
    "no": _state,
    "fragment": _fragment,
    "allow-opts": _flag_option,
    "label": _one_argument,
    "tag": _one_argument,
    "queue": _one_argument,
    # another routing table may send the packet out elsewhere than the audit assumes
    "rtable": _unknown_condition("'rtable' routes the packet with another routing table"),
    "ridentifier": _one_argument,
    "max-mss": _one_argument,
    "min-ttl": _one_argument,
    "max-pkt-rate": _unknown_condition("'max-pkt-rate' depends on traffic rates"),
    "dnpipe": _one_argument,
    "dnqueue": _one_argument,
    "set": _set,
    "once": _once,
    "tagged": _unknown_condition("'tagged' depends on tags set at run time"),
    "tos": _unknown_condition("'tos' (type of service) is not modelled"),
    "prio": _unknown_condition("'prio' (packet priority) is not modelled"),
    "probability": _unknown_condition("'probability' matches a random share of packets"),
    "received-on": _unknown_condition("'received-on' depends on the packet's history"),
    "os": _unknown_condition("'os' fingerprints are not modelled"),
    "divert-to": _divert,
    "divert-reply": _divert,
    "divert-packet": _divert,
    "nat-to": _translation,
    "rdr-to": _translation,
    "binat-to": _translation,
    "af-to": _af_to,
    "scrub": _scrub,
    "no-df": _flag_option,
    "random-id": _flag_option,
    "reassemble": _reassemble,
    "sloppy": _flag_option,
    "static-port": _flag_option,
    "source-track": _flag_option,
}
POOL_WORDS = (
    "bitmask",
    "random",
    "source-hash",
    "round-robin",
    "least-states",
    "sticky-address",
    "static-port",
    "prefer-ipv6",
)
ANCHOR_WORDS = set(HEAD) | set(OPTIONS) | {"quick"}
SET_OPTIONS = frozenset(
    {
        "timeout",
        "limit",
        "loginterface",
        "hostid",
        "optimization",
        "ruleset-optimization",
        "state-policy",
        "state-defaults",
        "require-order",
        "fingerprints",
        "debug",
        "reassemble",
        "syncookies",
        "keepcounters",
        "fail-policy",
        "statefile",
    }
)


def antispoof(p: Reader, first: Token, items: list[object]) -> None:
    """``antispoof for IF``: pfctl's ``block in on ! IF from IF:network`` (+ ``from IF``)."""
    p.next()
    quick = False
    log = False
    while p.at("log", "quick"):
        if p.next().value == "quick":
            quick = True
        else:
            log = True
            if p.at("("):
                p.balanced()
    p.expect("for")
    names: list[str] = []
    if p.accept("{"):
        while not p.list_end():
            if p.accept("("):
                names.append(p.string())
                p.expect(")")
            else:
                names.append(p.string())
    elif p.accept("("):
        names.append(p.string())
        p.expect(")")
    else:
        names.append(p.string())
    af = None
    if p.at("inet", "inet6"):
        af = 4 if p.next().value == "inet" else 6
    while p.accept("label"):
        p.string()
    origin = p.origin(first)
    del log
    verb, name = (
        (Verb.REJECT, "block (block-policy return)")
        if p.ctx.block_policy == "return"
        else (Verb.DROP, "block")
    )
    for ifname in names:
        alt = iface(ifname)
        networks = (
            pf_addr.resolve(f"{ifname}:network")
            if alt.match is not None
            else [pf_addr.unknown(f"addresses of interface group '{ifname}'")]
        )
        outside = IfaceAlt(IfaceMatch(alt.match.patterns, True)) if alt.match else alt
        cond = Conditions(direction="in", ifaces=[outside], af=af, src=networks)
        items.append(FilterRule(origin, "block", Target(verb, name=name), quick, cond))
        if not LOOPBACK_NAME.match(ifname):
            # pfctl also blocks the interface's own addresses arriving on any interface
            own = (
                pf_addr.resolve(ifname)
                if alt.match is not None
                else [pf_addr.unknown(f"addresses of interface group '{ifname}'")]
            )
            cond2 = Conditions(direction="in", af=af, src=own)
            items.append(FilterRule(origin, "block", Target(verb, name=name), quick, cond2))

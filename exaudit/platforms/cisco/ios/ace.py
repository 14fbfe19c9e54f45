"""Reading one IOS access-list entry into rules."""

from __future__ import annotations

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import ICMP, ICMPV6, Match, Origin, Rule, Target
from exaudit.platforms.cisco import common as cc
from exaudit.platforms.cisco.common import Addr, ParseError, Service, Tokens
from exaudit.platforms.cisco.ios.groups import GroupReader
from exaudit.platforms.cisco.ios.model import Acl
from exaudit.platforms.cisco.ios.tables import (
    ALL_OPTION_WORDS,
    ESTABLISHED,
    FLAG_WORDS,
    FRAGMENTS_ONLY,
    ICMP6_NAMES,
    IGMP_TYPES,
    NO_EFFECT,
    PORT_NAMES,
    PROTOCOLS_V4,
    PROTOCOLS_V6,
    UNMODELLED,
    any_address,
    family_space,
    flag_set,
)


class AceReader(GroupReader):
    """An entry's words (after its sequence number) to the rules it yields."""

    def _ace(self, acl: Acl, origin: Origin, toks: Tokens) -> list[Rule]:
        word = toks.take("permit or deny").lower()
        index = origin.line - 1
        if word == "evaluate":
            name = toks.take("a reflexive list name")
            self.ctx.not_modelled(
                index, f"reflexive list {name}: the replies it lets in depend on live sessions"
            )
            space = family_space(acl.family)
            return [
                Rule(
                    origin,
                    Match(src=space, dst=space),
                    cc.PERMIT,
                    (f"evaluate {name} (reflexive ACL)",),
                )
            ]
        if word == "dynamic":
            name = toks.take("a dynamic entry name")
            while toks.take_if("timeout"):
                toks.take("a timeout")
            self.ctx.not_modelled(
                index, f"dynamic (lock-and-key) entry {name} is active only after authentication"
            )
            extra: tuple[str, ...] = (f"dynamic entry {name}",)
            word = toks.take("permit or deny").lower()
        else:
            extra = ()
        if word not in cc.ACTIONS:
            raise ParseError(f"expected permit or deny, found {word!r}")
        target = cc.ACTIONS[word]
        if acl.kind == "standard":
            return self._standard(acl, origin, target, toks, extra)
        return self._extended(acl, origin, target, toks, extra)

    def _standard(
        self, acl: Acl, origin: Origin, target: Target, toks: Tokens, extra: tuple[str, ...]
    ) -> list[Rule]:
        src = self._address(toks, acl.family, standard=True)
        unknown = list(extra) + self._options(toks, origin, None)[1]
        self._reportunresolved_member(origin, [Service()], src)
        return cc.build_rules(
            origin,
            target,
            [Service()],
            src,
            any_address(acl.family),
            unknown=tuple(unknown),
            space=family_space(acl.family),
        )

    def _extended(
        self, acl: Acl, origin: Origin, target: Target, toks: Tokens, extra: tuple[str, ...]
    ) -> list[Rule]:
        family = acl.family
        names = PROTOCOLS_V6 if family == 6 else PROTOCOLS_V4
        proto_word = toks.take("a protocol")
        services: list[Service]
        group_service = proto_word.lower() == "object-group"
        proto: IntervalSet | None = None
        if group_service:
            services = self._service_group(toks.take("an object-group name"), family)
        else:
            proto = cc.protocol(proto_word, names)
            services = [Service(proto)]
        has_ports = proto is not None and proto.issubset(cc.PORT_PROTOCOLS)
        src = self._address(toks, family)
        sport = self._ports(toks) if has_ports else None
        dst = self._address(toks, family)
        dport = self._ports(toks) if has_ports else None
        icmp_proto = ICMPV6 if family == 6 else ICMP
        igmp_type: list[str] = []
        if proto == IntervalSet.point(2) and (
            toks.peek_lower() in IGMP_TYPES or cc.DIGITS.match(toks.peek() or "")
        ):
            igmp_type.append(f"igmp type {toks.take()}")
            self.ctx.not_modelled(
                origin.line - 1, f"{igmp_type[0]}: IGMP message types are not modelled"
            )
        if proto is not None and proto == IntervalSet.point(icmp_proto):
            types, codes = cc.icmp_message(toks, ICMP6_NAMES if family == 6 else cc.ICMP4_NAMES)
            services = [cc.icmp_service(icmp_proto, types, codes)]
        elif has_ports:
            services = [Service(proto, sport, dport)]
        flags, unknown = self._options(toks, origin, proto)
        self._reportunresolved_member(origin, services, src, dst)
        if flags is not None and not group_service and proto != IntervalSet.point(6):
            raise ParseError("TCP flag conditions need protocol tcp")
        return cc.build_rules(
            origin,
            target,
            services,
            src,
            dst,
            flags=flags,
            unknown=tuple(list(extra) + igmp_type + unknown),
            space=family_space(family),
        )

    def _reportunresolved_member(
        self, origin: Origin, services: list[Service], *addrs: Addr
    ) -> None:
        reasons = [u for a in addrs for u in a.unknown] + [u for s in services for u in s.unknown]
        for why in dict.fromkeys(reasons):
            self.ctx.not_modelled(
                origin.line - 1, f"{why}: the entry's verdicts are undetermined where it matters"
            )

    def _ports(self, toks: Tokens) -> IntervalSet | None:
        if toks.peek_lower() == "portgroup":
            toks.take()
            return self._port_group(toks.take("a port group name"))
        return cc.port_operator(toks, PORT_NAMES, multi_eq=True)

    def _address(self, toks: Tokens, family: int, standard: bool = False) -> Addr:
        word = toks.take("an address")
        low = word.lower()
        if low == "any":
            return any_address(family)
        if low == "host":
            value = toks.take("a host address")
            return Addr(self._host(value, family))
        if low == "object-group" and not standard:
            return self._network_group(toks.take("an object-group name"), family)
        if family == 4 and cc.is_ipv4(word):
            if cc.is_ipv4(toks.peek()):
                return cc.wildcard_addr(word, toks.take(), self.masks)
            if standard:
                return Addr(cc.host(word))  # a standard entry's lone address is a host
            raise ParseError(f"address {word} needs a wildcard mask")
        if cc.is_prefix(word):
            spans = cc.prefix(word)
            if not spans.issubset(addresses.ALL_V6 if family == 6 else addresses.ALL_V4):
                raise ParseError(f"{word} is not an IPv{family} network")
            return Addr(spans)
        raise ParseError(f"expected an address, found {word!r}")

    def _host(self, word: str, family: int) -> IntervalSet:
        if (family == 4 and cc.is_ipv4(word)) or (family == 6 and cc.is_ipv6(word)):
            return cc.host(word)
        raise ParseError(f"{word!r} is not an IPv{family} address")

    def _options(
        self, toks: Tokens, origin: Origin, proto: IntervalSet | None
    ) -> tuple[IntervalSet | None, list[str]]:
        """Trailing options: (TCP flags condition or None, unmodelled conditions)."""
        index = origin.line - 1
        flags: IntervalSet | None = None
        unknown: list[str] = []
        set_bits: list[tuple[int, bool]] = []
        while not toks.done():
            word = toks.take().lower()
            if word in NO_EFFECT:
                nxt = toks.peek_lower()
                if nxt is not None and nxt not in ALL_OPTION_WORDS:
                    toks.take()  # the log cookie
            elif word == "established":
                flags = ESTABLISHED if flags is None else flags & ESTABLISHED
            elif word in FLAG_WORDS:
                set_bits.append((FLAG_WORDS[word], True))
            elif word in ("match-all", "match-any"):
                constraints = []
                while (item := toks.peek()) is not None and item[0] in "+-":
                    toks.take()
                    bit = FLAG_WORDS.get(item[1:].lower())
                    if bit is None:
                        raise ParseError(f"unknown TCP flag {item!r}")
                    constraints.append((bit, item[0] == "+"))
                if not constraints:
                    raise ParseError(f"{word} needs +flag/-flag words")
                cond = flag_set(constraints, word == "match-any")
                flags = cond if flags is None else flags & cond
            elif word in ("ttl", "packet-length"):
                op = toks.take(f"a {word} operator")
                toks.take(f"a {word} value")
                if op.lower() == "range":
                    toks.take(f"a {word} value")
                unknown.append(f"{word} {op}")
                self.ctx.not_modelled(index, f"{word} condition is not modelled")
            elif word == "fragments":
                unknown.append(FRAGMENTS_ONLY)
            elif word in UNMODELLED:
                args = [toks.take(f"a value after {word}") for _ in range(UNMODELLED[word])]
                text = " ".join([word, *args])
                if word == "reflect":
                    self.ctx.not_modelled(
                        index,
                        f"reflect {args[0]}: its replies are let in only where 'evaluate' names it",
                    )
                    continue  # the entry itself matches exactly what it says
                if word == "timeout":
                    continue
                unknown.append(text)
                self.ctx.not_modelled(index, f"{text}: condition not modelled")
            else:
                # keep what was understood as an outer bound; the rest is flagged
                text = " ".join([word, *toks.rest()])
                unknown.append(f"not understood: {text}")
                self.ctx.not_understood(
                    index,
                    f"unknown option {text!r}: the entry is kept, "
                    "matching at most what the rest of it says",
                )
        if set_bits:
            cond = flag_set(set_bits, False)
            flags = cond if flags is None else flags & cond
        return flags, unknown

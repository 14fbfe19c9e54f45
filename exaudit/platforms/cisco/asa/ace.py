"""Reading one ASA access-list entry into rules."""

from __future__ import annotations

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import ICMP, ICMPV6, Origin
from exaudit.platforms.cisco import common as cc
from exaudit.platforms.cisco.asa.model import Entry
from exaudit.platforms.cisco.asa.objects import ObjectReader
from exaudit.platforms.cisco.asa.tables import (
    ICMP4_NAMES,
    ICMP6_NAMES,
    ICMP_NAMES,
    IDENTITY_ARGS,
    LOG_LEVELS,
    PORT_NAMES,
    PROTOCOLS,
)
from exaudit.platforms.cisco.common import Addr, ParseError, Service, Tokens


class AceReader(ObjectReader):
    """An entry's words (after ``extended``/``standard``) to its rules."""

    def _address(self, toks: Tokens, index: int) -> Addr:
        word = toks.take("an address")
        low = word.lower()
        if low == "any":
            return Addr(addresses.ALL)
        if low == "any4":
            return Addr(addresses.ALL_V4)
        if low == "any6":
            return Addr(addresses.ALL_V6)
        if low == "host" and toks.peek() in self.name_doubt:
            return Addr(IntervalSet(), (self.name_doubt[toks.take()],))
        if low == "host":
            return Addr(self._host(toks.take("an address")))
        if word in self.name_doubt:
            if cc.is_ipv4(toks.peek()):
                toks.take()  # its netmask
            return Addr(IntervalSet(), (self.name_doubt[word],))
        if low == "object":
            name = toks.take("an object name")
            return cc.union_addr(
                self.objects.members(name, "network", lambda why: Addr(IntervalSet(), (why,)))
            )
        if low == "object-group":
            name = toks.take("an object-group name")
            return cc.union_addr(
                self.groups.members(name, "network", lambda why: Addr(IntervalSet(), (why,)))
            )
        if low == "interface":
            return self._interface_address(toks.take("an interface name"))
        toks.i -= 1
        return self._net(toks)

    def _interface_address(self, nameif: str) -> Addr:
        for iface in self.interfaces.values():
            if iface.nameif == nameif:
                if iface.addresses:
                    return Addr(iface.addresses)
                return Addr(IntervalSet(), (f"interface {nameif} has no static address",))
        return Addr(IntervalSet(), (f"interface {nameif} is not defined",))

    def _standard(self, origin: Origin, toks: Tokens) -> Entry:
        target = cc.ACTIONS.get(toks.take("permit or deny").lower())
        if target is None:
            raise ParseError("expected permit or deny")
        # a standard ASA list names destination addresses (route maps, split tunnels)
        dst = self._address(toks, origin.line - 1)
        self._end(toks)
        self._report(origin, [Service()], dst)
        return Entry(
            origin.line - 1,
            cc.build_rules(origin, target, [Service()], Addr(addresses.ALL), dst, stateful=True),
        )

    def _extended(self, origin: Origin, toks: Tokens) -> Entry:
        index = origin.line - 1
        target = cc.ACTIONS.get(toks.take("permit or deny").lower())
        if target is None:
            raise ParseError("expected permit or deny")
        unknown: list[str] = []
        services, protos = self._protocol_spec(toks)
        for _ in range(2):  # identity conditions may precede the source
            word = toks.peek_lower()
            if word in IDENTITY_ARGS:
                toks.take()
                args = [toks.take(f"a value after {word}") for _ in range(IDENTITY_ARGS[word])]
                unknown.append(f"{word} {' '.join(args)}")
                self.ctx.not_modelled(
                    index, f"{word} {' '.join(args)}: identity conditions are not modelled"
                )
        src = self._address(toks, index)
        ported = protos is not None and protos.issubset(cc.PORT_PROTOCOLS)
        sport = self._ports(toks, unknown, after_dst=False) if ported else None
        dst = self._address(toks, index)
        dport = self._ports(toks, unknown, after_dst=True) if ported else None
        if protos is not None and protos.issubset(IntervalSet.of([ICMP, ICMPV6])):
            services = self._icmp_services(toks, protos) or services
        elif ported and (sport is not None or dport is not None):
            services = [Service(protos, sport, dport)]
        inactive = False
        while not toks.done():
            word = toks.take().lower()
            if word == "log":
                nxt = toks.peek_lower()
                if nxt in ("disable", "default") or nxt in LOG_LEVELS or cc.DIGITS.match(nxt or ""):
                    toks.take()
                if toks.take_if("interval"):
                    toks.take("an interval")
            elif word == "interval":
                toks.take("an interval")
            elif word == "inactive":
                inactive = True
            elif word == "time-range":
                name = toks.take("a time-range name")
                unknown.append(f"time-range {name}")
                self.ctx.not_modelled(
                    index, f"time-range {name}: the entry applies only at some times"
                )
            else:
                raise ParseError(f"unknown option {word!r}")
        if inactive:
            self.ctx.note(index, "inactive entry: ignored, as the ASA does")
            return Entry(index, [], inactive=True)
        self._report(origin, services, src, dst)
        for why in unknown:
            if why.endswith("is not defined"):
                self.ctx.not_modelled(
                    index, f"{why}: the entry's verdicts are undetermined where it matters"
                )
        return Entry(
            index,
            cc.build_rules(
                origin, target, services, src, dst, unknown=tuple(unknown), stateful=True
            ),
        )

    def _protocol_spec(self, toks: Tokens) -> tuple[list[Service], IntervalSet | None]:
        """The protocol position: (service boxes, the protocols when ports may follow)."""
        word = toks.take("a protocol").lower()
        if word == "object":
            name = toks.take("a service object name")
            if self.objects.kind_of(name) is None and name.lower() in PROTOCOLS:
                return [Service(PROTOCOLS[name.lower()])], None  # built-in ``object icmp``
            return self.objects.members(
                name, "service", lambda why: Service(None, None, None, (why,))
            ), None
        if word == "object-group":
            name = toks.take("an object-group name")
            if self.groups.kind_of(name) == "protocol":
                members = self.groups.members(
                    name, "protocol", lambda why: Service(None, None, None, (why,))
                )
                services = [m if isinstance(m, Service) else Service(m) for m in members]
                protos = IntervalSet()
                for s in services:
                    if s.proto is None:
                        return services, None
                    protos = protos | s.proto
                return services, protos
            return self.groups.members(
                name, "service", lambda why: Service(None, None, None, (why,))
            ), None
        proto = cc.protocol(word, PROTOCOLS)
        return [Service(proto)], proto

    def _ports(self, toks: Tokens, unknown: list[str], after_dst: bool) -> IntervalSet | None:
        word = toks.peek_lower()
        name = toks.peek(1) or ""
        if word == "object-group" and after_dst and self.groups.kind_of(name) is None:
            # only a port group can follow the destination: this one is not defined
            toks.take()
            toks.take()
            unknown.append(f"object-group {name} is not defined")
            return None
        if word == "object-group" and self.groups.kind_of(name) == "port":
            toks.take()
            members = self.groups.members(toks.take(), "port", lambda why: ParseError(why))
            out = IntervalSet()
            for m in members:
                if isinstance(m, ParseError):
                    raise m
                out = out | m
            return out
        return cc.port_operator(toks, PORT_NAMES, multi_eq=False)

    def _icmp_services(self, toks: Tokens, protos: IntervalSet) -> list[Service]:
        """An ICMP type (and code), or an icmp-type group, after the destination."""
        words: list[str] = []
        codes: IntervalSet | None = None
        if (
            toks.peek_lower() == "object-group"
            and self.groups.kind_of(toks.peek(1) or "") == "icmp"
        ):
            toks.take()
            words = self.groups.members(toks.take(), "icmp", lambda why: why)
        elif (
            toks.peek_lower() in ICMP4_NAMES
            or toks.peek_lower() in ICMP6_NAMES
            or cc.DIGITS.match(toks.peek() or "")
        ):
            words = [toks.take().lower()]
            if cc.DIGITS.match(toks.peek() or ""):
                codes = IntervalSet.point(cc.number(toks.take(), 0, 255, "ICMP code"))
        if not words:
            return []
        out = []
        for number in (ICMP, ICMPV6):
            if number not in protos:
                continue
            types = IntervalSet()
            for word in words:
                if cc.DIGITS.match(word):
                    types = types | IntervalSet.point(cc.number(word, 0, 255, "ICMP type"))
                elif word in ICMP_NAMES[number]:
                    types = types | IntervalSet.point(ICMP_NAMES[number][word][0])
                else:
                    raise ParseError(f"unknown ICMP type {word!r}")
            out.append(cc.icmp_service(number, types, codes))
        return out

    def _report(self, origin: Origin, services: list[Service], *addrs: Addr) -> None:
        reasons = [u for a in addrs for u in a.unknown] + [u for s in services for u in s.unknown]
        for why in dict.fromkeys(reasons):
            self.ctx.not_modelled(
                origin.line - 1, f"{why}: the entry's verdicts are undetermined where it matters"
            )

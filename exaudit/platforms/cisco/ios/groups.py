"""Reading IOS object-groups and the members ACEs take from them."""

from __future__ import annotations

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import ICMP
from exaudit.platforms.cisco import common as cc
from exaudit.platforms.cisco.common import (
    Addr,
    Block,
    Group,
    ParseError,
    Service,
    Tokens,
    unresolved_member,
)
from exaudit.platforms.cisco.ios.state import State
from exaudit.platforms.cisco.ios.tables import PORT_NAMES, PROTOCOLS_V4


class GroupReader(State):
    """``object-group`` blocks, and what an ACE naming a group matches."""

    def _object_group(self, obj: Block, words: list[str]) -> None:
        try:
            kind, name = group_kind(words)
        except ParseError as exc:
            self.ctx.not_understood(obj.linenum, str(exc))
            return
        group = self.groups.define(Group(kind, name, obj.linenum))
        for child in obj.children:
            cwords = child.text.split()
            if not cwords or cwords[0].startswith("!"):
                continue
            if cwords[0].lower() == "no":
                # removing a member is not modelled: the members may be fewer than read
                self.ctx.not_understood(
                    child.linenum,
                    f"'{child.text.strip()}' (removing a "
                    f"member of {name}) is not modelled; the group's "
                    "uses are undetermined",
                )
                group.doubt = (
                    group.doubt
                    or f"line {child.linenum + 1} may have removed a member (not modelled)"
                )
                continue
            try:
                self._group_member(group, cwords, child.linenum)
            except ParseError as exc:
                self.ctx.not_understood(child.linenum, str(exc))
                group.members.append(
                    unresolved_member(group.kind, f"line {child.linenum + 1} not understood: {exc}")
                )

    def _no_object_group(self, index: int, words: list[str]) -> None:
        """``no object-group KIND NAME``: IOS deletes the group, or refuses while a list
        uses it; neither is documented, so the group's uses are undetermined."""
        try:
            _kind, name = group_kind(words)
        except ParseError as exc:
            self.ctx.not_understood(index, str(exc))
            return
        if self.groups.doubt(
            name, index, f"line {index + 1} may have deleted object-group {name} (not modelled)"
        ):
            self.ctx.not_understood(
                index,
                f"deleting object-group {name} is not modelled; "
                "the entries using it are undetermined",
            )

    def _group_member(self, group: Group, words: list[str], index: int) -> None:
        toks = Tokens(words)
        head = toks.peek_lower()
        if head == "description":
            return
        if head == "group-object":
            toks.take()
            group.nested.append((toks.take("a group name"), index))
            return
        if group.kind == "network":
            group.members.append(self._network_member(toks))
        elif group.kind == "port":
            ports = cc.port_operator(toks, PORT_NAMES, multi_eq=True)
            if ports is None:
                raise ParseError(f"expected a port operator, found {head!r}")
            group.members.append(ports)
        elif group.kind == "protocol":
            if toks.peek_lower() == "protocol-object":
                toks.take()
            group.members.append(cc.protocol(toks.take("a protocol"), PROTOCOLS_V4))
        else:
            group.members.append(self._service_member(toks))
        if not toks.done():
            raise ParseError(f"unexpected {' '.join(toks.rest())!r}")

    def _network_member(self, toks: Tokens) -> Addr:
        if toks.peek_lower() == "network-object":
            toks.take()
        word = toks.take("an address")
        low = word.lower()
        if low == "host":
            value = toks.take("a host address")
            if cc.is_ipv4(value) or cc.is_ipv6(value):
                return Addr(cc.host(value))
            raise ParseError(f"{value!r} is not an address")
        if low == "any":
            return Addr(addresses.ALL_V4)
        if low == "range":
            return Addr(cc.span(toks.take("an address"), toks.take("an address")))
        if cc.is_ipv4(word) and cc.is_ipv4(toks.peek()):
            return cc.netmask_addr(word, toks.take(), self.masks)  # groups take subnet masks
        if cc.is_prefix(word):
            return Addr(cc.prefix(word))
        raise ParseError(f"expected a network-object, found {word!r}")

    def _service_member(self, toks: Tokens) -> Service:
        word = toks.take("a protocol").lower()
        if word == "tcp-udp":
            proto: IntervalSet | None = cc.TCP_UDP
        else:
            proto = cc.protocol(word, PROTOCOLS_V4)
        if proto == IntervalSet.point(ICMP):
            types, codes = cc.icmp_message(toks, cc.ICMP4_NAMES)
            return cc.icmp_service(ICMP, types, codes)
        if proto is None or not proto.issubset(cc.PORT_PROTOCOLS):
            return Service(proto)
        sport = None
        if toks.take_if("source"):
            sport = cc.port_operator(toks, PORT_NAMES, multi_eq=True)
            if sport is None:
                raise ParseError("expected a port operator after 'source'")
        dport = cc.port_operator(toks, PORT_NAMES, multi_eq=True)
        if dport is None and cc.is_port_word(toks.peek(), PORT_NAMES):
            dport = IntervalSet.point(cc.port(toks.take(), PORT_NAMES))  # ``tcp 65000``
        return Service(proto, sport, dport)

    def _network_group(self, name: str, family: int) -> Addr:
        members = self.groups.members(name, "network", lambda why: Addr(IntervalSet(), (why,)))
        whole = cc.union_addr(members)
        fam = addresses.ALL_V6 if family == 6 else addresses.ALL_V4
        return Addr(whole.spans & fam, whole.unknown)

    def _service_group(self, name: str, family: int) -> list[Service]:
        kind = self.groups.kind_of(name)
        if kind == "protocol":
            protos = self.groups.members(
                name, "protocol", lambda why: Service(None, None, None, (why,))
            )
            out = []
            for p in protos:
                out.append(p if isinstance(p, Service) else Service(p))
            return out
        return self.groups.members(name, "service", lambda why: Service(None, None, None, (why,)))

    def _port_group(self, name: str) -> IntervalSet:
        members = self.groups.members(name, "port", lambda why: ParseError(why))
        out = IntervalSet()
        for m in members:
            if isinstance(m, ParseError):
                raise m
            out = out | m
        return out


def group_kind(words: list[str]) -> tuple[str, str]:
    """(kind, name) of an ``object-group`` line (without ``no``)."""
    if len(words) < 3:
        raise ParseError("incomplete object-group line")
    kind_word = words[1].lower()
    if kind_word == "ip" and len(words) >= 4 and words[2].lower() == "port":
        return "port", words[3]
    if kind_word in ("network", "service", "protocol"):
        return kind_word, words[2]
    raise ParseError(f"object-group {kind_word} is not supported")

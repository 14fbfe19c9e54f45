"""Reading ASA names, objects and object-groups."""

from __future__ import annotations

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.platforms.cisco import common as cc
from exaudit.platforms.cisco.asa.state import State
from exaudit.platforms.cisco.asa.tables import (
    GROUP_KINDS,
    ICMP_NAMES,
    PORT_NAMES,
    PROTOCOLS,
    clears,
)
from exaudit.platforms.cisco.common import (
    Addr,
    Block,
    Group,
    ParseError,
    Service,
    Tokens,
    unresolved_member,
)


class ObjectReader(State):
    """``name``, ``object`` and ``object-group`` lines, their removal, and host/net operands."""

    def _name(self, obj: Block, words: list[str]) -> None:
        if len(words) < 3:
            raise ParseError("expected 'name ADDRESS NAME'")
        if not (cc.is_ipv4(words[1]) or cc.is_ipv6(words[1])):
            raise ParseError(f"{words[1]!r} is not an address")
        name, value = words[2], cc.host(words[1])
        if name in self.names and self.names[name] != value:
            # which address the ASA keeps for it is not documented
            self.name_doubt.setdefault(
                name, f"line {obj.linenum + 1} gives {name} another address (not modelled)"
            )
            self.ctx.not_understood(
                obj.linenum,
                f"{name} already names another address: the lines using it are undetermined",
            )
        self.names.setdefault(name, value)
        self.name_lines.setdefault(name, obj.linenum)

    def _no_names(self, obj: Block, words: list[str]) -> None:
        """``no name ADDRESS NAME``, ``no names``, ``clear configure names``: what the ASA
        does with the lines that use a removed name is not documented, so they are
        undetermined (names defined only further down are not affected)."""
        index = obj.linenum
        low = [w.lower() for w in words]
        if low[:2] == ["no", "name"]:
            if len(words) < 3:
                raise ParseError("expected 'no name ADDRESS NAME'")
            gone = [words[-1]]
        else:
            gone = list(self.names)
        gone = [name for name in gone if self.name_lines.get(name, index) < index]
        for name in gone:
            self.name_doubt.setdefault(
                name, f"line {index + 1} may have removed name {name} (not modelled)"
            )
        if gone:
            self.ctx.not_understood(
                index,
                f"removing name {', '.join(gone)} is not "
                "modelled; the lines using it are undetermined",
            )

    def _object(self, obj: Block, words: list[str]) -> None:
        if len(words) < 3:
            return
        kind = words[1].lower()
        if kind not in ("network", "service"):
            raise ParseError(f"object {kind} is not supported")
        group = self.objects.define(Group(kind, words[2], obj.linenum))
        for child in obj.children:
            cw = child.text.split()
            if not cw or cw[0].startswith("!") or cw[0].lower() == "description":
                continue
            if self._member_removed(group, child, cw):
                continue
            before = list(group.members)
            try:
                if kind == "network":
                    self._object_network_member(group, cw, child.linenum)
                else:
                    if cw[0].lower() != "service":
                        raise ParseError(f"expected 'service', found {cw[0]!r}")
                    toks = Tokens(cw[1:])
                    group.members.extend(self._service_spec(toks))
                    self._end(toks)
            except ParseError as exc:
                self.ctx.not_understood(child.linenum, str(exc))
                group.members.append(
                    unresolved_member(kind, f"line {child.linenum + 1} not understood: {exc}")
                )
            added = group.members[len(before) :]
            if before and added and added != before:
                # An object holds one value; whether this one replaces the one before is
                # not documented: both are kept as an outer bound, and every use of the
                # object is undetermined.
                self.ctx.not_understood(
                    child.linenum,
                    f"object {group.name} already has a "
                    "value: replacing it is not modelled; its uses are "
                    "undetermined",
                )
                group.doubt = (
                    group.doubt
                    or f"line {child.linenum + 1} gives object "
                    f"{group.name} a second value (not modelled)"
                )

    def _member_removed(self, group: Group, child: Block, words: list[str]) -> bool:
        """A ``no ...`` line inside an object or object-group: removing a member is not
        modelled, so the members may be fewer than read and every use is undetermined."""
        if words[0].lower() != "no":
            return False
        self.ctx.not_understood(
            child.linenum,
            f"'{child.text.strip()}' (removing from "
            f"{group.name}) is not modelled; its uses are undetermined",
        )
        group.doubt = (
            group.doubt or f"line {child.linenum + 1} may have removed a member (not modelled)"
        )
        return True

    def _no_object(self, obj: Block, words: list[str]) -> None:
        """``no object KIND NAME`` / ``clear configure object [KIND]``: the ASA refuses to
        delete an object in use, and a deleted one may be defined again; neither is
        modelled, so the uses of the objects defined above are undetermined."""
        self._doubt_groups(self.objects, obj.linenum, words, "object")

    def _no_object_group(self, obj: Block, words: list[str]) -> None:
        """``no object-group KIND NAME`` / ``clear configure object-group [KIND]``: as
        ``_no_object``."""
        self._doubt_groups(self.groups, obj.linenum, words, "object-group")

    def _doubt_groups(self, groups: cc.Groups, index: int, words: list[str], what: str) -> None:
        cleared = clears(words) is not None
        rest = words[3:] if cleared else words[2:]
        if not cleared and len(rest) < 2:
            raise ParseError(f"expected 'no {what} KIND NAME'")
        if cleared:
            kind = GROUP_KINDS.get(rest[0].lower(), rest[0].lower()) if rest else None
            names = [
                n
                for n, g in groups.by_name.items()
                if kind is None or g.kind == kind or (kind == "service" and g.kind == "port")
            ]
        else:
            names = [rest[1]]
        why = f"line {index + 1} may have deleted it (not modelled)"
        hit = [name for name in names if groups.doubt(name, index, f"{what} {name}: {why}")]
        if hit:
            self.ctx.not_understood(
                index,
                f"deleting {what} {', '.join(hit)} is not modelled; "
                "the entries using it are undetermined",
            )

    def _object_network_member(self, group: Group, words: list[str], index: int) -> None:
        toks = Tokens(words)
        head = toks.take().lower()
        if head == "nat":
            return  # address translation: it does not change which packets an ACL matches
        if head == "host":
            group.members.append(Addr(self._host(toks.take("an address"))))
        elif head == "subnet":
            group.members.append(self._net(toks))
        elif head == "range":
            group.members.append(Addr(cc.span(toks.take("an address"), toks.take("an address"))))
        elif head == "fqdn":
            toks.take_if("v4", "v6")
            name = toks.take("a domain name")
            why = f"fqdn {name} (resolved by DNS at run time)"
            self.ctx.not_modelled(index, f"object {group.name}: {why}")
            group.members.append(Addr(IntervalSet(), (f"object {group.name}: {why}",)))
        else:
            raise ParseError(f"unknown object network line {head!r}")
        self._end(toks)

    def _object_group(self, obj: Block, words: list[str]) -> None:
        if len(words) < 3:
            return
        kind_word = words[1].lower()
        kinds = GROUP_KINDS
        if kind_word in ("user", "security"):
            group = self.groups.define(Group(kind_word, words[2], obj.linenum))
            return
        if kind_word not in kinds:
            raise ParseError(f"object-group {kind_word} is not supported")
        kind = kinds[kind_word]
        subtype = None
        if kind == "service" and len(words) >= 4:
            subtype = words[3].lower()
            if subtype not in ("tcp", "udp", "tcp-udp"):
                raise ParseError(f"unknown service group type {subtype!r}")
            kind = "port"
        group = self.groups.define(Group(kind, words[2], obj.linenum, subtype=subtype))
        for child in obj.children:
            cw = child.text.split()
            if not cw or cw[0].startswith("!") or cw[0].lower() == "description":
                continue
            if self._member_removed(group, child, cw):
                continue
            try:
                self._group_member(group, cw, child.linenum)
            except ParseError as exc:
                self.ctx.not_understood(child.linenum, str(exc))
                group.members.append(
                    unresolved_member(group.kind, f"line {child.linenum + 1} not understood: {exc}")
                )

    def _group_member(self, group: Group, words: list[str], index: int) -> None:
        toks = Tokens(words)
        head = toks.take().lower()
        if head == "group-object":
            group.nested.append((toks.take("a group name"), index))
        elif group.kind == "network" and head == "network-object":
            if toks.take_if("object"):
                name = toks.take("an object name")
                group.members.extend(
                    self.objects.members(name, "network", lambda why: Addr(IntervalSet(), (why,)))
                )
            elif toks.take_if("host"):
                group.members.append(Addr(self._host(toks.take("an address"))))
            else:
                group.members.append(self._net(toks))
        elif group.kind == "port" and head == "port-object":
            ports = cc.port_operator(toks, PORT_NAMES, multi_eq=False)
            if ports is None:
                raise ParseError("expected eq or range after port-object")
            group.members.append(ports)
        elif group.kind == "service" and head == "service-object":
            if toks.take_if("object"):
                name = toks.take("an object name")
                group.members.extend(
                    self.objects.members(
                        name, "service", lambda why: Service(None, None, None, (why,))
                    )
                )
            else:
                group.members.extend(self._service_spec(toks))
        elif group.kind == "protocol" and head == "protocol-object":
            group.members.append(cc.protocol(toks.take("a protocol"), PROTOCOLS))
        elif group.kind == "icmp" and head == "icmp-object":
            group.members.append(toks.take("an ICMP type").lower())
        else:
            raise ParseError(f"{head!r} does not belong in a {group.kind} group")
        self._end(toks)

    def _service_spec(self, toks: Tokens) -> list[Service]:
        """``PROTO [source OP P] [destination OP P]`` or ``icmp [TYPE [CODE]]``."""
        proto = cc.protocol(toks.take("a protocol"), PROTOCOLS)
        if (
            proto is not None
            and len(proto.spans) == 1
            and proto.min() in ICMP_NAMES
            and proto.size() == 1
        ):
            number = proto.min()
            types, codes = cc.icmp_message(toks, ICMP_NAMES[number])
            return [cc.icmp_service(number, types, codes)]
        if proto is None or not proto.issubset(cc.PORT_PROTOCOLS):
            return [Service(proto)]
        sport = dport = None
        while not toks.done():
            if toks.take_if("source"):
                sport = self._port_op(toks)
            elif toks.take_if("destination"):
                dport = self._port_op(toks)
            elif toks.peek_lower() in cc.PORT_OPERATORS:
                dport = self._port_op(toks)  # the destination keyword may be left out
            else:
                break
        return [Service(proto, sport, dport)]

    def _port_op(self, toks: Tokens) -> IntervalSet:
        ports = cc.port_operator(toks, PORT_NAMES, multi_eq=False)
        if ports is None:
            raise ParseError("expected a port operator")
        return ports

    def _end(self, toks: Tokens) -> None:
        if not toks.done():
            raise ParseError(f"unexpected {' '.join(toks.rest())!r}")

    # addresses --------------------------------------------------------------------------

    def _host(self, word: str) -> IntervalSet:
        if cc.is_ipv4(word) or cc.is_ipv6(word):
            return cc.host(word)
        if word in self.name_doubt:
            raise ParseError(self.name_doubt[word])
        if word in self.names:
            return self.names[word]
        raise ParseError(f"{word!r} is not an address or a name")

    def _net(self, toks: Tokens) -> Addr:
        """``ADDRESS MASK`` (a name may stand for the address) or ``IPV6/LEN``."""
        word = toks.take("an address")
        if cc.is_prefix(word):
            return Addr(cc.prefix(word))
        base = word if cc.is_ipv4(word) else None
        if base is None and word in self.name_doubt:
            raise ParseError(self.name_doubt[word])
        if base is None and word in self.names:
            base = addresses.first_address(self.names[word])
        if base is None or not cc.is_ipv4(base):
            raise ParseError(f"{word!r} is not an address or a name")
        mask = toks.take("a netmask")
        if not cc.is_ipv4(mask):
            raise ParseError(f"{mask!r} is not a netmask")
        return cc.netmask_addr(base, mask, self.masks)

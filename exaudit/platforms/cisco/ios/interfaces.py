"""IOS interfaces and the lists attached to them."""

from __future__ import annotations

import re

from exaudit.platforms.cisco import common as cc
from exaudit.platforms.cisco.common import Block, ParseError
from exaudit.platforms.cisco.ios.model import Attachment, Interface
from exaudit.platforms.cisco.ios.state import State
from exaudit.platforms.cisco.ios.tables import ACCESS_GROUP, VIRTUAL_INTERFACES


class InterfaceReader(State):
    """``interface`` blocks: access-groups, zones, shutdown, deletion."""

    # interfaces -------------------------------------------------------------------------

    def _iface(self, name: str, index: int | None) -> Interface | None:
        """The interface ``name`` configures, however an earlier line spelt it; a new one
        when ``index`` (its block's line) is given and none matches."""
        return cc.find_or_add(self.interfaces, self._numbers, name, index, Interface)

    def _interface_block(self, obj: Block, words: list[str]) -> None:
        try:
            names = interface_names(words)
        except ParseError as exc:
            # which interfaces it configures is unknown: any list it attaches or
            # detaches may be on any interface configured so far
            self.ctx.not_understood(
                obj.linenum,
                f"{exc}; the lists it attaches or "
                "detaches make every interface's lists undetermined",
            )
            for child in obj.children:
                low = [w.lower() for w in child.text.split()]
                if low[:2] in ACCESS_GROUP or (low[:1] == ["no"] and low[1:3] in ACCESS_GROUP):
                    self._anywhere(child.linenum, child.text.split(), low)
            return
        self._interface(obj, names)

    def _anywhere(self, index: int, words: list[str], low: list[str]) -> None:
        """An access-group line of an interface range exaudit cannot expand."""
        undo = low[0] == "no"
        if undo:
            words, low = words[1:], low[1:]
        family = 6 if low[0] == "ipv6" else 4
        why = f"line {index + 1} may have changed it (an interface range not understood)"
        for iface in self.interfaces.values():
            for direction in directions(words, low):
                key = (direction, family)
                current = iface.groups.get(key)
                if undo and current is not None:
                    iface.groups[key] = current.possibly_gone(why)
                elif not undo and len(words) >= 3:
                    iface.groups[key] = Attachment(words[2], index, why, current)

    def _interface(self, obj: Block, names: list[str]) -> None:
        ifaces = [self._iface(name, obj.linenum) for name in names]
        for child in obj.children:
            words = child.text.split()
            low = [w.lower() for w in words]
            for iface in ifaces:
                assert iface is not None
                self._interface_line(iface, child, words, low)

    def _interface_line(
        self, iface: Interface, child: Block, words: list[str], low: list[str]
    ) -> None:
        if low[:2] in ACCESS_GROUP:
            self._attach(iface, child.linenum, words, low)
        elif low[:1] == ["no"] and low[1:3] in ACCESS_GROUP:
            self._detach(iface, child.linenum, words[1:], low[1:])
        elif low[:2] == ["zone-member", "security"] and len(words) >= 3:
            iface.zone = (words[2], child.linenum)
            self.ctx.not_modelled(
                child.linenum,
                f"zone-based firewall (zone {words[2]}) "
                "is not modelled: verdicts through this interface "
                "are undetermined",
            )
        elif low[:3] == ["no", "zone-member", "security"]:
            iface.zone = None
        elif low[:2] == ["ip", "inspect"]:
            self.ctx.note(
                child.linenum,
                "CBAC inspection lets replies of inspected "
                "sessions back in; exaudit evaluates each direction alone",
            )
        elif low in (["shutdown"], ["no", "shutdown"]):
            iface.shutdown = low == ["shutdown"]
        elif low[:2] == ["ip", "address"] and len(words) >= 4:
            block = cc.network(words[2], words[3])
            if block is not None:
                secondary = low[4:5] == ["secondary"]
                if not secondary:  # a new primary address replaces the old one
                    iface.networks = [n for n in iface.networks if n[2]]
                iface.networks.append((block, child.linenum, secondary))
        elif low[:3] == ["no", "ip", "address"]:
            iface.networks = []

    def _attach(self, iface: Interface, index: int, words: list[str], low: list[str]) -> None:
        """``ip access-group NAME in|out``: a second one for the same direction replaces
        the first (one list per interface, protocol and direction)."""
        family = 6 if low[0] == "ipv6" else 4
        if len(words) == 4 and low[3] in ("in", "out"):
            iface.groups[(low[3], family)] = Attachment(words[2], index)
            return
        self.ctx.not_understood(index, f"expected '{words[0]} {words[1]} NAME in|out'")
        if len(words) < 3 or (len(words) == 3 and low[2] in ("in", "out")):
            return  # no list named: IOS rejects it and nothing changes
        # the old command reference reads a missing direction as out; with other words
        # after the name, the line may attach the list either way
        wanted = directions(words, low)
        for direction in wanted:
            key = (direction, family)
            iface.groups[key] = Attachment(
                words[2],
                index,
                f"line {index + 1} may attach {words[2]} {direction} (not understood)",
                iface.groups.get(key),
            )

    def _detach(self, iface: Interface, index: int, words: list[str], low: list[str]) -> None:
        """``no ip access-group NAME in|out`` removes that list from the interface; what
        IOS does when another list is attached there is not documented."""
        family = 6 if low[0] == "ipv6" else 4
        exact = len(words) == 4 and low[3] in ("in", "out")
        why = f"line {index + 1} ({self.ctx.lines[index].strip()}) may have removed it"
        unsure: list[str] = []
        for direction in directions(words, low):
            key = (direction, family)
            current = iface.groups.get(key)
            if current is None:
                continue  # nothing attached there: nothing to remove
            if exact and current.acl == words[2]:
                rest = (
                    current.fallback.possibly_gone(why)
                    if current.doubt and current.fallback is not None
                    else None
                )
                if rest is None:
                    del iface.groups[key]
                else:
                    iface.groups[key] = rest
                continue
            iface.groups[key] = current.possibly_gone(why)
            unsure.append(f"{current.acl} {direction}")
        if unsure:
            self.ctx.not_understood(
                index,
                f"whether '{self.ctx.lines[index].strip()}' "
                f"removes the list attached ({', '.join(unsure)}) is "
                "not modelled; verdicts through this interface are "
                "undetermined",
            )

    def _default_interface(self, name: str) -> None:
        """``default interface X`` returns X to its default configuration: no lists."""
        iface = self._iface(name, None)
        if iface is not None:
            iface.groups.clear()
            iface.zone = None

    def _no_interface(self, index: int, words: list[str]) -> None:
        """``no interface X`` deletes a subinterface or a virtual interface; deleting a
        physical one is not documented, so its lists may or may not be gone."""
        iface = self._iface(" ".join(words[1:]), None)
        if iface is None:
            return
        stem = cc.interface_stem(iface.name)
        if "." in iface.name or any(v.startswith(stem) for v in VIRTUAL_INTERFACES):
            del self.interfaces[iface.name]
            self._numbers[cc.interface_number(iface.name)].remove(iface.name)
            return
        if iface.groups:
            self.ctx.not_understood(
                index,
                f"deleting the physical interface {iface.name} is "
                "not modelled; its lists are undetermined",
            )
            why = f"line {index + 1} may have deleted {iface.name}"
            for key, att in list(iface.groups.items()):
                iface.groups[key] = att.possibly_gone(why)


_RANGE_ITEM = re.compile(r"^(.*?)(\d+)\s*-\s*(\d+)$")


def interface_names(words: list[str]) -> list[str]:
    """The interfaces an ``interface`` line names: one, or an ``interface range`` of
    ``TYPE SLOT/FIRST - LAST`` items separated by commas."""
    if not words or words[0].lower() != "range":
        return [" ".join(words)]
    names: list[str] = []
    for item in " ".join(words[1:]).split(","):
        item = item.strip()
        m = _RANGE_ITEM.match(item)
        if m is None:
            if not item or item.lower().startswith("macro"):
                raise ParseError(f"interface range {' '.join(words[1:])!r} is not understood")
            names.append(item)
            continue
        first, last = int(m.group(2)), int(m.group(3))
        if last < first or last - first > 4096:
            raise ParseError(f"interface range {item!r} is not understood")
        names.extend(f"{m.group(1)}{n}" for n in range(first, last + 1))
    return names


def directions(words: list[str], low: list[str]) -> tuple[str, ...]:
    """The directions an access-group line (without ``no``) may mean: the one it names;
    out when it names none (the old command reference's default); both otherwise."""
    if len(words) >= 4 and low[3] in ("in", "out"):
        return (low[3],)
    if len(words) == 3 and low[2] in ("in", "out"):
        return (low[2],)  # ``no ip access-group in``: no list named
    if len(words) == 3:
        return ("out",)
    return ("in", "out")

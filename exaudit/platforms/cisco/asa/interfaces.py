"""ASA interfaces, access-groups and same-security-traffic."""

from __future__ import annotations

from exaudit.core import addresses
from exaudit.platforms.cisco import common as cc
from exaudit.platforms.cisco.asa.model import Binding, Interface
from exaudit.platforms.cisco.asa.state import State
from exaudit.platforms.cisco.asa.tables import VIRTUAL_INTERFACES
from exaudit.platforms.cisco.common import Block, ParseError


class InterfaceReader(State):
    """``interface`` blocks, ``access-group`` and ``same-security-traffic`` lines."""

    def _iface(self, name: str, index: int | None) -> Interface | None:
        """The interface ``name`` configures, however an earlier line spelt it; a new one
        when ``index`` (its block's line) is given and none matches."""
        return cc.find_or_add(self.interfaces, self._numbers, name, index, Interface)

    def _interface(self, obj: Block, words: list[str]) -> None:
        if len(words) < 2:
            return
        iface = self._iface(" ".join(words[1:]), obj.linenum)
        assert iface is not None
        for child in obj.children:
            words = child.text.split()
            low = [w.lower() for w in words]
            try:
                self._interface_line(iface, child.linenum, words, low)
            except ParseError as exc:
                self.ctx.not_understood(child.linenum, str(exc))

    def _interface_line(
        self, iface: Interface, index: int, words: list[str], low: list[str]
    ) -> None:
        if low[:1] == ["nameif"] and len(words) == 2:
            if iface.nameif is not None and iface.nameif != words[1]:
                self._nameif_gone(iface, index)
            iface.nameif, iface.nameif_index = words[1], index
            if low[1] == "inside" and iface.level is None:
                iface.level_doubt = None  # named inside without a level: 100, as documented
        elif low[:2] == ["no", "nameif"]:
            self._nameif_gone(iface, index)
            iface.nameif = None
        elif low[:1] == ["security-level"] and len(words) == 2:
            iface.level = cc.number(words[1], 0, 100, "security level")
            iface.level_index, iface.level_doubt = index, None
        elif low[:2] == ["no", "security-level"]:
            iface.level, iface.level_index = None, None
            if (iface.nameif or "").lower() == "inside":
                # back to the default: 0, or the 100 that naming it inside set? Not documented
                iface.level_doubt = index
                self.ctx.not_understood(
                    index,
                    f"the security level of {iface.nameif} after "
                    "'no security-level' (0 or 100) is not documented; "
                    "the verdicts it decides are undetermined",
                )
        elif low[:2] == ["ip", "address"] and len(words) >= 4 and cc.is_ipv4(words[2]):
            # one IPv4 address per interface: a new one replaces the old
            addrs = cc.host(words[2])
            if len(words) >= 6 and low[4] == "standby" and cc.is_ipv4(words[5]):
                addrs = addrs | cc.host(words[5])
            iface.addresses = (iface.addresses - addresses.ALL_V4) | addrs
            block = cc.network(words[2], words[3])
            iface.network = (block, index) if block is not None else None
        elif low[:3] == ["no", "ip", "address"]:
            iface.addresses = iface.addresses - addresses.ALL_V4
            iface.network = None
        elif low[:2] == ["ipv6", "address"] and len(words) >= 3 and "/" in words[2]:
            address = words[2].split("/")[0]
            if cc.is_ipv6(address):
                iface.addresses = iface.addresses | cc.host(address)
        elif low[:3] == ["no", "ipv6", "address"]:
            if len(words) == 3:
                iface.addresses = iface.addresses - addresses.ALL_V6
            elif "/" in words[3] and cc.is_ipv6(words[3].split("/")[0]):
                iface.addresses = iface.addresses - cc.host(words[3].split("/")[0])
        elif low in (["management-only"], ["no", "management-only"]):
            iface.management_only = index if low[0] != "no" else None

    def _nameif_gone(self, iface: Interface, index: int) -> None:
        """The interface loses its nameif (renamed, or ``no nameif``): access-groups that
        named it are settled once every binding is read."""
        if iface.nameif is None:
            return
        self.nameifs_gone.append((iface.nameif, index, iface))
        if iface.level is None and iface.level_doubt is None:
            # naming an interface inside set its level to 100; whether renaming it (or
            # naming it inside later) changes that is not documented
            iface.level_doubt = index if (iface.nameif or "").lower() == "inside" else None

    def _clear_interfaces(self, obj: Block, words: list[str]) -> None:
        """``clear configure interface [NAME]`` returns interfaces to no configuration."""
        name = " ".join(words[3:])
        targets = (
            list(self.interfaces.values())
            if not name
            else [i for i in [self._iface(name, None)] if i is not None]
        )
        for iface in targets:
            self._nameif_gone(iface, obj.linenum)
            fresh = Interface(iface.name, iface.index)
            fresh.doubt = iface.doubt
            self.interfaces[iface.name] = fresh

    def _no_interface(self, obj: Block, words: list[str]) -> None:
        """``no interface X`` deletes a subinterface or a virtual interface; deleting a
        physical one is not documented, so what filters through it is undetermined."""
        iface = self._iface(" ".join(words[2:]), None)
        if iface is None:
            return
        self._nameif_gone(iface, obj.linenum)
        stem = cc.interface_stem(iface.name)
        if "." in iface.name or any(v.startswith(stem) for v in VIRTUAL_INTERFACES):
            del self.interfaces[iface.name]
            self._numbers[cc.interface_number(iface.name)].remove(iface.name)
            return
        self.ctx.not_understood(
            obj.linenum,
            f"deleting the physical interface {iface.name} "
            "is not modelled; verdicts through it are undetermined",
        )
        iface.doubt = iface.doubt or (obj.linenum, f"line {obj.linenum + 1} may have deleted it")

    def _access_group(self, obj: Block, words: list[str]) -> None:
        """``access-group ACL in|out interface NAMEIF`` / ``access-group ACL global``: one
        list per interface and direction, so a new one replaces the one before."""
        key = self._binding_key(obj.linenum, words)
        if key is not None:
            self.bindings[key] = Binding(words[1], obj.linenum)

    def _no_access_group(self, obj: Block, words: list[str]) -> None:
        """``no access-group ACL ...`` removes that binding; naming another list than the
        one bound there is not documented, so that binding may or may not be gone."""
        key = self._binding_key(obj.linenum, words[1:])
        current = self.bindings.get(key) if key is not None else None
        if key is None or current is None:
            return  # nothing bound there: nothing to remove
        if current.acl == words[2]:
            del self.bindings[key]
            return
        self.ctx.not_understood(
            obj.linenum,
            f"access-list {current.acl} is bound there, "
            f"not {words[2]}: whether the ASA removes it is not "
            "modelled; its verdicts are undetermined",
        )
        current.doubt = current.doubt or f"line {obj.linenum + 1} may have removed it"

    def _binding_key(self, index: int, words: list[str]) -> tuple[str, str] | None:
        """Where an access-group line (without ``no``) binds: (nameif or "", direction)."""
        low = [w.lower() for w in words]
        if len(words) == 3 and low[2] == "global":
            return ("", "global")
        if len(words) >= 5 and low[2] in ("in", "out") and low[3] == "interface":
            extra = low[5:]
            if "control-plane" in extra:
                self.ctx.note(
                    index,
                    f"access-group {words[1]} control-plane filters traffic "
                    "to the ASA itself; not on any through path",
                )
                return None
            if extra and extra != ["per-user-override"]:
                raise ParseError(f"unexpected {' '.join(words[5:])!r}")
            return (words[4], low[2])
        raise ParseError(
            "expected 'access-group ACL in|out interface NAMEIF' or 'access-group ACL global'"
        )

    def _same_security(self, obj: Block, words: list[str]) -> None:
        """``[no] same-security-traffic permit inter-interface|intra-interface``."""
        low = [w.lower() for w in words]
        undo = low[:1] == ["no"]
        low = low[1:] if undo else low
        if (
            low[1:2] != ["permit"]
            or len(low) != 3
            or low[2] not in ("inter-interface", "intra-interface")
        ):
            raise ParseError(
                "expected 'same-security-traffic permit inter-interface|intra-interface'"
            )
        if undo:
            self.same_security.pop(low[2], None)
        else:
            self.same_security[low[2]] = obj.linenum

    def _clear_access_groups(self, obj: Block, words: list[str]) -> None:
        """``clear configure access-group`` removes every binding."""
        self.bindings.clear()

    def _clear_same_security(self, obj: Block, words: list[str]) -> None:
        self.same_security.clear()

    def _settle_nameifs(self) -> None:
        """An access-group naming a nameif that a later line removed or renamed: whether
        the ASA drops it, keeps it, or follows the rename is not documented."""
        for old, index, iface in self.nameifs_gone:
            hit = [
                b for (nameif, _), b in self.bindings.items() if nameif == old and b.index < index
            ]
            if not hit:
                continue
            why = f"line {index + 1} took nameif {old} away from {iface.name}"
            self.ctx.not_understood(
                index,
                f"access-groups name {old}: what becomes of them "
                "when the nameif goes is not modelled; their verdicts "
                "are undetermined",
            )
            for binding in hit:
                binding.doubt = binding.doubt or why
            if iface.nameif is not None and iface.nameif != old:
                iface.doubt = iface.doubt or (index, why)  # the list may follow the rename

"""What the ASA adds to the model: lists, entries, interfaces, bindings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from exaudit.core.intervals import IntervalSet
from exaudit.core.model import Rule, Ruleset
from exaudit.platforms.cisco.common.model import CiscoRuleset


@dataclass(eq=False)
class Entry:
    index: int  # 0-based line
    rules: list[Rule]
    remark: bool = False
    inactive: bool = False
    text: str = ""  # the entry as written after the list's name (``line N`` left out)
    doubt_at: int | None = None  # a line that may have removed it
    sig: tuple = ()  # ``signature`` when it joined its list (its rules change only by doubt)
    serial: int = 0  # when it joined its list (the list's order while none was inserted)


def signature(entry: Entry) -> tuple:
    """What an entry matches and does: entries with equal signatures may be one entry to
    the ASA, written differently."""
    return tuple((r.match, r.target.verb, r.unknown) for r in entry.rules), entry.inactive


@dataclass
class Acl:
    """An access-list's entries in order, indexed so that a ``no access-list`` line finds
    the entries it may name without reading the whole list."""

    name: str
    index: int
    entries: list[Entry] = field(default_factory=list)  # change only through the methods
    doubts: int = 0  # entries that may be gone (then ``line N`` positions are not sure)
    _by_text: dict[tuple[str, bool], list[Entry]] = field(default_factory=dict, repr=False)
    # the entries no line may have removed (remarks aside), all and by signature
    _sure: dict[Entry, None] = field(default_factory=dict, repr=False)
    _sure_by_sig: dict[tuple, dict[Entry, None]] = field(default_factory=dict, repr=False)
    # whether a ``line N`` insertion put an entry before others: the indexes then hold
    # entries in the order they joined, not the list's
    _reordered: bool = False
    _joined: int = 0

    def rules(self) -> list[Rule]:
        return [r for e in self.entries for r in e.rules]

    def add(self, entry: Entry, position: int | None = None) -> None:
        """Append ``entry``, or insert it at (1-based) ``position``."""
        if position is None or position > len(self.entries):
            self.entries.append(entry)
        else:
            self.entries.insert(position - 1, entry)
            self._reordered = True
        entry.sig = signature(entry)
        self._joined += 1
        entry.serial = self._joined
        self._by_text.setdefault((entry.text, entry.remark), []).append(entry)
        if not entry.remark and entry.doubt_at is None:
            self._sure[entry] = None
            self._sure_by_sig.setdefault(entry.sig, {})[entry] = None

    def remove(self, entry: Entry) -> None:
        self.entries.remove(entry)
        self._by_text[entry.text, entry.remark].remove(entry)
        self.doubted(entry)

    def doubted(self, entry: Entry) -> None:
        """``entry`` may be gone (or is): it no longer counts as surely in the list."""
        if self._sure.pop(entry, 0) is None:
            del self._sure_by_sig[entry.sig][entry]

    def written(self, text: str, remark: bool) -> list[Entry]:
        """The entries written exactly so, in list order."""
        return self.in_order(self._by_text.get((text, remark), []))

    def sure(self, sig: tuple | None) -> list[Entry]:
        """The entries surely in the list with signature ``sig`` (any, for None), in order."""
        found = self._sure if sig is None else self._sure_by_sig.get(sig, {})
        return self.in_order(found)

    def in_order(self, entries: Iterable[Entry]) -> list[Entry]:
        """``entries`` (all in the list) sorted in list order."""
        found = list(entries)
        if len(found) > 1:
            if self._reordered:  # a rare path: positions read off the list itself
                place = {id(e): i for i, e in enumerate(self.entries)}
                found.sort(key=lambda e: place[id(e)])
            else:  # the list is in the order its entries joined it
                found.sort(key=lambda e: e.serial)
        return found


@dataclass
class Interface:
    name: str  # hardware name, GigabitEthernet0/0
    index: int
    nameif: str | None = None
    nameif_index: int | None = None
    level: int | None = None
    level_index: int | None = None
    addresses: IntervalSet = field(default_factory=IntervalSet)
    network: tuple[IntervalSet, int] | None = None  # ``ip address A MASK``: block, line
    management_only: int | None = None  # the ``management-only`` line
    # a line after which the level is 0 or 100, which one not documented (``no
    # security-level`` on inside; an inside interface with no level set, renamed)
    level_doubt: int | None = None
    # (line, why) when what filters through this interface is undetermined
    doubt: tuple[int, str] | None = None

    def security_level(self) -> int:
        # an interface named "inside" defaults to 100, every other to 0
        if self.level is not None:
            return self.level
        return 100 if (self.nameif or "").lower() == "inside" else 0

    def security_levels(self) -> tuple[int, ...]:
        """Every level the interface may have."""
        return (0, 100) if self.level_doubt is not None else (self.security_level(),)


@dataclass
class Binding:
    acl: str
    index: int  # the access-group line
    doubt: str | None = None  # why it may no longer be in effect


@dataclass
class AsaRuleset(CiscoRuleset):
    """An ASA configuration: its lists as chains, interfaces, bindings and level rules."""

    interfaces: dict[str, Interface] = field(default_factory=dict)  # by hardware name
    acls: dict[str, Acl] = field(default_factory=dict)
    bindings: dict[tuple[str, str], Binding] = field(default_factory=dict)  # (nameif, dir)
    same_security: dict[str, int] = field(default_factory=dict)  # inter-/intra-interface


def asa_ruleset(ruleset: Ruleset) -> AsaRuleset:
    """``ruleset`` as the ASA parser made it (the platform contract passes it as a Ruleset)."""
    assert isinstance(ruleset, AsaRuleset), ruleset.platform
    return ruleset

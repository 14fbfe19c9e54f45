"""What IOS adds to the model: its lists, entries, interfaces and attachments."""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.core.model import Rule, Ruleset
from exaudit.platforms.cisco.common.model import CiscoRuleset


@dataclass(eq=False)
class Entry:
    """One ACL line: its sequence number, its line, and the rules it yields."""

    seq: int
    index: int  # 0-based line
    rules: list[Rule]
    remark: bool = False
    text: str = ""  # the entry as written after its sequence number
    sig: tuple = ()  # what it matches and does (equal for entries IOS may take as equal)
    doubt_at: int | None = None  # a line that may have removed it (or kept it out)
    # an entry IOS may have taken this one to repeat (then it made no change): settled
    # once the list is complete, where it matters
    twin: Entry | None = None
    gone: bool = False  # removed by a later line


@dataclass
class Acl:
    name: str
    family: int  # 4 or 6
    kind: str  # standard | extended
    numbered: bool
    index: int  # line that created it
    key: str = ""  # its chain's name in the ruleset
    entries: list[Entry] = field(default_factory=list)
    texts: dict[str, Entry] = field(default_factory=dict)  # ACE text -> entry
    sigs: dict[tuple, list[Entry]] = field(default_factory=dict)
    # (first sequence number, line): from that number on, which entry has which number is
    # undetermined (the list may have been deleted and rebuilt, or renumbered around
    # entries that may be gone)
    renumbered: tuple[int, int] | None = None

    def has_aces(self) -> bool:
        return any(not e.remark for e in self.entries)

    def next_seq(self) -> int:
        return max((e.seq for e in self.entries if not e.remark), default=0) + 10

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)
        if not entry.remark:
            self.texts.setdefault(entry.text, entry)
            self.sigs.setdefault(entry.sig, []).append(entry)

    def remove(self, entry: Entry) -> None:
        self.entries.remove(entry)
        entry.gone = True
        if entry.remark:
            return
        if self.texts.get(entry.text) is entry:
            del self.texts[entry.text]
        twins = self.sigs.get(entry.sig, [])
        if entry in twins:
            twins.remove(entry)


@dataclass
class Attachment:
    """An ``ip access-group`` / ``ipv6 traffic-filter``: the list, maybe not for sure."""

    acl: str
    index: int  # the access-group / traffic-filter line
    doubt: str | None = None  # why this list may not be the one attached
    fallback: Attachment | None = None  # what filters if it is not (None: nothing)

    def possibly_gone(self, why: str) -> Attachment:
        """The same candidates, none of them sure any more, and possibly no list at all."""
        rest = self.fallback.possibly_gone(why) if self.fallback is not None else None
        return Attachment(self.acl, self.index, self.doubt or why, rest)


@dataclass
class Interface:
    name: str
    index: int
    groups: dict[tuple[str, int], Attachment] = field(default_factory=dict)  # (dir, family)
    zone: tuple[str, int] | None = None
    shutdown: bool = False


@dataclass
class IosRuleset(CiscoRuleset):
    """An IOS configuration: its lists as chains, and the interfaces they are attached to."""

    interfaces: dict[str, Interface] = field(default_factory=dict)
    acls: dict[str, Acl] = field(default_factory=dict)  # by chain name


def ios_ruleset(ruleset: Ruleset) -> IosRuleset:
    """``ruleset`` as the IOS parser made it (the platform contract passes it as a Ruleset)."""
    assert isinstance(ruleset, IosRuleset), ruleset.platform
    return ruleset

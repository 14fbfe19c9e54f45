"""What IOS adds to the model: its lists, entries, interfaces and attachments."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from exaudit.core.intervals import IntervalSet
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


class SeqNumbers:
    """A multiset of sequence numbers that knows its largest: O(log n) per change.

    A list grows by one entry per line, and each unnumbered entry takes the largest
    number so far plus 10: a running maximum (a heap whose removed numbers are dropped
    when they surface) keeps reading a list linear in its length.
    """

    def __init__(self) -> None:
        self._count: dict[int, int] = {}
        self._heap: list[int] = []  # negated numbers, some of them no longer counted

    def add(self, seq: int) -> None:
        if not self._count.get(seq):
            heapq.heappush(self._heap, -seq)
        self._count[seq] = self._count.get(seq, 0) + 1

    def discard(self, seq: int) -> None:
        left = self._count.get(seq, 0) - 1
        if left > 0:
            self._count[seq] = left
        else:
            self._count.pop(seq, None)

    def largest(self, default: int = 0) -> int:
        while self._heap and -self._heap[0] not in self._count:
            heapq.heappop(self._heap)
        return -self._heap[0] if self._heap else default


@dataclass
class Acl:
    name: str
    family: int  # 4 or 6
    kind: str  # standard | extended
    numbered: bool
    index: int  # line that created it
    key: str = ""  # its chain's name in the ruleset
    texts: dict[str, Entry] = field(default_factory=dict)  # ACE text -> entry
    sigs: dict[tuple, list[Entry]] = field(default_factory=dict)
    # (first sequence number, line): from that number on, which entry has which number is
    # undetermined (the list may have been deleted and rebuilt, or renumbered around
    # entries that may be gone)
    renumbered: tuple[int, int] | None = None
    # the entries in list order (a dict: removing one is O(1)), and indexes over them
    _entries: dict[Entry, None] = field(default_factory=dict, repr=False)
    _by_seq: dict[int, list[Entry]] = field(default_factory=dict, repr=False)
    _all_seqs: SeqNumbers = field(default_factory=SeqNumbers, repr=False)
    _ace_seqs: SeqNumbers = field(default_factory=SeqNumbers, repr=False)
    _aces: int = 0

    @property
    def entries(self) -> list[Entry]:
        return list(self._entries)

    @entries.setter
    def entries(self, ordered: list[Entry]) -> None:
        """The same entries in a new order, or renumbered (``resequence``)."""
        texts, sigs = self.texts, self.sigs
        self._entries, self._by_seq, self._aces = {}, {}, 0
        self._all_seqs, self._ace_seqs = SeqNumbers(), SeqNumbers()
        for entry in ordered:
            self._index(entry)
        self.texts, self.sigs = texts, sigs  # by text and signature: unchanged

    def has_aces(self) -> bool:
        return self._aces > 0

    def next_seq(self) -> int:
        """The number IOS gives an entry written without one: 10 above the largest."""
        return self._ace_seqs.largest() + 10

    def last_seq(self) -> int:
        """The largest number any entry (a remark too) has, 0 for none."""
        return self._all_seqs.largest()

    def at(self, seq: int) -> list[Entry]:
        """The entries numbered ``seq`` (remarks too), in list order."""
        return list(self._by_seq.get(seq, ()))

    def add(self, entry: Entry) -> None:
        self._index(entry)
        if not entry.remark:
            self.texts.setdefault(entry.text, entry)
            self.sigs.setdefault(entry.sig, []).append(entry)

    def _index(self, entry: Entry) -> None:
        self._entries[entry] = None
        self._by_seq.setdefault(entry.seq, []).append(entry)
        self._all_seqs.add(entry.seq)
        if not entry.remark:
            self._ace_seqs.add(entry.seq)
            self._aces += 1

    def remove(self, entry: Entry) -> None:
        del self._entries[entry]
        same = self._by_seq[entry.seq]
        same.remove(entry)
        if not same:
            del self._by_seq[entry.seq]
        self._all_seqs.discard(entry.seq)
        entry.gone = True
        if entry.remark:
            return
        self._ace_seqs.discard(entry.seq)
        self._aces -= 1
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
    # ``ip address A MASK [secondary]``: (block, line index, secondary)
    networks: list[tuple[IntervalSet, int, bool]] = field(default_factory=list)


@dataclass
class IosRuleset(CiscoRuleset):
    """An IOS configuration: its lists as chains, and the interfaces they are attached to."""

    interfaces: dict[str, Interface] = field(default_factory=dict)
    acls: dict[str, Acl] = field(default_factory=dict)  # by chain name


def ios_ruleset(ruleset: Ruleset) -> IosRuleset:
    """``ruleset`` as the IOS parser made it (the platform contract passes it as a Ruleset)."""
    assert isinstance(ruleset, IosRuleset), ruleset.platform
    return ruleset

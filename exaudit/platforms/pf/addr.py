"""pf address operands as exact sets, with the part exaudit cannot know kept apart.

An operand (``10/8``, ``! 10.1.2.3``, ``<table>``, ``(em0)``, ``self``...) becomes an
``AddrItem``: the addresses it certainly matches, the addresses it may or may not match
(names resolved on the running host: interfaces, DNS names, ``self``, ``no-route``), and
why. pfctl expands a list into one rule per item, so items are kept apart until the rule
is built; a negated item is the complement of its own address within its family.
Tables follow the radix-tree rule: the most specific entry decides, ``!`` entries exclude.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import Origin
from exaudit.platforms.pf.names import LOOPBACK_ADDRESSES, LOOPBACK_NETWORKS

EMPTY = IntervalSet()
FAMILY = {4: addresses.ALL_V4, 6: addresses.ALL_V6, None: addresses.ALL}


@dataclass(frozen=True)
class AddrItem:
    """One address operand: ``af`` 4/6/None, what it surely matches, what it may match."""

    af: int | None
    certain: IntervalSet
    uncertain: IntervalSet = EMPTY
    reason: str = ""

    def negated(self) -> AddrItem:
        space = FAMILY[self.af]
        return AddrItem(
            self.af, space - (self.certain | self.uncertain), self.uncertain, self.reason
        )

    def masked(self, af: int) -> AddrItem:
        """The part of the operand that lies in family ``af``."""
        space = FAMILY[af]
        return AddrItem(af, self.certain & space, self.uncertain & space, self.reason)


ANY = AddrItem(None, addresses.ALL)


def unknown(reason: str, af: int | None = None) -> AddrItem:
    return AddrItem(af, EMPTY, FAMILY[af], reason)


_V4 = re.compile(r"^(\d{1,3})(?:\.(\d{1,3}))?(?:\.(\d{1,3}))?(?:\.(\d{1,3}))?$")
_IFACE_MOD = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]*?)(?::(network|broadcast|peer|0))?$")


def _v4_int(text: str, need_four: bool) -> int | None:
    m = _V4.match(text)
    if not m:
        return None
    parts = [p for p in m.groups() if p is not None]
    if need_four and len(parts) != 4:
        return None
    value = 0
    for i in range(4):
        octet = int(parts[i]) if i < len(parts) else 0
        if octet > 255:
            return None
        value = value << 8 | octet
    return value


def _block(value: int, bits: int, width: int, base: int) -> IntervalSet:
    host_bits = width - bits
    lo = value >> host_bits << host_bits
    return IntervalSet.span(base + lo, base + lo + (1 << host_bits) - 1)


def numeric(text: str, bits: int | None) -> AddrItem | None:
    """An IPv4/IPv6 literal (short IPv4 forms like ``10/8`` need the mask), or None."""
    if "%" in text:  # fe80::1%lo0: the scope names an interface, the address is exact
        text = text.split("%", 1)[0]
    if ":" in text:
        try:
            v6 = int(ipaddress.IPv6Address(text))
        except ValueError:
            return None
        width = 128 if bits is None else bits
        if not 0 <= width <= 128:
            return None
        return AddrItem(6, _block(v6, width, 128, addresses.V6_BASE))
    v4 = _v4_int(text, need_four=bits is None)
    if v4 is None:
        return None
    width = 32 if bits is None else bits
    if not 0 <= width <= 32:
        return None
    return AddrItem(4, _block(v4, width, 32, 0))


def _loopback(modifier: str | None, bits: int | None) -> list[AddrItem]:
    if modifier == "network":
        return [numeric(n.split("/")[0], int(n.split("/")[1])) for n in LOOPBACK_NETWORKS]  # type: ignore[misc]
    if modifier in (None, "0"):
        items = [numeric(a, bits) for a in LOOPBACK_ADDRESSES]
        return [i for i in items if i is not None]
    return []


def resolve(word: str, bits: int | None = None) -> list[AddrItem]:
    """A host operand as pfctl's host() reads it: literal, localhost, interface, or name."""
    return list(_resolve(word, bits))


@lru_cache(maxsize=65536)
def _resolve(word: str, bits: int | None) -> tuple[AddrItem, ...]:
    return tuple(_resolve_uncached(word, bits))


def _resolve_uncached(word: str, bits: int | None) -> list[AddrItem]:
    literal = numeric(word, bits)
    if literal is not None:
        return [literal]
    if word == "localhost":
        # RFC 6761 fixes what localhost resolves to; pfctl uses each address it gets
        return [numeric("127.0.0.1", bits), numeric("::1", bits)]  # type: ignore[list-item]
    m = _IFACE_MOD.match(word)
    if m and m.group(1) in ("lo0", "lo"):
        return _loopback(m.group(2), bits)
    if word == "self":
        return [unknown("'self' (the firewall's own addresses) is resolved on the host")]
    if m and m.group(2):
        return [unknown(f"'{word}' is the address of an interface on the running host")]
    if _V4.match(word) or re.fullmatch(r"[0-9.:/]+", word):
        return [unknown(f"'{word}' is not an address exaudit can read")]
    return [unknown(f"'{word}' (a host or interface name) is resolved when pf loads")]


def dynamic(word: str, bits: int | None) -> list[AddrItem]:
    """``(if)``, ``(if:network)``...: the interface's addresses, followed at run time."""
    m = _IFACE_MOD.match(word)
    if m and m.group(1) in ("lo0", "lo"):
        return _loopback(m.group(2), bits)
    return [unknown(f"'({word})' follows the addresses of an interface at run time")]


def address_range(first: str, last: str) -> AddrItem | None:
    a, b = numeric(first, None), numeric(last, None)
    if a is None or b is None or a.af != b.af or b.certain.min() < a.certain.min():
        return None
    return AddrItem(a.af, IntervalSet.span(a.certain.min(), b.certain.max()))


# --- tables -----------------------------------------------------------------------------


@dataclass
class Table:
    """A ``table <name>`` definition: its entries by block size, and what is unknown."""

    name: str
    entries: int = 0
    unknown_reasons: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    defined_at: Origin | None = None
    negated_entries: bool = False
    # block size -> (spans of entries, spans of ! entries)
    _blocks: dict[int, tuple[list[tuple[int, int]], list[tuple[int, int]]]] = field(
        default_factory=dict
    )
    _item: AddrItem | None = None

    def add(self, negated: bool, items: Iterable[AddrItem]) -> None:
        for item in items:
            if item.uncertain:
                self.unknown_reasons.append(item.reason)
            for lo, hi in item.certain.spans:
                self.add_block(negated, lo, hi)

    def add_block(self, negated: bool, lo: int, hi: int) -> None:
        pos, neg = self._blocks.setdefault(hi - lo, ([], []))
        (neg if negated else pos).append((lo, hi))
        self.entries += 1
        self.negated_entries |= negated
        self._item = None

    def item(self) -> AddrItem:
        """The table as one operand: radix semantics, the most specific entry wins."""
        if self._item is None:
            self._item = self._combine()
        return self._item

    def _combine(self) -> AddrItem:
        known = IntervalSet()
        # least specific first, so that a more specific entry overrides it
        for size in sorted(self._blocks, reverse=True):
            pos, neg = self._blocks[size]
            if neg:
                known = known - IntervalSet(neg)
            if pos:
                known = known | IntervalSet(pos)
        if not self.unknown_reasons:
            return AddrItem(None, known)
        reason = f"table <{self.name}>: " + "; ".join(dict.fromkeys(self.unknown_reasons))
        if self.negated_entries or not known:
            return AddrItem(None, EMPTY, addresses.ALL, reason)
        return AddrItem(None, known, addresses.ALL - known, reason)


_FAST_V4 = re.compile(r"^(\d+)\.(\d+)\.(\d+)\.(\d+)(?:/(\d+))?$")


def add_words(table: Table, words: Iterable[str]) -> None:
    """Table entries as they come from a body or a file; plain IPv4 ones without objects."""
    negated = False
    for word in words:
        if word == "!":
            negated = True
            continue
        m = _FAST_V4.match(word)
        if m:
            a, b, c, d, mask = m.groups()
            a, b, c, d = int(a), int(b), int(c), int(d)
            bits = 32 if mask is None else int(mask)
            if a < 256 and b < 256 and c < 256 and d < 256 and bits <= 32:
                host = 32 - bits
                lo = (a << 24 | b << 16 | c << 8 | d) >> host << host
                table.add_block(negated, lo, lo + (1 << host) - 1)
                negated = False
                continue
        neg, items = table_entry(word)
        table.add(negated or neg, items)
        negated = False


def table_entry(word: str) -> tuple[bool, list[AddrItem]]:
    """One entry of a table body or table file: ``[!]address[/bits]`` or a name."""
    negated = word.startswith("!")
    if negated:
        word = word[1:]
    m = _FAST_V4.match(word)
    if m:  # the common case in big tables, read without ipaddress
        a, b, c, d, mask = m.groups()
        a, b, c, d = int(a), int(b), int(c), int(d)
        bits = 32 if mask is None else int(mask)
        if a < 256 and b < 256 and c < 256 and d < 256 and bits <= 32:
            host = 32 - bits
            lo = (a << 24 | b << 16 | c << 8 | d) >> host << host
            return negated, [AddrItem(4, IntervalSet.span(lo, lo + (1 << host) - 1))]
    bits_: int | None = None
    if "/" in word:
        word, _, mask = word.partition("/")
        if not mask.isdigit():
            return negated, [unknown(f"'{word}/{mask}' is not an address exaudit can read")]
        bits_ = int(mask)
    return negated, resolve(word, bits_)

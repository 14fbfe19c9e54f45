"""Reading one Cisco line: a word cursor, numbers, ports, protocols and ICMP names."""

from __future__ import annotations

import re
from collections.abc import Sequence

from exaudit.core.intervals import IntervalSet
from exaudit.core.model import PORTS, TCP

# Protocols whose packets carry ports (a port condition restricts the protocol to these).
PORT_PROTOCOLS = IntervalSet.of([6, 17, 33, 132])
TCP_ONLY = IntervalSet.point(TCP)
TCP_UDP = IntervalSet.of([6, 17])
ICMP_TYPES = IntervalSet.span(0, 255)

# ICMPv4 message names (type, code or None for any code); IOS knows all of them, ASA the
# ones without a code. The numbers are the IANA ones, so one table serves both.
ICMP4_NAMES: dict[str, tuple[int, int | None]] = {
    "echo-reply": (0, None),
    "unreachable": (3, None),
    "net-unreachable": (3, 0),
    "host-unreachable": (3, 1),
    "protocol-unreachable": (3, 2),
    "port-unreachable": (3, 3),
    "packet-too-big": (3, 4),
    "source-route-failed": (3, 5),
    "network-unknown": (3, 6),
    "host-unknown": (3, 7),
    "host-isolated": (3, 8),
    "dod-net-prohibited": (3, 9),
    "dod-host-prohibited": (3, 10),
    "net-tos-unreachable": (3, 11),
    "host-tos-unreachable": (3, 12),
    "administratively-prohibited": (3, 13),
    "host-precedence-unreachable": (3, 14),
    "precedence-unreachable": (3, 15),
    "source-quench": (4, None),
    "redirect": (5, None),
    "net-redirect": (5, 0),
    "host-redirect": (5, 1),
    "net-tos-redirect": (5, 2),
    "host-tos-redirect": (5, 3),
    "alternate-address": (6, None),
    "echo": (8, None),
    "router-advertisement": (9, None),
    "router-solicitation": (10, None),
    "time-exceeded": (11, None),
    "ttl-exceeded": (11, 0),
    "reassembly-timeout": (11, 1),
    "parameter-problem": (12, None),
    "general-parameter-problem": (12, 0),
    "option-missing": (12, 1),
    "no-room-for-option": (12, 2),
    "timestamp-request": (13, None),
    "timestamp-reply": (14, None),
    "information-request": (15, None),
    "information-reply": (16, None),
    "mask-request": (17, None),
    "mask-reply": (18, None),
    "traceroute": (30, None),
    "conversion-error": (31, None),
    "mobile-redirect": (32, None),
}


class ParseError(Exception):
    """A line (or part of one) that does not follow the grammar exaudit knows."""


# --- tokens -----------------------------------------------------------------------------


class Tokens:
    """A cursor over the words of one line."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = list(words)
        self.i = 0

    @classmethod
    def of(cls, text: str) -> Tokens:
        return cls(text.split())

    def peek(self, ahead: int = 0) -> str | None:
        j = self.i + ahead
        return self.words[j] if j < len(self.words) else None

    def peek_lower(self, ahead: int = 0) -> str | None:
        word = self.peek(ahead)
        return word.lower() if word is not None else None

    def take(self, what: str = "a word") -> str:
        if self.i >= len(self.words):
            raise ParseError(f"expected {what} at the end of the line")
        word = self.words[self.i]
        self.i += 1
        return word

    def take_if(self, *keywords: str) -> str | None:
        word = self.peek_lower()
        if word is not None and word in keywords:
            self.i += 1
            return word
        return None

    def done(self) -> bool:
        return self.i >= len(self.words)

    def rest(self) -> list[str]:
        out = self.words[self.i :]
        self.i = len(self.words)
        return out


# --- numbers, ports and protocols ----------------------------------------------------------

DIGITS = re.compile(r"^\d+$")


def number(word: str, lo: int, hi: int, what: str) -> int:
    if not DIGITS.match(word):
        raise ParseError(f"{what} {word!r} is not a number")
    value = int(word)
    if not lo <= value <= hi:
        raise ParseError(f"{what} {value} is outside {lo}-{hi}")
    return value


def is_port_word(word: str | None, names: dict[str, int]) -> bool:
    return word is not None and (DIGITS.match(word) is not None or word.lower() in names)


def port(word: str, names: dict[str, int]) -> int:
    if DIGITS.match(word):
        return number(word, 0, 65535, "port")
    try:
        return names[word.lower()]
    except KeyError:
        raise ParseError(f"unknown port name {word!r}") from None


PORT_OPERATORS = ("eq", "neq", "lt", "gt", "range")


def port_operator(toks: Tokens, names: dict[str, int], multi_eq: bool) -> IntervalSet | None:
    """A port condition at the cursor (``eq``/``neq``/``lt``/``gt``/``range``), else None.

    ``multi_eq``: IOS accepts several ports after ``eq`` (any of them matches).
    """
    op = toks.take_if(*PORT_OPERATORS)
    if op is None:
        return None
    if op == "range":
        lo, hi = port(toks.take("a port"), names), port(toks.take("a port"), names)
        if hi < lo:
            raise ParseError(f"port range {lo} {hi} ends before it starts")
        return IntervalSet.span(lo, hi)
    first = port(toks.take("a port"), names)
    if op == "eq":
        values = [first]
        while multi_eq and is_port_word(toks.peek(), names):
            values.append(port(toks.take(), names))
        return IntervalSet.of(values)
    if op == "neq":
        return PORTS - IntervalSet.point(first)
    if op == "lt":
        return IntervalSet.span(0, first - 1)
    return IntervalSet.span(first + 1, 65535)


def protocol(word: str, names: dict[str, IntervalSet | None]) -> IntervalSet | None:
    """A protocol name or number; ``None`` means every protocol (``ip``)."""
    low = word.lower()
    if low in names:
        return names[low]
    if DIGITS.match(word):
        value = number(word, 0, 255, "protocol")
        return IntervalSet.point(value)
    raise ParseError(f"unknown protocol {word!r}")


def icmp_message(
    toks: Tokens, names: dict[str, tuple[int, int | None]]
) -> tuple[IntervalSet | None, IntervalSet | None]:
    """An optional ICMP type (and code) at the cursor: (types, codes), None = any."""
    word = toks.peek_lower()
    if word is None:
        return None, None
    if word in names:
        toks.take()
        icmp_type, code = names[word]
        if code is None and DIGITS.match(toks.peek() or ""):
            code = number(toks.take(), 0, 255, "ICMP code")  # ASA: ``unreachable 4``
        return IntervalSet.point(icmp_type), (IntervalSet.point(code) if code is not None else None)
    if DIGITS.match(word):
        icmp_type = number(toks.take(), 0, 255, "ICMP type")
        codes = None
        if toks.peek() is not None and DIGITS.match(toks.peek() or ""):
            codes = IntervalSet.point(number(toks.take(), 0, 255, "ICMP code"))
        return IntervalSet.point(icmp_type), codes
    return None, None

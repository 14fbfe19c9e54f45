"""Values in pf rules: numbers, interface names, TCP flags, port operators, and errors."""

from __future__ import annotations

import re
from collections.abc import Callable

from exaudit.core.intervals import IntervalSet
from exaudit.core.model import IfaceMatch
from exaudit.platforms.pf.ir import IfaceAlt
from exaudit.platforms.pf.names import DRIVER_GROUPS, TCP_FLAG_LETTERS

PORTS = IntervalSet.span(0, 65535)
LOOPBACK_NAME = re.compile(r"^lo[0-9]*$")


class Syntax(Exception):
    """A statement that does not follow the grammar."""


def number(text: str) -> int | None:
    """pfctl reads numbers with strtoul(..., 0): decimal, 0x hex and 0 octal."""
    try:
        if text.lower().startswith("0x"):
            return int(text, 16)
        if len(text) > 1 and text.startswith("0") and text.isdigit():
            return int(text, 8)
        if text.isdigit():
            return int(text)
    except ValueError:
        return None
    return None


def iface(name: str, negated: bool = False) -> IfaceAlt:
    """An interface name, a driver group (``lo``: every loopback), or an unknown group."""
    if name and name[-1].isdigit():
        return IfaceAlt(IfaceMatch((name,), negated))
    if name in DRIVER_GROUPS:
        return IfaceAlt(IfaceMatch((name + "+",), negated))
    return IfaceAlt(None, f"interface group '{name}' (its members are not in the config)")


def flag_bits(text: str) -> int:
    bits = 0
    for letter in text:
        if letter not in TCP_FLAG_LETTERS:
            raise Syntax(f"unknown TCP flag '{letter}'")
        bits |= TCP_FLAG_LETTERS[letter]
    return bits


DEFAULT_FLAGS = (TCP_FLAG_LETTERS["S"], TCP_FLAG_LETTERS["S"] | TCP_FLAG_LETTERS["A"])

UNARY: dict[str, Callable[[int], IntervalSet]] = {
    "=": IntervalSet.point,
    "!=": lambda p: PORTS - IntervalSet.point(p),
    "<": lambda p: IntervalSet.span(0, p - 1),
    "<=": lambda p: IntervalSet.span(0, p),
    ">": lambda p: IntervalSet.span(p + 1, 65535),
    ">=": lambda p: IntervalSet.span(p, 65535),
}
BINARY: dict[str, Callable[[int, int], IntervalSet]] = {
    "><": lambda a, b: IntervalSet.span(a + 1, b - 1),  # strictly between
    "<>": lambda a, b: PORTS - IntervalSet.span(a, b),  # strictly outside
}


# --- option handlers: (parser, conditions, state) -> None -------------------------------

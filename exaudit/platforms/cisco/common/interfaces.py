"""Interface names as IOS and ASA accept them: abbreviations, case, numbering."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

_IFACE_SPLIT = re.compile(r"^([A-Za-z][A-Za-z-]*?)[\s]*([0-9].*)?$")


class _Named(Protocol):
    name: str


T = TypeVar("T", bound=_Named)


def resolve_interface(name: str, known: Iterable[str]) -> tuple[str | None, list[str]]:
    """The configured interface ``name`` means: exact (any case) or an unambiguous abbreviation.

    ``Gi0/0`` names ``GigabitEthernet0/0`` when no other configured interface with the
    same numbering starts with ``Gi``. Returns (name or None, candidates when ambiguous).
    """
    known = list(known)
    for cand in known:
        if cand == name:
            return cand, []
    lowered = [c for c in known if c.lower() == name.lower()]
    if len(lowered) == 1:
        return lowered[0], []
    m = _IFACE_SPLIT.match(name.strip())
    if not m:
        return None, []
    stem, number_part = m.group(1).lower(), (m.group(2) or "")
    found = []
    for cand in known:
        cm = _IFACE_SPLIT.match(cand)
        if not cm:
            continue
        if (cm.group(2) or "") == number_part and cm.group(1).lower().startswith(stem):
            found.append(cand)
    if len(found) == 1:
        return found[0], []
    return None, found


def interface_number(name: str) -> str:
    """The numbering part of an interface name (``0/1.10`` of ``Gi 0/1.10``)."""
    m = _IFACE_SPLIT.match(name.strip())
    return (m.group(2) or "") if m else name.lower()


def interface_stem(name: str) -> str:
    """The type part of an interface name, lower case (``gigabitethernet``)."""
    m = _IFACE_SPLIT.match(name.strip())
    return m.group(1).lower() if m else name.lower()


def same_interface(name: str, known: Iterable[str]) -> str | None:
    """The configured interface that ``name`` spells differently, if exactly one.

    IOS and ASA expand abbreviated and differently cased interface names, so an
    ``interface Gi0/0`` block configures the ``GigabitEthernet0/0`` of an earlier one
    (and the other way round): same numbering, one type name a prefix of the other.
    """
    m = _IFACE_SPLIT.match(name.strip())
    found = []
    for cand in known:
        if cand.lower() == name.lower():
            return cand
        cm = _IFACE_SPLIT.match(cand)
        if not m or not cm or (cm.group(2) or "") != (m.group(2) or ""):
            continue
        a, b = m.group(1).lower(), cm.group(1).lower()
        if a.startswith(b) or b.startswith(a):
            found.append(cand)
    return found[0] if len(found) == 1 else None


def find_or_add(
    interfaces: dict[str, T],
    numbers: dict[str, list[str]],
    name: str,
    index: int | None,
    make: Callable[[str, int], T],
) -> T | None:
    """The interface ``name`` configures, however an earlier line spelt it; a new one
    (``make(name, index)``) when ``index`` (its block's line) is given and none matches.

    The longest spelling is kept: a query may abbreviate a name, never expand it.
    """
    spelt = numbers.setdefault(interface_number(name), [])
    key = same_interface(name, spelt)
    if key is None:
        if index is None:
            return None
        iface = make(name, index)
        interfaces[name] = iface
        spelt.append(name)
        return iface
    iface = interfaces[key]
    if index is not None and len(name) > len(key):
        del interfaces[key]
        spelt[spelt.index(key)] = name
        iface.name = name
        interfaces[name] = iface
    return iface

"""Interface names as a finite set of atoms, so an interface condition is an IntervalSet.

Rules name interfaces exactly (``eth0``) or by prefix (``eth+``). Given every name and
prefix a ruleset and a question mention, the infinite space of interface names falls into
finitely many classes that no rule can tell apart: each exact name, and for each prefix
"the names starting with it that no longer prefix or exact name claims". Each class is an
atom (a number); a set of interfaces is then a set of atoms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from exaudit.core.intervals import IntervalSet
from exaudit.core.model import IfaceMatch

LOOPBACK = "lo"
_LOOPBACK = re.compile(r"lo\d*")


def _is_prefix(pattern: str) -> bool:
    return pattern.endswith("+")


class Universe:
    """The atoms for a fixed collection of interface names and prefixes."""

    def __init__(self, patterns: Iterable[str]) -> None:
        exact: set[str] = set()
        prefixes: set[str] = {""}
        for p in patterns:
            if _is_prefix(p):
                prefixes.add(p[:-1])
            else:
                exact.add(p)
        self.exact = sorted(exact)
        self.prefixes = sorted(prefixes)
        self._index = {name: i for i, name in enumerate(self.exact)}
        base = len(self.exact)
        self._prefix_index = {p: base + i for i, p in enumerate(self.prefixes)}
        self.size = base + len(self.prefixes)
        self.all = IntervalSet.span(0, self.size - 1)
        self._cache: dict[IfaceMatch, IntervalSet] = {}

    def knows(self, name: str) -> bool:
        return name in self._index

    def atom(self, name: str) -> int:
        return self._index[name]

    def _atoms_for(self, pattern: str) -> IntervalSet:
        if not _is_prefix(pattern):
            return IntervalSet.point(self._index[pattern])
        stem = pattern[:-1]
        found = [i for name, i in self._index.items() if name.startswith(stem)]
        found += [i for p, i in self._prefix_index.items() if p.startswith(stem)]
        return IntervalSet.of(found)

    def match(self, cond: IfaceMatch | None) -> IntervalSet:
        if cond is None:
            return self.all
        hit = self._cache.get(cond)
        if hit is None:
            hit = IntervalSet()
            for p in cond.patterns:
                hit = hit | self._atoms_for(p)
            if cond.negated:
                hit = self.all - hit
            self._cache[cond] = hit
        return hit

    def unspecified(self) -> IntervalSet:
        """Any interface a packet from another host can arrive on: not a loopback.

        Loopbacks are Linux's ``lo`` and the BSDs' ``lo0``, ``lo1``... (and the names a
        ``lo+`` prefix or pf's ``lo`` group stands for).
        """
        loopbacks = [i for name, i in self._index.items() if _LOOPBACK.fullmatch(name)]
        if LOOPBACK in self._prefix_index:
            loopbacks.append(self._prefix_index[LOOPBACK])
        return self.all - IntervalSet.of(loopbacks)

    def describe(self, atoms: IntervalSet) -> str:
        """Name a set of atoms for a person: ``eth0``, ``eth+, ppp0`` or ``any but lo``."""
        if atoms == self.all:
            return "any"
        generic = self._prefix_index[""]
        if generic in atoms:
            return "any but " + self.describe(self.all - atoms)
        inside = {i for a, b in atoms.spans for i in range(a, b + 1)}
        shown: list[str] = []
        consumed: set[int] = set()
        for stem in self.prefixes:
            i = self._prefix_index[stem]
            if not stem or i not in inside:
                continue
            under = self._atoms_for(stem + "+")
            members = {j for a, b in under.spans for j in range(a, b + 1)}
            if members <= inside:
                shown.append(stem + "+")
                consumed |= members
            else:
                shown.append(stem + "+ (other)")
                consumed.add(i)
        for i in sorted(inside - consumed):
            if i < len(self.exact):
                shown.append(self.exact[i])
        return ", ".join(sorted(shown))

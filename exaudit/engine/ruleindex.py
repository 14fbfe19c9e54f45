"""Finding the few rules of a long chain that can meet a question, without a full scan.

For one dimension (destination port, destination address), every rule's spans go into a
static segment tree over the dimension's elementary slots; the rules that can meet a
narrow question are those stored on the path from the question's slot to the root, plus
the rules that do not restrict the dimension at all. Two dimensions are combined; the
walk then visits only those rules, in order. The index only prunes: the engine still
intersects every candidate exactly.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from exaudit.core.intervals import IntervalSet

# A question spanning more elementary slots than this is answered by a full scan.
MAX_SLOTS = 48
# Chains shorter than this are scanned: the index would cost more than it saves.
MIN_RULES = 64


class DimensionIndex:
    """Which rules' sets, on one dimension, contain each point."""

    def __init__(self, sets: Sequence[IntervalSet], full: IntervalSet) -> None:
        self.wild: set[int] = set()
        spans: list[tuple[int, int, int]] = []
        points: set[int] = set()
        for i, s in enumerate(sets):
            if s == full or s is full:
                self.wild.add(i)
                continue
            for lo, hi in s.spans:
                spans.append((lo, hi, i))
                points.add(lo)
                points.add(hi + 1)
        self.bounds = sorted(points)
        size = 1
        while size < len(self.bounds) + 1:
            size *= 2
        self.size = size
        self.nodes: dict[int, list[int]] = {}
        for lo, hi, i in spans:
            left = bisect_right(self.bounds, lo)
            right = bisect_right(self.bounds, hi)
            self._insert(left, right, i)

    def _insert(self, left: int, right: int, rule: int) -> None:
        lo, hi = left + self.size, right + self.size + 1
        nodes = self.nodes
        while lo < hi:
            if lo & 1:
                nodes.setdefault(lo, []).append(rule)
                lo += 1
            if hi & 1:
                hi -= 1
                nodes.setdefault(hi, []).append(rule)
            lo >>= 1
            hi >>= 1

    def stab(self, values: IntervalSet) -> set[int] | None:
        """Rules (besides the wild ones) that can meet ``values``; None: too wide to say."""
        slots: list[int] = []
        for lo, hi in values.spans:
            first = bisect_right(self.bounds, lo)
            last = bisect_right(self.bounds, hi)
            slots.extend(range(first, last + 1))
            if len(slots) > MAX_SLOTS:
                return None
        found: set[int] = set()
        nodes = self.nodes
        for slot in set(slots):
            node = slot + self.size
            while node:
                hit = nodes.get(node)
                if hit:
                    found.update(hit)
                node >>= 1
        return found


class ChainIndex:
    """Candidate rules of one chain for a question box, from two dimensions."""

    def __init__(
        self,
        boxes: Sequence[tuple[IntervalSet, ...]],
        dims: tuple[int, int],
        fulls: tuple[IntervalSet, IntervalSet],
    ) -> None:
        self.dims = dims
        self.a = DimensionIndex([b[dims[0]] for b in boxes], fulls[0])
        self.b = DimensionIndex([b[dims[1]] for b in boxes], fulls[1])
        self.both_wild = self.a.wild & self.b.wild
        self.n = len(boxes)

    def candidates(self, box: tuple[IntervalSet, ...]) -> list[int] | None:
        sa = self.a.stab(box[self.dims[0]])
        sb = self.b.stab(box[self.dims[1]])
        if sa is None and sb is None:
            return None
        if sa is None:
            found = sb | self.b.wild  # type: ignore[operator]
        elif sb is None:
            found = sa | self.a.wild
        else:
            # set operations iterate the smaller operand, in C
            found = (sa & sb) | (sa & self.b.wild) | (sb & self.a.wild) | self.both_wild
        if len(found) * 2 > self.n:
            return None
        return sorted(found)

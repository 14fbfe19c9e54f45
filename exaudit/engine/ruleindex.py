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
# Candidates few enough to test one by one: no further dimension is looked up.
FEW = 8


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


class _Axis:
    """The elementary slots of one dimension, from the spans of every rule of a chain."""

    def __init__(self, sets: Sequence[IntervalSet], full: IntervalSet) -> None:
        points: set[int] = set()
        for s in sets:
            if s != full:
                for lo, hi in s.spans:
                    points.add(lo)
                    points.add(hi + 1)
        self.full = full
        self.bounds = sorted(points)
        size = 1
        while size < len(self.bounds) + 1:
            size *= 2
        self.size = size

    def leaves(self, values: IntervalSet) -> list[int] | None:
        """The tree leaves ``values`` covers; None: too many to be worth a look-up."""
        if values == self.full:
            return None
        out: list[int] = []
        for lo, hi in values.spans:
            first = bisect_right(self.bounds, lo)
            last = bisect_right(self.bounds, hi)
            if len(out) + last - first >= MAX_SLOTS:
                return None
            out.extend(range(first + self.size, last + self.size + 1))
        return out

    def nodes_of(self, values: IntervalSet) -> list[int]:
        """The canonical tree nodes whose union is ``values``' slots."""
        found: list[int] = []
        for lo, hi in values.spans:
            left = bisect_right(self.bounds, lo) + self.size
            right = bisect_right(self.bounds, hi) + self.size + 1
            while left < right:
                if left & 1:
                    found.append(left)
                    left += 1
                if right & 1:
                    right -= 1
                    found.append(right)
                left >>= 1
                right >>= 1
        return found


class _Group:
    """Rules that leave the same dimensions unrestricted, indexed on each of the others."""

    def __init__(self, restricted: tuple[bool, ...]) -> None:
        self.members: list[int] = []
        self.trees: list[dict[int, list[int]] | None] = [{} if r else None for r in restricted]


class GrowingIndex:
    """The rules added so far that may meet a box, over every dimension at once.

    Rules are grouped by which dimensions they leave whole, so that a rule open on the
    destination (say) is found through the dimensions it does restrict, never by a scan of
    every such rule; each group keeps a segment tree per restricted dimension. Only prunes:
    callers intersect every candidate exactly.
    """

    def __init__(self, boxes: Sequence[tuple[IntervalSet, ...]], full: tuple[IntervalSet, ...]):
        self.axes = [_Axis([b[d] for b in boxes], f) for d, f in enumerate(full)]
        self.groups: dict[tuple[bool, ...], _Group] = {}

    def add(self, position: int, box: tuple[IntervalSet, ...]) -> None:
        restricted = tuple(v != a.full for v, a in zip(box, self.axes, strict=True))
        group = self.groups.get(restricted)
        if group is None:
            group = self.groups[restricted] = _Group(restricted)
        group.members.append(position)
        for d, tree in enumerate(group.trees):
            if tree is not None:
                for node in self.axes[d].nodes_of(box[d]):
                    tree.setdefault(node, []).append(position)

    def meeting(self, box: tuple[IntervalSet, ...]) -> list[int]:
        """Positions (ascending) of added rules that may meet ``box``."""
        leaves = [a.leaves(v) for a, v in zip(self.axes, box, strict=True)]
        out: list[int] = []
        for group in self.groups.values():
            # the stored lists on each usable dimension's paths, smallest total first:
            # a dimension most rules share (the protocol) is read only if still needed
            paths = []
            for d, tree in enumerate(group.trees):
                slots = leaves[d]
                if tree is not None and slots is not None:
                    hits = _paths(tree, slots)
                    paths.append((sum(len(h) for h in hits), d, hits))
            found: set[int] | None = None
            for _, _, hits in sorted(paths):
                here: set[int] = set()
                for h in hits:
                    here.update(h)
                found = here if found is None else found & here
                if len(found) <= FEW:
                    break
            out.extend(group.members if found is None else found)
        out.sort()
        return out


def _paths(tree: dict[int, list[int]], leaves: list[int]) -> list[list[int]]:
    """The rule lists stored on the paths from ``leaves`` to the root."""
    found: list[list[int]] = []
    seen: set[int] = set()
    for node in leaves:
        while node and node not in seen:
            seen.add(node)
            hit = tree.get(node)
            if hit:
                found.append(hit)
            node >>= 1
    return found

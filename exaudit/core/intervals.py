"""Exact sets of integers as sorted, disjoint, non-adjacent inclusive intervals."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

Span = tuple[int, int]


class IntervalSet:
    """An immutable set of integers, stored as merged inclusive spans."""

    __slots__ = ("spans", "_hash")

    spans: tuple[Span, ...]

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        self.spans = _normalize(spans)
        self._hash: int | None = None

    @classmethod
    def _raw(cls, spans: tuple[Span, ...]) -> IntervalSet:
        obj = object.__new__(cls)
        obj.spans = spans
        obj._hash = None
        return obj

    @classmethod
    def span(cls, lo: int, hi: int) -> IntervalSet:
        return cls._raw(((lo, hi),) if lo <= hi else ())

    @classmethod
    def point(cls, value: int) -> IntervalSet:
        return cls._raw(((value, value),))

    @classmethod
    def of(cls, values: Iterable[int]) -> IntervalSet:
        return cls((v, v) for v in values)

    def __bool__(self) -> bool:
        return bool(self.spans)

    def is_empty(self) -> bool:
        return not self.spans

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IntervalSet) and self.spans == other.spans

    def __hash__(self) -> int:
        # sets are used as memo keys; a large one (every address but a few) is costly to
        # hash, and it never changes
        if self._hash is None:
            self._hash = hash(self.spans)
        return self._hash

    def __repr__(self) -> str:
        return "IntervalSet(%s)" % ", ".join(
            str(a) if a == b else f"{a}-{b}" for a, b in self.spans
        )

    def __contains__(self, value: int) -> bool:
        spans = self.spans
        if len(spans) == 1:
            return spans[0][0] <= value <= spans[0][1]
        lo, hi = 0, len(spans)
        while lo < hi:
            mid = (lo + hi) // 2
            a, b = spans[mid]
            if value < a:
                hi = mid
            elif value > b:
                lo = mid + 1
            else:
                return True
        return False

    def __iter__(self) -> Iterator[Span]:
        return iter(self.spans)

    def size(self) -> int:
        return sum(b - a + 1 for a, b in self.spans)

    def min(self) -> int:
        return self.spans[0][0]

    def max(self) -> int:
        return self.spans[-1][1]

    def __or__(self, other: IntervalSet) -> IntervalSet:
        if not other.spans:
            return self
        if not self.spans:
            return other
        return IntervalSet(self.spans + other.spans)

    def __and__(self, other: IntervalSet) -> IntervalSet:
        a, b = self.spans, other.spans
        if len(a) == 1 and len(b) == 1:
            lo = max(a[0][0], b[0][0])
            hi = min(a[0][1], b[0][1])
            return IntervalSet._raw(((lo, hi),)) if lo <= hi else _EMPTY
        if not a or not b:
            return _EMPTY
        out: list[Span] = []
        i = j = 0
        while i < len(a) and j < len(b):
            lo = max(a[i][0], b[j][0])
            hi = min(a[i][1], b[j][1])
            if lo <= hi:
                out.append((lo, hi))
            if a[i][1] < b[j][1]:
                i += 1
            else:
                j += 1
        return IntervalSet._raw(tuple(out))

    def intersects(self, other: IntervalSet) -> bool:
        a, b = self.spans, other.spans
        if len(a) == 1 and len(b) == 1:
            return max(a[0][0], b[0][0]) <= min(a[0][1], b[0][1])
        i = j = 0
        while i < len(a) and j < len(b):
            if max(a[i][0], b[j][0]) <= min(a[i][1], b[j][1]):
                return True
            if a[i][1] < b[j][1]:
                i += 1
            else:
                j += 1
        return False

    def __sub__(self, other: IntervalSet) -> IntervalSet:
        if not self.spans or not other.spans:
            return self
        out: list[Span] = []
        b = other.spans
        j = 0
        for lo, hi in self.spans:
            while j < len(b) and b[j][1] < lo:
                j += 1
            k = j
            cur = lo
            while k < len(b) and b[k][0] <= hi:
                if b[k][0] > cur:
                    out.append((cur, b[k][0] - 1))
                cur = max(cur, b[k][1] + 1)
                if cur > hi:
                    break
                k += 1
            if cur <= hi:
                out.append((cur, hi))
        return IntervalSet._raw(tuple(out))

    def issubset(self, other: IntervalSet) -> bool:
        return not (self - other).spans

    def complement(self, lo: int, hi: int) -> IntervalSet:
        return IntervalSet.span(lo, hi) - self


def _normalize(spans: Iterable[Span]) -> tuple[Span, ...]:
    items = sorted((a, b) for a, b in spans if a <= b)
    out: list[Span] = []
    for a, b in items:
        if out and a <= out[-1][1] + 1:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return tuple(out)


_EMPTY = IntervalSet._raw(())
EMPTY = _EMPTY

"""Exact sets of integers as sorted, disjoint, non-adjacent inclusive intervals."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator

Span = tuple[int, int]
# A set this many times smaller than the other is met by bisecting the other (with the
# cost of the smaller one), not by walking both: a 100,000-entry pf table against a rule.
SMALL = 16


class IntervalSet:
    """An immutable set of integers, stored as merged inclusive spans."""

    __slots__ = ("spans", "_hash", "_starts")

    spans: tuple[Span, ...]

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        self.spans = _normalize(spans)
        self._hash: int | None = None
        self._starts: list[int] | None = None

    @classmethod
    def _raw(cls, spans: tuple[Span, ...]) -> IntervalSet:
        obj = object.__new__(cls)
        obj.spans = spans
        obj._hash = None
        obj._starts = None
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
        return "IntervalSet({})".format(
            ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in self.spans)
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

    def _lows(self) -> list[int]:
        """The spans' low ends, for bisecting a large set (made once, on first need)."""
        lows = self._starts
        if lows is None:
            lows = self._starts = [lo for lo, _ in self.spans]
        return lows

    def _around(self, lo: int, hi: int) -> tuple[int, int]:
        """``(i, j)``: ``spans[i:j]`` are the spans that meet or touch ``lo..hi``."""
        lows = self._lows()
        i = bisect_right(lows, lo) - 1
        if i < 0 or self.spans[i][1] < lo - 1:
            i += 1
        return i, bisect_right(lows, hi + 1)

    def __or__(self, other: IntervalSet) -> IntervalSet:
        if not other.spans:
            return self
        if not self.spans:
            return other
        big, small = (self, other) if len(self.spans) >= len(other.spans) else (other, self)
        if len(small.spans) * SMALL < len(big.spans):
            spans = big.spans
            for lo, hi in small.spans:  # splice each small span in: C-speed copies
                i, j = IntervalSet._raw(spans)._around(lo, hi)
                if i < j:
                    lo, hi = min(lo, spans[i][0]), max(hi, spans[j - 1][1])
                spans = spans[:i] + ((lo, hi),) + spans[j:]
            return IntervalSet._raw(spans)
        return IntervalSet(self.spans + other.spans)

    def __and__(self, other: IntervalSet) -> IntervalSet:
        a, b = self.spans, other.spans
        if len(a) == 1 and len(b) == 1:
            lo = max(a[0][0], b[0][0])
            hi = min(a[0][1], b[0][1])
            return IntervalSet._raw(((lo, hi),)) if lo <= hi else _EMPTY
        if not a or not b:
            return _EMPTY
        if len(a) * SMALL < len(b) or len(b) * SMALL < len(a):
            big, small = (self, other) if len(a) > len(b) else (other, self)
            out: list[Span] = []
            spans = big.spans
            for lo, hi in small.spans:
                i, j = big._around(lo, hi)
                if i >= j:
                    continue
                # the spans between the first and the last lie inside lo..hi: copied whole
                ends = (spans[i],) if j - i == 1 else (spans[i], spans[j - 1])
                clipped = [(max(lo, a), min(hi, b)) for a, b in ends]
                if clipped[0][0] <= clipped[0][1]:
                    out.append(clipped[0])
                out += spans[i + 1 : j - 1]
                if len(clipped) == 2 and clipped[1][0] <= clipped[1][1]:
                    out.append(clipped[1])
            result = tuple(out)
            return big if result == spans else IntervalSet._raw(result)  # keeps its caches
        out = []
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
        if len(a) * SMALL < len(b) or len(b) * SMALL < len(a):
            big, small = (self, other) if len(a) > len(b) else (other, self)
            lows, spans = big._lows(), big.spans
            for lo, hi in small.spans:  # the big span starting last at or before hi
                k = bisect_right(lows, hi) - 1
                if k >= 0 and spans[k][1] >= lo:
                    return True
            return False
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
        if other is self or other.spans == self.spans:  # (tuples of other lengths: O(1))
            return _EMPTY
        if len(other.spans) * SMALL < len(self.spans):
            return self._cut(other)
        out: list[Span] = []
        b = other.spans
        j = 0
        if len(self.spans) * SMALL < len(b):
            for lo, hi in self.spans:
                i, k = other._around(lo, hi)
                out += IntervalSet._raw(((lo, hi),))._minus(b[i:k])
            return IntervalSet._raw(tuple(out))
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

    def _minus(self, spans: tuple[Span, ...]) -> list[Span]:
        """This set (one span) minus sorted ``spans`` that lie around it."""
        ((lo, hi),) = self.spans
        out: list[Span] = []
        cur = lo
        for a, b in spans:
            if b < cur or a > hi:
                continue
            if a > cur:
                out.append((cur, a - 1))
            cur = max(cur, b + 1)
            if cur > hi:
                return out
        if cur <= hi:
            out.append((cur, hi))
        return out

    def _cut(self, small: IntervalSet) -> IntervalSet:
        """A large set minus a few spans: the spans they touch are replaced in place."""
        spans = self.spans
        for lo, hi in small.spans:
            i, j = IntervalSet._raw(spans)._around(lo, hi)
            if i == j:
                continue
            kept = tuple(
                piece
                for a, b in spans[i:j]
                for piece in ((a, min(b, lo - 1)), (max(a, hi + 1), b))
                if piece[0] <= piece[1]
            )
            spans = spans[:i] + kept + spans[j:]
        return IntervalSet._raw(spans)

    def issubset(self, other: IntervalSet) -> bool:
        a, b = self.spans, other.spans
        if not a:
            return True
        if len(b) == 1:  # the common case, without building a difference
            return b[0][0] <= a[0][0] and a[-1][1] <= b[0][1]
        if len(a) == 1:
            lo, hi = a[0]
            k = bisect_right(other._lows(), lo) - 1  # the span of ``other`` that holds lo
            return k >= 0 and hi <= b[k][1]
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

"""IntervalSet and address sets agree with Python's own set arithmetic."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet

spans = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=6)


def as_set(s: IntervalSet) -> set[int]:
    return {v for a, b in s.spans for v in range(a, b + 1)}


def build(raw: list[tuple[int, int]]) -> IntervalSet:
    return IntervalSet((min(a, b), max(a, b)) for a, b in raw)


@given(spans, spans)
def test_set_operations_match_python_sets(a: list, b: list) -> None:
    x, y = build(a), build(b)
    assert as_set(x | y) == as_set(x) | as_set(y)
    assert as_set(x & y) == as_set(x) & as_set(y)
    assert as_set(x - y) == as_set(x) - as_set(y)
    assert x.intersects(y) == bool(as_set(x) & as_set(y))
    assert x.issubset(y) == (as_set(x) <= as_set(y))
    for v in range(0, 62):
        assert (v in x) == (v in as_set(x))


many = st.lists(st.integers(0, 1000), min_size=150, max_size=400)
few = st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 1000)), max_size=3)


@given(many, few)
def test_a_large_set_against_a_small_one(a: list, b: list) -> None:
    """The bisecting paths (one set many times the other's size) agree with Python."""
    x, y = IntervalSet.of(a[::2]), build(b)
    for p, q in ((x, y), (y, x)):
        assert as_set(p | q) == as_set(p) | as_set(q)
        assert as_set(p & q) == as_set(p) & as_set(q)
        assert as_set(p - q) == as_set(p) - as_set(q)
        assert p.intersects(q) == bool(as_set(p) & as_set(q))
        assert p.issubset(q) == (as_set(p) <= as_set(q))
        for r in (p | q, p & q, p - q):
            assert r == IntervalSet(r.spans)  # merged, sorted, canonical


@given(spans)
def test_spans_are_merged_and_sorted(a: list) -> None:
    s = build(a)
    for (a1, b1), (a2, b2) in zip(s.spans, s.spans[1:], strict=False):
        assert a1 <= b1 < a2 - 1 < b2


@pytest.mark.parametrize(
    "text, first, last",
    [
        ("10.0.0.0/8", "10.0.0.0", "10.255.255.255"),
        ("10.1.2.3", "10.1.2.3", "10.1.2.3"),
        ("10.1.2.3/16", "10.1.0.0", "10.1.255.255"),
        ("10.21.0.1-10.21.0.99", "10.21.0.1", "10.21.0.99"),
        ("192.168.0.0/255.255.255.0", "192.168.0.0", "192.168.0.255"),
        ("2001:db8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"),
    ],
)
def test_address_forms(text: str, first: str, last: str) -> None:
    s = addresses.parse(text)
    assert s == IntervalSet.span(addresses.host(first).min(), addresses.host(last).max())


@pytest.mark.parametrize(
    "text", ["10.0.0.300", "10.0.0.9-10.0.0.1", "1.2.3.4-::1", "", "host", "10.0.0.0/33"]
)
def test_bad_addresses(text: str) -> None:
    with pytest.raises(addresses.AddressError):
        addresses.parse(text)


def test_ipv4_and_ipv6_never_overlap() -> None:
    assert not addresses.ALL_V4.intersects(addresses.ALL_V6)
    assert addresses.parse("::/0") == addresses.ALL_V6


@pytest.mark.parametrize(
    "addr, wild, members, outsiders",
    [
        ("10.0.0.0", "0.0.0.255", ["10.0.0.0", "10.0.0.255"], ["10.0.1.0"]),
        # non-contiguous: the third octet is free, the last is fixed
        (
            "10.0.0.5",
            "0.0.255.0",
            ["10.0.0.5", "10.0.77.5", "10.0.255.5"],
            ["10.0.0.6", "10.1.0.5"],
        ),
        # even addresses only
        ("10.0.0.0", "0.0.0.254", ["10.0.0.0", "10.0.0.2", "10.0.0.254"], ["10.0.0.1"]),
    ],
)
def test_non_contiguous_wildcards_are_exact(
    addr: str, wild: str, members: list, outsiders: list
) -> None:
    s = addresses.wildcard(addr, wild)
    for m in members:
        assert addresses.host(m).min() in s
    for o in outsiders:
        assert addresses.host(o).min() not in s


@given(st.integers(0, 255), st.integers(0, 255))
def test_wildcard_bits_match_brute_force(base: int, wild: int) -> None:
    s = addresses.bits_match(base, wild, 8)
    expected = {v for v in range(256) if (v & ~wild) == (base & ~wild)}
    assert as_set(s) == expected


def test_to_cidrs_round_trip() -> None:
    s = addresses.parse("10.10.128.0/17") | addresses.parse("10.20.0.1-10.20.0.6")
    assert addresses.to_cidrs(s) == [
        "10.10.128.0/17",
        "10.20.0.1",
        "10.20.0.2/31",
        "10.20.0.4/31",
        "10.20.0.6",
    ]


@given(
    st.integers(0, addresses.V4_MAX),
    st.integers(0, 1 << 20),
    st.integers(0, (1 << 128) - 1),
    st.integers(0, 1 << 70),
)
def test_to_cidrs_equals_the_standard_library(lo4: int, n4: int, lo6: int, n6: int) -> None:
    import ipaddress

    hi4 = min(addresses.V4_MAX, lo4 + n4)
    hi6 = min((1 << 128) - 1, lo6 + n6)
    s = IntervalSet([(lo4, hi4), (addresses.V6_BASE + lo6, addresses.V6_BASE + hi6)])
    expected = [
        str(n) if n.num_addresses > 1 else str(n.network_address)
        for a, b in (
            (ipaddress.IPv4Address(lo4), ipaddress.IPv4Address(hi4)),
            (ipaddress.IPv6Address(lo6), ipaddress.IPv6Address(hi6)),
        )
        for n in ipaddress.summarize_address_range(a, b)
    ]
    assert addresses.to_cidrs(s) == expected

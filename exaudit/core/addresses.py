"""IPv4 and IPv6 addresses as one integer line, so an address set is one IntervalSet.

IPv4 address ``a`` is the integer ``a``; IPv6 address ``b`` is ``V6_BASE + b``. A set of
addresses of both families is therefore a single exact IntervalSet, and every set
operation of the engine works on it unchanged.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from exaudit.core.intervals import IntervalSet

V4_MAX = (1 << 32) - 1
V6_BASE = 1 << 32
V6_MAX = V6_BASE + (1 << 128) - 1

ALL_V4 = IntervalSet.span(0, V4_MAX)
ALL_V6 = IntervalSet.span(V6_BASE, V6_MAX)
ALL = IntervalSet.span(0, V6_MAX)

# A non-contiguous Cisco wildcard expands to 2**k intervals; past this we refuse to expand
# and the caller flags the line instead of guessing.
MAX_WILDCARD_SPANS = 1 << 16


class AddressError(ValueError):
    """An address, network or range that cannot be read."""


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        raise AddressError(f"bad address {text!r}") from None


def to_int(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> int:
    return int(addr) if addr.version == 4 else V6_BASE + int(addr)


def host(text: str) -> IntervalSet:
    return IntervalSet.point(to_int(_ip(text)))


def network(net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> IntervalSet:
    lo = to_int(net.network_address)
    return IntervalSet.span(lo, lo + net.num_addresses - 1)


@lru_cache(maxsize=65536)
def parse(text: str) -> IntervalSet:
    """Read ``addr``, ``addr/len``, ``addr/netmask`` or ``first-last`` (host bits ignored)."""
    text = text.strip()
    if not text:
        raise AddressError("empty address")
    if "-" in text and "/" not in text:
        first, _, last = text.partition("-")
        a, b = _ip(first), _ip(last)
        if a.version != b.version:
            raise AddressError(f"range {text!r} mixes IPv4 and IPv6")
        if int(b) < int(a):
            raise AddressError(f"range {text!r} ends before it starts")
        return IntervalSet.span(to_int(a), to_int(b))
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise AddressError(f"bad address or network {text!r}") from None
    return network(net)


def wildcard(address: str, mask: str) -> IntervalSet:
    """Cisco address + wildcard mask, exact even when the mask is not contiguous."""
    base = int(ipaddress.IPv4Address(address.strip()))
    wild = int(ipaddress.IPv4Address(mask.strip()))
    return bits_match(base, wild, 32)


def bits_match(base: int, wild: int, width: int) -> IntervalSet:
    """All ``width``-bit values equal to ``base`` outside the bits set in ``wild``."""
    # The trailing run of wildcard bits is one contiguous block; every other wildcard bit
    # doubles the number of blocks.
    low = 0
    while low < width and wild >> low & 1:
        low += 1
    high_bits = [b for b in range(low, width) if wild >> b & 1]
    if 1 << len(high_bits) > MAX_WILDCARD_SPANS:
        raise AddressError(f"wildcard mask selects {1 << len(high_bits)} separate blocks")
    fixed = base & ~wild & ((1 << width) - 1)
    block = (1 << low) - 1
    spans = []
    for combo in range(1 << len(high_bits)):
        start = fixed
        for i, bit in enumerate(high_bits):
            if combo >> i & 1:
                start |= 1 << bit
        spans.append((start, start + block))
    return IntervalSet(spans)


def family_of(addresses: IntervalSet) -> set[int]:
    fams = set()
    if addresses.intersects(ALL_V4):
        fams.add(4)
    if addresses.intersects(ALL_V6):
        fams.add(6)
    return fams


def _from_int(value: int) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if value <= V4_MAX:
        return ipaddress.IPv4Address(value)
    return ipaddress.IPv6Address(value - V6_BASE)


def _text(value: int) -> str:
    if value <= V4_MAX:
        return f"{value >> 24}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"
    return str(ipaddress.IPv6Address(value - V6_BASE))


def to_cidrs(addresses: IntervalSet) -> list[str]:
    """The set as the shortest list of CIDR blocks (host routes without a prefix length)."""
    out: list[str] = []
    for lo, hi in addresses.spans:
        for start, end in _split_family(lo, hi):
            base, width = (0, 32) if start <= V4_MAX else (V6_BASE, 128)
            value, last = start - base, end - base
            while value <= last:
                # the largest aligned block that starts here and fits
                size = value & -value if value else 1 << width
                while size > last - value + 1:
                    size >>= 1
                bits = size.bit_length() - 1
                text = _text(value + base)
                out.append(text if bits == 0 else f"{text}/{width - bits}")
                value += size
    return out


def describe(addresses: IntervalSet) -> str:
    """A short human rendering: ``any``, a CIDR list, or ranges."""
    if addresses == ALL:
        return "any"
    if addresses == ALL_V4:
        return "0.0.0.0/0"
    if addresses == ALL_V6:
        return "::/0"
    cidrs = to_cidrs(addresses)
    if len(cidrs) <= 4:
        return ", ".join(cidrs)
    for family, name in ((ALL_V4, "0.0.0.0/0"), (ALL_V6, "::/0"), (ALL, "any")):
        if addresses.issubset(family):
            missing = family - addresses
            if len(to_cidrs(missing)) <= 4:
                return f"{name} except " + ", ".join(to_cidrs(missing))
    parts = []
    for lo, hi in addresses.spans[:3]:
        parts.append(str(_from_int(lo)) if lo == hi else f"{_from_int(lo)}-{_from_int(hi)}")
    more = len(addresses.spans) - 3
    return ", ".join(parts) + (f" (+{more} more ranges)" if more > 0 else "")


def _split_family(lo: int, hi: int) -> list[tuple[int, int]]:
    if lo <= V4_MAX < hi:
        return [(lo, V4_MAX), (V6_BASE, hi)] if hi >= V6_BASE else [(lo, V4_MAX)]
    return [(lo, hi)]


def first_address(addresses: IntervalSet) -> str:
    return str(_from_int(addresses.min()))

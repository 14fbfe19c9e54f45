"""Addresses and services as IOS and ASA write them, read into exact sets."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import ICMP, ICMPV6
from exaudit.platforms.cisco.common.tokens import PORT_PROTOCOLS, ParseError

# A dotted quad as ``ipaddress.IPv4Address`` accepts it (ASCII digits, 0-255, no leading
# zeros), checked without building an address: ACLs are mostly addresses.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")


def is_ipv4(word: str | None) -> bool:
    return word is not None and _IPV4.fullmatch(word) is not None


def is_prefix(word: str | None) -> bool:
    if word is None or "/" not in word:
        return False
    try:
        ipaddress.ip_network(word, strict=False)
    except ValueError:
        return False
    return True


def is_ipv6(word: str | None) -> bool:
    if word is None or ":" not in word:
        return False
    try:
        ipaddress.IPv6Address(word)
    except ValueError:
        return False
    return True


def _checked(build: Callable[[], IntervalSet], text: str) -> IntervalSet:
    try:
        return build()
    except (addresses.AddressError, ValueError) as exc:
        raise ParseError(f"bad address {text!r}: {exc}") from None


def _v4(word: str) -> int:
    """A dotted quad ``is_ipv4`` accepted, as the integer exaudit's address space uses."""
    a, b, c, d = word.split(".")
    return int(a) << 24 | int(b) << 16 | int(c) << 8 | int(d)


@lru_cache(maxsize=65536)  # configurations repeat their hosts and masks
def host(word: str) -> IntervalSet:
    if is_ipv4(word):
        return IntervalSet.point(_v4(word))
    return _checked(lambda: addresses.host(word), word)


# A non-contiguous mask matches one block of addresses per value of its wildcard bits
# above the trailing run: 2**k blocks for k such bits, each represented exactly. The
# budget, 65,536 blocks (k <= 16), is every mask whose scattered bits fit in two octets
# (``0.0.255.0`` makes 256 blocks, ``0.255.255.0`` 65,536); such a set takes about 5 MB
# and set operations on it milliseconds. Each further bit doubles both (a mask like
# ``0.255.255.1`` would take 10 MB, ``255.255.255.254`` 2**31 blocks): past the budget
# the entry's addresses are undetermined, said at its line (EXA002).
WILDCARD_BUDGET = addresses.MAX_WILDCARD_SPANS


def mask_blocks(wild: int) -> int:
    """How many separate address blocks a 32-bit wildcard mask selects."""
    low = 0
    while low < 32 and wild >> low & 1:
        low += 1
    return 1 << bin(wild >> low).count("1")


def _masked(address: str, mask: str, wild: int) -> Addr:
    blocks = mask_blocks(wild)
    if blocks > WILDCARD_BUDGET:
        why = (
            f"{address} {mask}: the mask selects {blocks:,} separate address blocks, more "
            f"than the {WILDCARD_BUDGET:,} exaudit represents exactly"
        )
        return Addr(IntervalSet(), (why,))
    return Addr(addresses.bits_match(_v4(address), wild, 32))


@lru_cache(maxsize=65536)
def wildcard_addr(address: str, wild: str) -> Addr:
    """IOS address + wildcard mask, exact for non-contiguous masks within the budget."""
    if not (is_ipv4(address) and is_ipv4(wild)):
        raise ParseError(f"bad address '{address} {wild}'")
    return _masked(address, wild, _v4(wild))


@lru_cache(maxsize=65536)
def netmask_addr(address: str, mask: str) -> Addr:
    """Address + subnet mask; a non-contiguous mask is read bit by bit, like the device."""
    if not (is_ipv4(address) and is_ipv4(mask)):
        raise ParseError(f"bad address '{address} {mask}'")
    return _masked(address, mask, _v4(mask) ^ 0xFFFFFFFF)


def prefix(word: str) -> IntervalSet:
    return _checked(lambda: addresses.parse(word), word)


def span(first: str, last: str) -> IntervalSet:
    return _checked(lambda: addresses.parse(f"{first}-{last}"), f"{first} {last}")


def mask_is_contiguous(mask: str) -> bool:
    value = int(ipaddress.IPv4Address(mask))
    inverse = value ^ 0xFFFFFFFF
    return inverse & (inverse + 1) == 0


@dataclass(frozen=True)
class Addr:
    """An address condition: exact addresses plus parts exaudit cannot resolve (fqdn, ...)."""

    spans: IntervalSet
    unknown: tuple[str, ...] = ()

    def __or__(self, other: Addr) -> Addr:
        return Addr(self.spans | other.spans, self.unknown + other.unknown)

    def is_empty(self) -> bool:
        return not self.spans and not self.unknown


NO_ADDR = Addr(IntervalSet())


@dataclass(frozen=True)
class Service:
    """A protocol/port box from an ACE or a service object (``None`` = unrestricted)."""

    proto: IntervalSet | None = None
    sport: IntervalSet | None = None
    dport: IntervalSet | None = None
    unknown: tuple[str, ...] = ()

    def normalized(self) -> Service | None:
        """Ports restrict the protocol to port-carrying ones; empty boxes vanish."""
        proto = self.proto
        if (self.sport is not None or self.dport is not None) and not _is_icmp(proto):
            proto = PORT_PROTOCOLS if proto is None else proto & PORT_PROTOCOLS
        for dim in (proto, self.sport, self.dport):
            if dim is not None and not dim:
                return None
        return Service(proto, self.sport, self.dport, self.unknown)


_ICMP_PROTOCOLS = IntervalSet.of([ICMP, ICMPV6])


def _is_icmp(proto: IntervalSet | None) -> bool:
    return proto is not None and bool(proto) and proto.issubset(_ICMP_PROTOCOLS)


def icmp_service(proto: int, types: IntervalSet | None, codes: IntervalSet | None) -> Service:
    """ICMP type in the destination-port dimension, code in the source-port one."""
    return Service(IntervalSet.point(proto), codes, types)

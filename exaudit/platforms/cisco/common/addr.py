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
# above the trailing run: 2**k blocks for k such bits, each represented exactly, within
# two budgets. One mask may make up to 65,536 blocks (k <= 16): every mask whose
# scattered bits fit in two octets (``0.0.255.0`` makes 256, ``0.255.255.0`` 65,536).
# Such a set costs about 8 MB and 0.1 s to build and each rule holds its own, so one
# configuration's masks may make 262,144 blocks in all (four masks at the most, a
# thousand of one scattered octet): the cost of a file stays bounded whatever it
# writes. Past either budget the entry's addresses are undetermined, said at its line.
MASK_BLOCKS = addresses.MAX_WILDCARD_SPANS
FILE_BLOCKS = 4 * MASK_BLOCKS


def mask_blocks(wild: int) -> int:
    """How many separate address blocks a 32-bit wildcard mask selects."""
    low = 0
    while low < 32 and wild >> low & 1:
        low += 1
    return 1 << bin(wild >> low).count("1")


class MaskBudget:
    """The address blocks one configuration's non-contiguous masks may still expand to."""

    def __init__(self, left: int = FILE_BLOCKS) -> None:
        self.left = left

    def over(self, blocks: int) -> str | None:
        """Why a mask of ``blocks`` blocks is not expanded (None: it is, and is counted)."""
        if blocks > MASK_BLOCKS:
            return f"more than the {MASK_BLOCKS:,} exaudit represents exactly for one mask"
        if blocks > self.left:
            used = FILE_BLOCKS - self.left
            return (
                f"and the masks before it already make {used:,} of the {FILE_BLOCKS:,} "
                "exaudit represents exactly in one configuration"
            )
        if blocks > 1:
            self.left -= blocks
        return None


@lru_cache(maxsize=65536)  # masks repeat; only single blocks are remembered (small)
def _block(base: int, wild: int) -> IntervalSet:
    return addresses.bits_match(base, wild, 32)


def _masked(address: str, mask: str, wild: int, budget: MaskBudget) -> Addr:
    blocks = mask_blocks(wild)
    if blocks == 1:
        return Addr(_block(_v4(address), wild))
    why = budget.over(blocks)
    if why is not None:
        text = f"{address} {mask}: the mask selects {blocks:,} separate address blocks, {why}"
        return Addr(IntervalSet(), (text,))
    return Addr(addresses.bits_match(_v4(address), wild, 32))


def wildcard_addr(address: str, wild: str, budget: MaskBudget) -> Addr:
    """IOS address + wildcard mask, exact for non-contiguous masks within the budgets."""
    if not (is_ipv4(address) and is_ipv4(wild)):
        raise ParseError(f"bad address '{address} {wild}'")
    return _masked(address, wild, _v4(wild), budget)


def netmask_addr(address: str, mask: str, budget: MaskBudget) -> Addr:
    """Address + subnet mask; a non-contiguous mask is read bit by bit, like the device."""
    if not (is_ipv4(address) and is_ipv4(mask)):
        raise ParseError(f"bad address '{address} {mask}'")
    return _masked(address, mask, _v4(mask) ^ 0xFFFFFFFF, budget)


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


def network(address: str, mask: str) -> IntervalSet | None:
    """The block ``ip address A MASK`` puts an interface in (None: not an address/mask)."""
    try:
        return addresses.parse(str(ipaddress.ip_network(f"{address}/{mask}", strict=False)))
    except (ValueError, addresses.AddressError):
        return None

"""Addresses and services as IOS and ASA write them, read into exact sets."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import ICMP, ICMPV6
from exaudit.platforms.cisco.common.tokens import PORT_PROTOCOLS, ParseError


def is_ipv4(word: str | None) -> bool:
    if word is None or word.count(".") != 3:
        return False
    try:
        ipaddress.IPv4Address(word)
    except ValueError:
        return False
    return True


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


def host(word: str) -> IntervalSet:
    return _checked(lambda: addresses.host(word), word)


def with_wildcard(address: str, wild: str) -> IntervalSet:
    """IOS address + wildcard mask (exact for non-contiguous masks too)."""
    return _checked(lambda: addresses.wildcard(address, wild), f"{address} {wild}")


def wildcard_addr(address: str, wild: str) -> Addr:
    """Like ``with_wildcard``; a mask selecting too many blocks is kept as an unknown."""
    try:
        return Addr(addresses.wildcard(address, wild))
    except addresses.AddressError as exc:
        if "separate blocks" not in str(exc):
            raise ParseError(f"bad address '{address} {wild}': {exc}") from None
        return Addr(IntervalSet(), (f"{address} {wild}: {exc}",))
    except ValueError as exc:
        raise ParseError(f"bad address '{address} {wild}': {exc}") from None


def with_netmask(address: str, mask: str) -> IntervalSet:
    """Address + subnet mask; a non-contiguous mask is read bit by bit, like the device."""

    def build() -> IntervalSet:
        inverse = int(ipaddress.IPv4Address(mask)) ^ 0xFFFFFFFF
        return addresses.bits_match(int(ipaddress.IPv4Address(address)), inverse, 32)

    return _checked(build, f"{address} {mask}")


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


def _is_icmp(proto: IntervalSet | None) -> bool:
    return proto is not None and bool(proto) and proto.issubset(IntervalSet.of([ICMP, ICMPV6]))


def icmp_service(proto: int, types: IntervalSet | None, codes: IntervalSet | None) -> Service:
    """ICMP type in the destination-port dimension, code in the source-port one."""
    return Service(IntervalSet.point(proto), codes, types)

"""iptables argument values as exact sets: addresses, ports, TCP flags, ICMP types, states.

Every function is memoized: real rulesets repeat the same few thousand tokens, and the
interval sets built here are shared (never mutated) by every rule that uses them.
"""

from __future__ import annotations

import ipaddress
from functools import cache, lru_cache
from socket import inet_aton

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import PORTS, IfaceMatch, State
from exaudit.platforms.iptables.checkers import port_value, strtoul
from exaudit.platforms.iptables.names import (
    CTSTATE_NAMES,
    ICMP_TYPES,
    ICMPV6_TYPES,
    MAX_IFNAME,
    PROTOCOLS,
    STATE_NAMES,
    TCP_FLAG_NAMES,
)


class BadValue(ValueError):
    """An argument iptables itself would refuse (the message says why)."""


class OverBudget(BadValue):
    """A value iptables accepts whose exact set is past exaudit's budget: a non-contiguous
    mask selecting more than ``addresses.MAX_WILDCARD_SPANS`` (65,536) separate blocks."""


class HostName(ValueError):
    """An address given as a host name: iptables resolves it in DNS when loading."""


# --- protocols -----------------------------------------------------------------------------


@cache
def protocol(text: str) -> int:
    name = text.lower()
    n = strtoul(name)
    if n is not None:
        if n > 255:
            raise BadValue(f"protocol number {text!r} out of range")
        return n
    try:
        return PROTOCOLS[name]
    except KeyError:
        raise BadValue(f"unknown protocol {text!r}") from None


# --- addresses -----------------------------------------------------------------------------


def _v4_numeric(text: str) -> int | None:
    """iptables' own dotted-quad reader: 1-4 parts, missing trailing parts are zero."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    value = 0
    for part in parts:
        n = strtoul(part)
        if n is None or n > 255:
            return None
        value = value << 8 | n
    return value << 8 * (4 - len(parts))


def _v4_mask(text: str) -> int | None:
    """A mask as prefix length (0-32) or dotted quad (any bits, iptables allows it)."""
    if text.isdigit():
        n = strtoul(text)  # iptables reads it like C's strtoul: "08" is bad octal
        return None if n is None or n > 32 else ((1 << 32) - 1) ^ ((1 << 32 - n) - 1)
    parts = text.split(".")
    if len(parts) != 4:
        return None
    return _v4_numeric(text)


def _looks_like_hostname(text: str) -> bool:
    return (
        bool(text)
        and all(c.isalnum() or c in "-._" for c in text)
        and any(c.isalpha() for c in text)
        and not text.startswith(("-", "."))
    )


@lru_cache(maxsize=1 << 16)
def address(text: str, family: int) -> IntervalSet:
    """One ``-s``/``-d`` item: ``addr``, ``addr/len`` or ``addr/mask`` of ``family``."""
    if family == 4:
        addr, slash, mask = text.partition("/")
        if addr.count(".") == 3 and (
            not slash or (mask.isdigit() and len(mask) <= 2 and (mask[0] != "0" or mask == "0"))
        ):
            # four parts, each read like strtoul(base 0) as iptables does: inet_aton
            try:
                base = int.from_bytes(inet_aton(addr), "big")
            except OSError:
                pass
            else:
                bits = int(mask) if slash else 32
                if bits <= 32 and addr[-1].isalnum() and addr[0].isalnum():
                    size = 1 << 32 - bits
                    base &= ~(size - 1)
                    return IntervalSet._raw(((base, base + size - 1),))
    addr, slash, mask = text.partition("/")
    if family == 4:
        numeric = _v4_numeric(addr)
        if numeric is None:
            if _looks_like_hostname(addr) and not all(c.isdigit() or c == "." for c in addr):
                raise HostName(text)
            raise BadValue(f"host/network {addr!r} not found")
        base = numeric
        m = _v4_mask(mask) if slash else (1 << 32) - 1
        if m is None:
            raise BadValue(f"invalid mask {mask!r}")
        return _masked(base & m, m, 32, 0)
    try:
        if "%" in addr:  # a zone index: iptables refuses it
            raise ValueError(addr)
        ip6 = ipaddress.IPv6Address(addr)
    except ValueError:
        if _v4_numeric(addr) is not None and slash and mask == "0":
            # ip6tables resolves "0/0" (an IPv4 literal) too; with /0 it means any address
            return IntervalSet.span(addresses.V6_BASE, addresses.V6_MAX)
        if _looks_like_hostname(addr) and ":" not in addr and not addr.replace(".", "").isdigit():
            raise HostName(text) from None
        raise BadValue(f"host/network {addr!r} not found") from None
    full = (1 << 128) - 1
    if slash:
        if mask.isdigit():
            n = int(mask)
            if n > 128:
                raise BadValue(f"invalid mask {mask!r}")
            m = full ^ ((1 << 128 - n) - 1)
        else:
            try:
                m = int(ipaddress.IPv6Address(mask))
            except ValueError:
                raise BadValue(f"invalid mask {mask!r}") from None
    else:
        m = full
    return _masked(int(ip6) & m, m, 128, addresses.V6_BASE)


def _masked(base: int, mask: int, width: int, offset: int) -> IntervalSet:
    wild = ((1 << width) - 1) ^ mask
    if wild & (wild + 1) == 0:  # contiguous: one block
        return IntervalSet.span(offset + base, offset + base + wild)
    try:
        got = addresses.bits_match(base, wild, width)
    except addresses.AddressError as exc:
        raise OverBudget(str(exc)) from None
    return IntervalSet._raw(tuple((a + offset, b + offset) for a, b in got.spans))


@lru_cache(maxsize=1 << 12)
def address_range(text: str, family: int) -> IntervalSet:
    """``-m iprange`` ``first-last``."""
    first, dash, last = text.partition("-")
    if not dash:  # a single address is a range of one
        last = first
    try:
        a, b = ipaddress.ip_address(first), ipaddress.ip_address(last)
    except ValueError:
        raise BadValue(f"bad address range {text!r}") from None
    if a.version != family or b.version != family:
        raise BadValue(f"range {text!r} is not IPv{family}")
    lo, hi = addresses.to_int(a), addresses.to_int(b)
    if hi < lo:
        # iptables accepts it; the kernel then matches nothing
        return IntervalSet()
    return IntervalSet.span(lo, hi)


# --- ports ---------------------------------------------------------------------------------


@lru_cache(maxsize=1 << 12)
def port_range(text: str) -> IntervalSet:
    """``--dport``: ``p``, ``a:b``, ``:b``, ``a:``, ``:`` with numbers or service names."""
    if ":" not in text:
        n = port_value(text)
        if n is None:
            raise BadValue(f"invalid port/service {text!r}")
        return IntervalSet.point(n)
    lo_t, _, hi_t = text.partition(":")
    lo = port_value(lo_t) if lo_t else 0
    hi = port_value(hi_t) if hi_t else 65535
    if lo is None or hi is None or ":" in hi_t:
        raise BadValue(f"invalid port/service {text!r}")
    if lo > hi:
        raise BadValue(f"invalid portrange {text!r} (min > max)")
    return IntervalSet.span(lo, hi)


MAX_MULTIPORT = 15


@lru_cache(maxsize=1 << 12)
def port_list(text: str) -> IntervalSet:
    """``-m multiport`` list: up to 15 ports, a range counting as two."""
    spans: list[tuple[int, int]] = []
    used = 0
    for item in text.split(","):
        if ":" in item:
            lo_t, _, hi_t = item.partition(":")
            lo, hi = port_value(lo_t), port_value(hi_t)
            if lo is None or hi is None:
                raise BadValue(f"invalid port/service {item!r}")
            if lo > hi:
                raise BadValue(f"invalid portrange {item!r}")
            used += 2
        else:
            one = port_value(item)
            if one is None:
                raise BadValue(f"invalid port/service {item!r}")
            lo = hi = one
            used += 1
        spans.append((lo, hi))
    if used > MAX_MULTIPORT:
        raise BadValue("too many ports specified (15 at most, a range counts as 2)")
    return IntervalSet(spans)


@cache
def complement(values: IntervalSet, hi: int) -> IntervalSet:
    return IntervalSet.span(0, hi) - values


def not_ports(values: IntervalSet) -> IntervalSet:
    return complement(values, 65535)


# --- TCP flags -----------------------------------------------------------------------------


def _flag_bits(text: str) -> int:
    if text == "":
        return 0
    bits = 0
    for name in text.split(","):
        if not name:  # iptables splits with strtok, which skips empty items
            continue
        try:
            bits |= TCP_FLAG_NAMES[name.upper()]
        except KeyError:
            raise BadValue(f"unknown TCP flag {name!r}") from None
    return bits


@lru_cache(maxsize=1024)
def tcp_flags(mask_text: str, comp_text: str, negated: bool) -> IntervalSet:
    """Flag bytes ``b`` with ``(b & mask) == comp`` (or the opposite)."""
    mask, comp = _flag_bits(mask_text), _flag_bits(comp_text)
    return flags_set(mask, comp, negated)


@lru_cache(maxsize=1024)
def flags_set(mask: int, comp: int, negated: bool) -> IntervalSet:
    return IntervalSet.of(b for b in range(256) if ((b & mask) == comp) != negated)


SYN_FLAGS = flags_set(0x17, 0x02, False)  # --syn: FIN,SYN,RST,ACK SYN


# --- ICMP ----------------------------------------------------------------------------------


def _icmp_name(text: str, table: tuple[tuple[str, int, int, int], ...]) -> tuple[int, int, int]:
    found = None
    low = text.lower()
    for entry in table:
        if entry[0].lower().startswith(low):
            if found is not None:
                raise BadValue(f"ambiguous ICMP type {text!r}: {found[0]!r} or {entry[0]!r}")
            found = entry
    if found is None:
        raise KeyError(text)
    return found[1], found[2], found[3]


@lru_cache(maxsize=512)
def icmp_type(text: str, family: int) -> tuple[int, int, int]:
    """``--icmp-type``/``--icmpv6-type``: (type, lowest code, highest code)."""
    table = ICMP_TYPES if family == 4 else ICMPV6_TYPES
    if text and not text[0].isdigit():
        try:
            return _icmp_name(text, table)
        except KeyError:
            raise BadValue(f"invalid ICMP type {text!r}") from None
    type_t, slash, code_t = text.partition("/")
    t = strtoul(type_t)
    if t is None or t > 255:
        raise BadValue(f"invalid ICMP type {type_t!r}")
    if not slash:
        return t, 0, 255
    lo_t, colon, hi_t = code_t.partition(":")
    lo = strtoul(lo_t)
    hi = strtoul(hi_t) if colon else lo
    if lo is None or hi is None or lo > 255 or hi > 255:
        raise BadValue(f"invalid ICMP code {code_t!r}")
    return t, lo, hi  # (lo > hi is accepted by iptables and matches no code)


# --- connection states -----------------------------------------------------------------------

_STATE_VALUES = {name: int(State[name]) for name in CTSTATE_NAMES}


@lru_cache(maxsize=256)
def states(text: str, ctstate: bool) -> tuple[IntervalSet, bool]:
    """A ``--state``/``--ctstate`` list: the states and whether SNAT/DNAT were named."""
    names = CTSTATE_NAMES if ctstate else STATE_NAMES
    found = set()
    nat = False
    for word in text.split(","):
        if not word:
            raise BadValue(f"bad state list {text!r}")
        low = word.lower()
        # iptables compares the given word as a prefix of each name, in table order
        hit = next((n for n in names if n.lower().startswith(low)), None)
        if hit is None:
            raise BadValue(f"bad state {word!r}")
        if hit in ("SNAT", "DNAT"):
            nat = True
        else:
            found.add(_STATE_VALUES[hit])
    return IntervalSet.of(found), nat


# --- interfaces ------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def interface(text: str, negated: bool) -> IfaceMatch | None:
    if not text:
        raise BadValue("empty interface name")
    if len(text) > MAX_IFNAME:
        raise BadValue(f"interface name {text!r} must be shorter than IFNAMSIZ (15)")
    if text == "+" and not negated:
        return None  # any interface
    return IfaceMatch((text,), negated)


ALL_PORTS = PORTS

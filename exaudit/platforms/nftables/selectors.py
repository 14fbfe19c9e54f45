"""What each nftables match selector reads: its dimension, value kind and dependencies."""

from __future__ import annotations

from dataclasses import dataclass

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import FLAGS, ICMP, ICMPV6, PORTS, PROTOCOLS, STATES, TCP, UDP
from exaudit.platforms.nftables import values


@dataclass(frozen=True)
class Selector:
    """``ip saddr``, ``tcp dport``...: the dimension it restricts and what it implies."""

    words: str
    dim: str  # src dst sport dport proto flags state iif oif family
    kind: str  # addr port proto family iface ifindex state flags icmp
    version: int | None = None  # implies IPv4 or IPv6
    proto: int | None = None  # implies this layer-4 protocol
    any_l4: bool = False  # ``th``: any protocol, ports only where it has them


def _sel(words: str, dim: str, kind: str, **kw: object) -> tuple[str, Selector]:
    return words, Selector(words, dim, kind, **kw)  # type: ignore[arg-type]  # kw are fields


SELECTORS: dict[str, Selector] = dict(
    [
        _sel("ip saddr", "src", "addr", version=4),
        _sel("ip daddr", "dst", "addr", version=4),
        _sel("ip6 saddr", "src", "addr", version=6),
        _sel("ip6 daddr", "dst", "addr", version=6),
        _sel("tcp dport", "dport", "port", proto=TCP),
        _sel("tcp sport", "sport", "port", proto=TCP),
        _sel("udp dport", "dport", "port", proto=UDP),
        _sel("udp sport", "sport", "port", proto=UDP),
        _sel("th dport", "dport", "port", any_l4=True),
        _sel("th sport", "sport", "port", any_l4=True),
        _sel("tcp flags", "flags", "flags", proto=TCP),
        _sel("meta l4proto", "proto", "proto"),
        _sel("l4proto", "proto", "proto"),
        _sel("ip protocol", "proto", "proto", version=4),
        _sel("ip6 nexthdr", "proto", "proto", version=6),
        _sel("meta nfproto", "family", "family"),
        _sel("meta protocol", "family", "family"),
        _sel("meta iifname", "iif", "iface"),
        _sel("meta oifname", "oif", "iface"),
        _sel("iifname", "iif", "iface"),
        _sel("oifname", "oif", "iface"),
        _sel("meta iif", "iif", "ifindex"),
        _sel("meta oif", "oif", "ifindex"),
        _sel("iif", "iif", "ifindex"),
        _sel("oif", "oif", "ifindex"),
        _sel("ct state", "state", "state"),
        _sel("icmp type", "dport", "icmp", version=4, proto=ICMP),
        _sel("icmp code", "sport", "icmpcode", version=4, proto=ICMP),
        _sel("icmpv6 type", "dport", "icmp6", version=6, proto=ICMPV6),
        _sel("icmpv6 code", "sport", "icmpcode", version=6, proto=ICMPV6),
    ]
)
# first words of two-word selectors (and of expressions exaudit does not model)
PREFIXES = {w.split()[0] for w in SELECTORS if " " in w} | {
    "sctp",
    "dccp",
    "udplite",
    "esp",
    "ah",
    "comp",
    "ether",
    "vlan",
    "arp",
    "rt",
    "ipsec",
    "fib",
    "socket",
    "osf",
    "exthdr",
    "hbh",
    "frag",
    "dst",
    "mh",
    "srh",
    "numgen",
    "jhash",
    "symhash",
    "dscp",
    "igmp",
}
BARE_UNKNOWN = {"mark", "priority", "skuid", "skgid", "length", "pkttype", "cpu", "cgroup"}

# the whole space of each value kind, for ``!=`` and comparisons
SPACE = {
    "port": PORTS,
    "proto": PROTOCOLS,
    "state": STATES,
    "flags": FLAGS,
    "icmp": IntervalSet.span(0, 255),
    "icmp6": IntervalSet.span(0, 255),
    "icmpcode": IntervalSet.span(0, 255),
}


def space(sel: Selector) -> IntervalSet:
    if sel.kind == "addr":
        return addresses.ALL_V4 if sel.version == 4 else addresses.ALL_V6
    if sel.kind == "family":
        return addresses.ALL
    return SPACE[sel.kind]


def value(sel: Selector, words: list[str]) -> IntervalSet:
    """One element (``10.0.0.0/8``, ``22-25``, ``syn|ack``) as a set; ValueError if unreadable."""
    if sel.kind == "flags":
        return IntervalSet.point(values.tcp_flag_bits(words))
    if len(words) != 1:
        raise ValueError(f"cannot read {' '.join(words)!r} as one value")
    text = words[0]
    if sel.kind == "addr":
        assert sel.version is not None
        return values.address(text, sel.version)
    if sel.kind == "port":
        return values.ports(text)
    if sel.kind == "proto":
        return values.protocols(text)
    if sel.kind == "state":
        return IntervalSet.point(values.ct_state(text))
    if sel.kind == "family":
        if text in values.NFPROTO:
            return values.NFPROTO[text]
        if text in ("ip", "ip6"):
            return values.NFPROTO["ipv4" if text == "ip" else "ipv6"]
        raise ValueError(f"unknown family {text!r}")
    if sel.kind == "icmp":
        return values.icmp_types(text, values.ICMP_TYPES)
    if sel.kind == "icmp6":
        return values.icmp_types(text, values.ICMPV6_TYPES)
    if sel.kind == "icmpcode":
        return values.icmp_types(text, {})
    raise ValueError(f"no values for {sel.words}")  # pragma: no cover - kinds are closed


def compare(sel: Selector, op: str, bound: IntervalSet) -> IntervalSet:
    """``< 1024``, ``>= 1024``... over the selector's space."""
    whole = space(sel)
    lo, hi = whole.min(), whole.max()
    if op in ("<", "lt"):
        return IntervalSet.span(lo, bound.min() - 1) if bound.min() > lo else IntervalSet()
    if op in ("<=", "le"):
        return IntervalSet.span(lo, bound.max())
    if op in (">", "gt"):
        return IntervalSet.span(bound.max() + 1, hi) if bound.max() < hi else IntervalSet()
    return IntervalSet.span(bound.min(), hi)  # >=, ge


def bitmask_any(mask: int) -> IntervalSet:
    """Every flags value with at least one bit of ``mask`` set (``tcp flags syn,ack``)."""
    return IntervalSet.of(v for v in range(256) if v & mask)


def masked(mask: int, op: str, want: int) -> IntervalSet:
    """``tcp flags & MASK == WANT`` (or ``!=``) as the flags values it matches."""
    hit = IntervalSet.of(v for v in range(256) if v & mask == want)
    return hit if op in ("==", "eq", "") else FLAGS - hit

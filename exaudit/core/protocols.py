"""IP protocol names and numbers, for the command line and the reports."""

from __future__ import annotations

NUMBERS = {
    "icmp": 1,
    "igmp": 2,
    "ipip": 4,
    "tcp": 6,
    "egp": 8,
    "udp": 17,
    "ipv6": 41,
    "gre": 47,
    "esp": 50,
    "ah": 51,
    "icmpv6": 58,
    "ipv6-icmp": 58,
    "ospf": 89,
    "pim": 103,
    "vrrp": 112,
    "sctp": 132,
    "udplite": 136,
}
NAMES = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6"}
WITH_PORTS = {6, 17, 132, 33, 136}


def number(text: str) -> int:
    """A protocol by name or number; ``ValueError`` when it is neither."""
    key = text.strip().lower()
    if key in NUMBERS:
        return NUMBERS[key]
    value = int(key)
    if not 0 <= value <= 255:
        raise ValueError(text)
    return value


def name(num: int) -> str:
    return NAMES.get(num, str(num))

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
# The protocols database both iptables (netbase's /etc/protocols) and pfctl (OpenBSD's)
# know by the same names; each platform adds the names only it accepts.
ETC_PROTOCOLS: dict[str, int] = {
    "ip": 0,
    "hopopt": 0,
    "icmp": 1,
    "igmp": 2,
    "ggp": 3,
    "ipencap": 4,
    "st": 5,
    "tcp": 6,
    "egp": 8,
    "igp": 9,
    "pup": 12,
    "udp": 17,
    "hmp": 20,
    "xns-idp": 22,
    "rdp": 27,
    "iso-tp4": 29,
    "dccp": 33,
    "xtp": 36,
    "ddp": 37,
    "idpr-cmtp": 38,
    "ipv6": 41,
    "ipv6-route": 43,
    "ipv6-frag": 44,
    "idrp": 45,
    "rsvp": 46,
    "gre": 47,
    "esp": 50,
    "ah": 51,
    "skip": 57,
    "ipv6-icmp": 58,
    "ipv6-nonxt": 59,
    "ipv6-opts": 60,
    "rspf": 73,
    "vmtp": 81,
    "eigrp": 88,
    "ospf": 89,
    "ax.25": 93,
    "ipip": 94,
    "etherip": 97,
    "encap": 98,
    "pim": 103,
    "ipcomp": 108,
    "vrrp": 112,
    "l2tp": 115,
    "isis": 124,
    "sctp": 132,
    "fc": 133,
    "mobility-header": 135,
    "udplite": 136,
    "mpls-in-ip": 137,
    "manet": 138,
    "hip": 139,
    "shim6": 140,
    "wesp": 141,
    "rohc": 142,
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

"""Which form an iptables text is in (iptables-save, a script, a listing), and how sure."""

from __future__ import annotations

import re

# --- the two input forms -------------------------------------------------------------------

SAVE_TABLE = re.compile(r"^\*[A-Za-z0-9_]+\s*$", re.M)
SAVE_CHAIN = re.compile(r"^:\S+\s+(ACCEPT|DROP|-)\b", re.M)
SAVE_RULE = re.compile(r"^(\[\d+:\d+\]\s*)?(-A|--append|-P|--policy|-N|--new-chain)\s+\S+", re.M)
LISTING = re.compile(r"^Chain \S+ \((policy \S+|\d+ references)", re.M)
COMMAND = re.compile(r"^\s*(sudo\s+)?(\S*/)?ip6?tables(-legacy|-nft)?(-restore)?\s", re.M)
VAR_COMMAND = re.compile(r"^\s*\$\{?[A-Za-z_]\w*\}?\s+-", re.M)
_V6_HINT = re.compile(
    r"(?:^|\s)(?:-[sd]|--source|--destination|--src|--dst)\s+(?:!\s*)?"
    r"[0-9A-Fa-f]*:[0-9A-Fa-f:.]*[/\s,]|ipv6-icmp|icmpv6|icmp6-",
    re.M,
)


HEAD_BYTES = 65536  # form detection looks at the start of the file only


def family_of(text: str) -> int:
    """6 for an ip6tables-save dump (its header says so, or its addresses do)."""
    head = text[:4096]
    if re.search(r"^#.*ip6tables-save", head, re.M):
        return 6
    if re.search(r"^#.*iptables-save", head, re.M):
        return 4
    return 6 if _V6_HINT.search(text, 0, HEAD_BYTES) else 4


def looks_like(text: str) -> float:
    sample = text[:65536]
    if SAVE_TABLE.search(sample) and ("COMMIT" in sample or SAVE_CHAIN.search(sample)):
        return 1.0
    if SAVE_CHAIN.search(sample) or SAVE_RULE.search(sample):
        return 0.8
    commands = len(COMMAND.findall(sample))
    if commands:
        return min(1.0, 0.6 + 0.1 * commands)
    if LISTING.search(sample) or "<iptables-rules" in sample:
        return 0.6
    if VAR_COMMAND.search(sample) and re.search(r"ip6?tables", sample):
        return 0.6
    return 0.0

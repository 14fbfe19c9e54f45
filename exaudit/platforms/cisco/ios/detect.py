"""Telling an IOS configuration from the other syntaxes."""

from __future__ import annotations

import re


def looks_like(text: str) -> float:
    """How IOS-like the text is (ASA markers count against it)."""
    sample = text[:200_000]
    score = 0.0
    if re.search(r"^ip access-list (standard|extended) \S+", sample, re.M):
        score += 0.5
    if re.search(
        r"^access-list (1\d\d|2[0-6]\d\d|\d{1,2}|1[3-9]\d\d) (permit|deny|remark)", sample, re.M
    ):
        score += 0.4
    if re.search(r"^\s+ip access-group \S+ (in|out)", sample, re.M):
        score += 0.3
    if re.search(r"^interface (GigabitEthernet|FastEthernet|Ethernet|Serial|Vlan)", sample, re.M):
        score += 0.1
    if re.search(r"^(version 1\d\.|hostname |ipv6 access-list )", sample, re.M):
        score += 0.1
    if re.search(r"^(boot-start-marker|service timestamps |line vty )", sample, re.M):
        score += 0.2
    if re.search(
        r"^(ASA Version|:\s*Saved)|^\s+nameif |^access-list \S+ extended |"
        r"^object network ",
        sample,
        re.M,
    ):
        score -= 0.6
    return max(0.0, min(1.0, score))

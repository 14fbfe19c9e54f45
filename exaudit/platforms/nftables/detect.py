"""Telling nftables text and JSON from the other syntaxes."""

from __future__ import annotations

import re

_TABLE = re.compile(
    r"^\s*(?:add\s+|create\s+)?table\s+(?:(?:ip|ip6|inet|arp|bridge|netdev)\s+)?[\w.-]+\s*\{?\s*$",
    re.M,
)
_CHAIN = re.compile(r"^\s*chain\s+[\w.-]+\s*\{", re.M)
_HOOK = re.compile(r"\btype\s+(?:filter|nat|route)\s+hook\s+\w+", re.M)
_COMMAND = re.compile(r"^\s*(?:add|insert|create)\s+(?:rule|chain|table|set|map|element)\s+", re.M)
_SHEBANG = re.compile(r"\A#!\s*\S*/nft\b")
_FLUSH = re.compile(r"^\s*flush\s+ruleset\b", re.M)
_INCLUDE = re.compile(r'^\s*include\s+"', re.M)
_JSON = re.compile(r'\A\s*\{\s*"nftables"\s*:\s*\[')
# what the others write at the start of a line: iptables-save, iptables commands, pf
_OTHER = re.compile(
    r"^\s*(?:\*[a-z]+\s*$|:[A-Z]+\s|-A\s|COMMIT\b|(?:sudo\s+)?\S*ip6?tables\s|"
    r"(?:pass|block)\s+(?:in|out|quick|all|log|drop|return)\b|table\s*<)",
    re.M,
)


def looks_like(text: str) -> float:
    """How sure (0..1) that the text is nftables: a ruleset, a script or its JSON."""
    sample = text[:65536]
    if _JSON.match(sample):
        return 1.0
    score = 0.0
    if _SHEBANG.match(sample):
        score += 0.5
    if _TABLE.search(sample):
        score += 0.4
    if _CHAIN.search(sample):
        score += 0.3
    if _HOOK.search(sample):
        score += 0.4
    if _COMMAND.search(sample):
        score += 0.4
    if _FLUSH.search(sample):
        score += 0.25
        if _INCLUDE.search(sample):  # a main file that only includes the others
            score += 0.15
    if score and _OTHER.search(sample):
        score -= 0.6
    return max(0.0, min(1.0, score))

"""Telling pf.conf from the other syntaxes."""

from __future__ import annotations

import re

_PF_LINE = re.compile(
    r"^\s*(?:(?:pass|block)(?:\s+(?:in|out|drop|return|log|quick|on|inet6?|proto|from|to|"
    r"all)\b|\s*$)|match\s+(?:in|out|on|log|from|to|all)\b|antispoof\b|anchor\b|"
    r"table\s*<|set\s+(?:skip|block-policy|loginterface|optimization|limit|timeout)\b|"
    r"(?:nat|rdr|binat)(?:\s+pass)?\s+on\b|scrub\b|altq\s+on\b|load\s+anchor\b)"
)
# a macro: NAME = value (a udev rule's KEY=="value" is not one)
_MACRO = re.compile(r"^\s*[A-Za-z_][A-Za-z0-9_]*\s*=(?!=)\s*[^=\s]")
_NOT_PF = re.compile(
    r"^\s*(?:-A\s|\*filter|:[A-Z]+\s|COMMIT|access-list\s|interface\s|"
    r"iptables\s|ip\s+access-list)"
)


def looks_like(text: str) -> float:
    """How much of the text reads as pf.conf statements (0..1)."""
    lines = [
        ln for ln in text.splitlines()[:2000] if ln.strip() and not ln.lstrip().startswith("#")
    ]
    if not lines:
        return 0.0
    statements = sum(1 for ln in lines if _PF_LINE.match(ln))
    if not statements:  # macros alone are any KEY=value file, not a pf.conf
        return 0.0
    pf = statements + sum(1 for ln in lines if _MACRO.match(ln))
    other = sum(1 for ln in lines if _NOT_PF.match(ln))
    rules = sum(1 for ln in lines if re.match(r"^\s*(pass|block)\b", ln))
    score = (pf - 2 * other) / len(lines)
    if rules == 0:
        score *= 0.5
    return max(0.0, min(1.0, score))

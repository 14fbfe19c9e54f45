"""Telling an ASA configuration from the other syntaxes."""

from __future__ import annotations

import re


def looks_like(text: str) -> float:
    sample = text[:200_000]
    score = 0.0
    if re.search(r"^(: Saved|ASA Version|PIX Version)", sample, re.M):
        score += 0.5
    if re.search(r"^access-list \S+ (line \d+ )?extended (permit|deny) ", sample, re.M):
        score += 0.4
    if re.search(r"^\s+nameif \S+", sample, re.M):
        score += 0.3
    if re.search(
        r"^(object network|object-group network|access-group \S+ (in|out) "
        r"interface|same-security-traffic)",
        sample,
        re.M,
    ):
        score += 0.2
    if re.search(r"^ip access-list (standard|extended) |^\s+ip access-group ", sample, re.M):
        score -= 0.5
    return max(0.0, min(1.0, score))

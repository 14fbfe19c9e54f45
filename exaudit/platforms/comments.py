"""The comment syntaxes of inline suppressions, shared by the platforms that use them."""

from __future__ import annotations

import re

from exaudit.platforms.api import CommentSyntax

DIRECTIVE = r"exaudit:\s*ignore\[(?P<codes>[^\]]*)\]\s*(?P<reason>.*?)\s*$"
QUOTED = r"exaudit:\s*ignore\[(?P<codes>[^\]]*)\]\s*(?P<reason>[^\"']*)"
WORD = r"exaudit:ignore\[(?P<codes>[^\]\s]*)\](?=\s|$)"  # an unquoted comment is one word
_ACL_PREFIX = r"(?:(?:ipv6\s+)?access-list\s+\S+\s+(?:line\s+\d+\s+)?)?"


def patterns(*texts: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in texts)


# ``# exaudit: ignore[...]`` alone on the line before, or after a statement on its line.
HASH = CommentSyntax(
    before=patterns(r"^\s*#\s*" + DIRECTIVE),
    same=patterns(r"^\s*[^\s#].*?\s#\s*" + DIRECTIVE),
    skip=re.compile(r"^\s*(#|$)"),
)
# ``! exaudit: ...`` or an ACL ``remark exaudit: ...`` before the entry.
CISCO = CommentSyntax(
    before=patterns(r"^\s*!\s*" + DIRECTIVE, r"^\s*" + _ACL_PREFIX + r"remark\s+" + DIRECTIVE),
    same=(),
    skip=re.compile(r"^\s*(!|" + _ACL_PREFIX + r"remark\b|$)", re.IGNORECASE),
)

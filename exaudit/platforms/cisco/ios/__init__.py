"""Cisco IOS: numbered and named IPv4/IPv6 ACLs, object-groups, per-interface first match.

The vocabulary lives in ``tables``, the parsed structure in ``model``; the parser is
layered by job (``state`` <- ``groups`` <- ``ace`` <- ``acls``, and ``interfaces``),
tied together by ``read``; ``stages`` says what a packet meets, ``fix`` suggests lines.
"""

from __future__ import annotations

from exaudit.core.model import Ruleset
from exaudit.platforms.api import Platform
from exaudit.platforms.cisco.ios.detect import looks_like
from exaudit.platforms.cisco.ios.fix import fix
from exaudit.platforms.cisco.ios.model import IosRuleset, ios_ruleset
from exaudit.platforms.cisco.ios.read import parse
from exaudit.platforms.cisco.ios.stages import stages
from exaudit.platforms.cisco.ios.tables import ESTABLISHED, NAME
from exaudit.platforms.comments import CISCO


def coverage(ruleset: Ruleset) -> dict[str, int]:
    """ACE lines, and how many of them are fully modelled / partly / not understood."""
    return dict(ios_ruleset(ruleset).coverage)


PLATFORM = Platform(
    name=NAME,
    title="Cisco IOS",
    parse=parse,
    looks_like=looks_like,
    stages=stages,
    fix=fix,
    comments=CISCO,
)

__all__ = [
    "ESTABLISHED",
    "PLATFORM",
    "IosRuleset",
    "coverage",
    "fix",
    "looks_like",
    "parse",
    "stages",
]

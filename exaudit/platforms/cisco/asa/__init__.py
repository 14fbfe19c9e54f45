"""Cisco ASA: access-lists with objects and object-groups, access-groups, security levels.

The vocabulary lives in ``tables``, the parsed structure in ``model``; the parser is
layered by job (``state`` <- ``objects`` <- ``ace`` <- ``acls``, and ``interfaces``),
tied together by ``read``; ``stages`` says what a packet meets, ``fix`` suggests lines.
"""

from __future__ import annotations

from exaudit.core.model import Ruleset
from exaudit.platforms.api import Platform
from exaudit.platforms.cisco.asa.detect import looks_like
from exaudit.platforms.cisco.asa.fix import fix
from exaudit.platforms.cisco.asa.model import AsaRuleset, asa_ruleset
from exaudit.platforms.cisco.asa.read import parse
from exaudit.platforms.cisco.asa.stages import stages
from exaudit.platforms.cisco.asa.tables import NAME, STATEFUL
from exaudit.platforms.comments import CISCO


def coverage(ruleset: Ruleset) -> dict[str, int]:
    """ACE lines, and how many of them are fully modelled / partly / not understood."""
    return dict(asa_ruleset(ruleset).coverage)


PLATFORM = Platform(
    name=NAME,
    title="Cisco ASA",
    parse=parse,
    looks_like=looks_like,
    stages=stages,
    fix=fix,
    comments=CISCO,
    stateful=STATEFUL,
)

__all__ = ["PLATFORM", "AsaRuleset", "coverage", "fix", "looks_like", "parse", "stages"]

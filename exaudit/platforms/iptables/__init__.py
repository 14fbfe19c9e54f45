"""The iptables platform: iptables-save/ip6tables-save dumps and iptables shell scripts.

The package, by job: ``forms`` (which form a text is in), ``parse`` (the entry point),
``save`` and ``script`` (the two readers), ``shell``/``shell_words`` (straight-line
shell), ``words``/``command``/``constraints`` (one command line as iptables reads it),
``extensions``/``checkers``/``names``/``values`` (the grammar and its values),
``build``/``reader``/``fast``/``executor``/``state`` (commands applied to the tables),
``model``/``ruleset`` (the ruleset built), ``stages`` (what a packet meets) and ``fix``.
"""

from __future__ import annotations

from exaudit.platforms.api import CommentSyntax, Platform
from exaudit.platforms.comments import HASH, QUOTED, WORD, patterns
from exaudit.platforms.iptables.executor import Executor
from exaudit.platforms.iptables.fix import fix
from exaudit.platforms.iptables.forms import looks_like
from exaudit.platforms.iptables.parse import parse, parse_rule_line
from exaudit.platforms.iptables.ruleset import IptablesRuleset
from exaudit.platforms.iptables.stages import stages

NAME = "iptables"

__all__ = [
    "NAME",
    "PLATFORM",
    "Executor",
    "IptablesRuleset",
    "fix",
    "looks_like",
    "parse",
    "parse_rule_line",
    "stages",
]

PLATFORM = Platform(
    name=NAME,
    title="iptables (iptables-save, ip6tables-save, shell scripts)",
    parse=parse,
    looks_like=looks_like,
    stages=stages,
    fix=fix,
    # iptables-save keeps no comments, but a rule's own comment match survives a save
    comments=CommentSyntax(
        before=HASH.before,
        same=patterns(r"--comment\s+[\"']" + QUOTED, r"--comment\s+" + WORD) + HASH.same,
        skip=HASH.skip,
    ),
)

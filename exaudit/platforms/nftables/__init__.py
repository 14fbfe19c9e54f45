"""nftables: ``nft list ruleset`` output, ``nft -f`` scripts and ``nft -j`` JSON.

Reading is split by job: ``lexer`` (tokens), ``script`` (commands, blocks, includes and
definitions into tables), ``jsonin`` (the JSON form into the same tables), ``rules``,
``selectors`` and ``words`` (what a rule matches and does), ``assemble`` (model rules of
one nft rule), ``build`` (the model chains and notes), ``stages`` (base chains per hook in
priority order), ``fix`` and ``detect``.
"""

from __future__ import annotations

from exaudit.platforms.api import CommentSyntax, Platform
from exaudit.platforms.comments import HASH, QUOTED, patterns
from exaudit.platforms.nftables.detect import looks_like
from exaudit.platforms.nftables.fix import fix
from exaudit.platforms.nftables.read import NAME, parse
from exaudit.platforms.nftables.stages import stages

PLATFORM = Platform(
    name=NAME,
    title="nftables (nft list ruleset, nft -f scripts, nft -j JSON)",
    parse=parse,
    looks_like=looks_like,
    stages=stages,
    fix=fix,
    # ``# exaudit: ignore[...]`` on the line before, or ``comment "exaudit: ..."`` on the rule
    comments=CommentSyntax(
        before=HASH.before,
        same=patterns(r"\bcomment\s+\"" + QUOTED) + HASH.same,
        skip=HASH.skip,
    ),
)

__all__ = ["PLATFORM", "fix", "looks_like", "parse", "stages"]

"""OpenBSD/FreeBSD pf: pf.conf (with includes, tables, anchors) as ``in``/``out`` chains.

The grammar lives in ``grammar`` (tokens from ``lexer``, operands from ``operands``,
rule options from ``options``), pfctl's expansion in ``expand``, the last-match semantics
in ``chains``, and ``read`` ties them together into the model.
"""

from __future__ import annotations

from exaudit.platforms.api import Platform
from exaudit.platforms.comments import HASH
from exaudit.platforms.pf.detect import looks_like
from exaudit.platforms.pf.fix import fix
from exaudit.platforms.pf.read import NAME, parse
from exaudit.platforms.pf.stages import stages

PLATFORM = Platform(
    name=NAME,
    title="OpenBSD/FreeBSD pf",
    parse=parse,
    looks_like=looks_like,
    stages=stages,
    fix=fix,
    comments=HASH,
)

__all__ = ["PLATFORM", "fix", "looks_like", "parse", "stages"]

"""Reading nftables input into the model: text or JSON, checked, with one clear error."""

from __future__ import annotations

from exaudit.core.errors import InputError
from exaudit.core.gc import reading
from exaudit.core.textfile import refuse_binary
from exaudit.platforms.nftables.build import NAME, build
from exaudit.platforms.nftables.model import NftRuleset
from exaudit.platforms.nftables.script import Context, read

__all__ = ["NAME", "parse"]


def _check_text(text: str, path: str) -> None:
    if not text.strip():
        raise InputError(path, None, "the file is empty")
    refuse_binary(text, path, "an nftables ruleset")


def parse(text: str, path: str) -> NftRuleset:
    """An nftables ruleset (``nft list ruleset``, an ``nft -f`` script or ``nft -j`` JSON)."""
    text = text.removeprefix("\ufeff")
    _check_text(text, path)
    with reading(path):
        if text.lstrip().startswith("{"):
            from exaudit.platforms.nftables.jsonin import read_json

            ctx: Context = read_json(text, path)
        else:
            ctx = read(text, path)
        lines = text.count("\n") + (not text.endswith("\n"))
        return build(ctx, path, lines)

"""Reading nftables input into the model: text or JSON, checked, with one clear error."""

from __future__ import annotations

import gc

from exaudit.core.errors import InputError
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
    collecting = gc.isenabled()
    gc.disable()  # many small acyclic objects: the cyclic collector only rescans them
    try:
        if text.lstrip().startswith("{"):
            from exaudit.platforms.nftables.jsonin import read_json

            ctx: Context = read_json(text, path)
        else:
            ctx = read(text, path)
        lines = text.count("\n") + (not text.endswith("\n"))
        return build(ctx, path, lines)
    except InputError:
        raise
    except RecursionError:
        raise InputError(path, None, "too deeply nested to read") from None
    except Exception as exc:  # pragma: no cover - a bug; the user still gets one line
        raise InputError(
            path,
            None,
            f"internal error while reading this file ({type(exc).__name__}: {exc}); "
            "please report it",
        ) from None
    finally:
        if collecting:
            gc.enable()

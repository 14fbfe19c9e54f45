"""Which checks a selector names: ``ALL``, a code, a code prefix (``EXA2``) or a name."""

from __future__ import annotations

import re
from collections.abc import Iterable

from exaudit.checks import BY_CODE, get
from exaudit.core.errors import InputError

_PREFIX = re.compile(r"EXA\d{0,3}")


def checks_for(selector: str) -> frozenset[str] | None:
    """The check codes a selector means, or None when it names none."""
    token = selector.strip()
    if token.upper() == "ALL":
        return frozenset(BY_CODE)
    found = get(token)
    if found is not None:
        return frozenset({found.code})
    prefix = token.upper()
    if _PREFIX.fullmatch(prefix):
        codes = frozenset(code for code in BY_CODE if code.startswith(prefix))
        return codes or None
    return None


def enabled_checks(
    select: Iterable[str], ignore: Iterable[str], where: str = "--select/--ignore"
) -> frozenset[str]:
    """The codes ``select`` minus ``ignore`` (an empty ``select`` means all)."""

    def resolve(items: Iterable[str], what: str) -> set[str]:
        out: set[str] = set()
        for item in items:
            codes = checks_for(item)
            if codes is None:
                raise InputError(
                    None,
                    None,
                    f"{where}: {what} {item!r} matches no check (known: {', '.join(BY_CODE)})",
                )
            out |= codes
        return out

    chosen = list(select)
    codes = resolve(chosen, "select") if chosen else set(BY_CODE)
    return frozenset(codes - resolve(ignore, "ignore"))

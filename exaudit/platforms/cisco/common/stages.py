"""The front both IOS and ASA ``stages`` share."""

from __future__ import annotations

from collections.abc import Callable

from exaudit.core.errors import InputError
from exaudit.core.model import Stage
from exaudit.platforms.cisco.common.model import CiscoRuleset, StageKey


def cached_stages(
    ruleset: CiscoRuleset,
    key: StageKey,
    build: Callable[[], list[Stage]],
    *,
    local: str | None,
    no_local: str,
    acl_word: str,
) -> list[Stage]:
    """The front both IOS and ASA ``stages`` share: no host path, one named ACL alone when
    ``key``'s chain is given, and every answer cached on the ruleset."""
    if local is not None:
        raise InputError(ruleset.file, None, no_local)
    cache = ruleset.stage_cache
    if key not in cache:
        chain = key[2]
        if chain is not None:
            found = ruleset.chains.get(chain)
            if found is None:
                raise InputError(ruleset.file, None, f"{acl_word} {chain} is not defined")
            cache[key] = [Stage(f"acl {chain}", {chain: found}, chain)]
        else:
            cache[key] = build()
    return cache[key]

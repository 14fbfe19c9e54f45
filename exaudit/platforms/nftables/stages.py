"""What a packet meets in nftables: every base chain of each hook on its path, by priority.

An ``accept`` ends one base chain only: the packet goes on to the next base chain of the
same hook (a stage each, all must permit); a ``drop`` is final. A forwarded packet meets
prerouting, forward and postrouting; one to the host prerouting and input; one from the
host output and postrouting.
"""

from __future__ import annotations

from exaudit.core.errors import InputError
from exaudit.core.model import Chain, Rule, Ruleset, Stage
from exaudit.platforms.nftables.model import HOOKS, NftRuleset

PATHS = {
    "forward": ("prerouting", "forward", "postrouting"),
    "input": ("prerouting", "input"),
    "output": ("output", "postrouting"),
}
# where a packet has no interface of one kind yet (the kernel compares an empty name)
EMPTY = {"prerouting": ("oif",), "input": ("oif",), "output": ("iif",)}


def stages(
    ruleset: Ruleset,
    *,
    in_iface: str | None,
    out_iface: str | None,
    chain: str | None = None,
    local: str | None = None,
) -> list[Stage]:
    """The base chains on the packet's path; ``chain`` a hook name or one base chain."""
    assert isinstance(ruleset, NftRuleset)
    path = local if local in ("input", "output") else "forward" if out_iface else "input"
    hooks = PATHS[path]
    only: str | None = None
    if chain is not None:
        if chain in HOOKS:
            hooks = (chain,)
        else:
            only = _base_chain(ruleset, chain)
    out = []
    for hook in hooks:
        empty = EMPTY.get(hook, ())
        if hook == "postrouting" and path == "output":
            empty = ("iif",)
        for base in ruleset.base_chains:
            if base.hook != hook or (only is not None and base.key != only):
                continue
            out.append(Stage(base.key, _view(ruleset, empty), base.key))
    return out


def _base_chain(ruleset: NftRuleset, name: str) -> str:
    """``inet filter input`` or, when only one base chain has it, ``input``."""
    keys = [b.key for b in ruleset.base_chains]
    if name in keys:
        return name
    found = [k for k in keys if k.split(" ", 2)[2] == name or k.endswith(" " + name)]
    if len(found) == 1:
        return found[0]
    if name in ruleset.chains:
        raise InputError(
            ruleset.file,
            None,
            f"{name!r} is a regular chain: it has no verdict of its own; ask for a base "
            "chain or a hook",
        )
    raise InputError(
        ruleset.file,
        None,
        f"no base chain {name!r} ({'ambiguous: ' if found else ''}base chains: "
        f"{', '.join(found or keys) or 'none'}; hooks: {', '.join(HOOKS[:5])})",
    )


def _view(ruleset: NftRuleset, empty: tuple[str, ...]) -> dict[str, Chain]:
    """The chains as packets with no ``empty`` interface see them."""
    if not empty:
        return ruleset.chains
    views = ruleset.stage_views
    hit = views.get(empty)
    if hit is not None:
        return hit
    view = {}
    for name, c in ruleset.chains.items():
        rules = []
        for rule in c.rules:
            kept = _without(rule, empty)
            if kept is not None:
                rules.append(kept)
        view[name] = Chain(name, rules, c.default, c.default_origin)
    views[empty] = view
    return view


def _without(rule: Rule, empty: tuple[str, ...]) -> Rule | None:
    """The rule for packets whose ``empty`` interfaces have no name; None if it never matches."""
    changes: dict[str, None] = {}
    for dim in empty:
        cond = getattr(rule.match, dim)
        if cond is None:
            continue
        # "eth*" (a prefix) and "eth0" both miss the empty name; only the empty prefix hits
        matches_empty = "+" in cond.patterns
        if matches_empty == cond.negated:
            return None
        changes[dim] = None
    if not changes:
        return rule
    return Rule(
        rule.origin, rule.match._replace(**changes), rule.target, rule.unknown, rule.stateful
    )

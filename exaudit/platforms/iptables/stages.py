"""The stages a packet meets in an iptables ruleset: each table's chain at each hook.

The kernel runs a packet through the tables in a fixed order per hook (raw, then
connection tracking, mangle, nat, filter, security). exaudit evaluates every table that
can change a verdict: raw, mangle and security DROP/REJECT exactly, as stages before or
after filter; nat's destination rewrites (DNAT, REDIRECT, NETMAP) and raw's NOTRACK/CT
are not followed, so the packets they match get ``undetermined``, naming the line.
"""

from __future__ import annotations

from exaudit.core.errors import InputError
from exaudit.core.model import Chain, Rule, Ruleset, Stage, State, Target, Verb
from exaudit.platforms.iptables.build import FRAGMENTS, LATER_FRAGMENTS, NOT_LATER_FRAGMENTS
from exaudit.platforms.iptables.ruleset import IptablesRuleset

# the (table, chain) a packet meets, in order, on its way through each filter chain;
# nat's POSTROUTING and INPUT only rewrite sources, after the verdict
PATHS: dict[str, tuple[tuple[str, str], ...]] = {
    "INPUT": (
        ("raw", "PREROUTING"),
        ("mangle", "PREROUTING"),
        ("nat", "PREROUTING"),
        ("mangle", "INPUT"),
        ("filter", "INPUT"),
        ("security", "INPUT"),
    ),
    "FORWARD": (
        ("raw", "PREROUTING"),
        ("mangle", "PREROUTING"),
        ("nat", "PREROUTING"),
        ("mangle", "FORWARD"),
        ("filter", "FORWARD"),
        ("security", "FORWARD"),
        ("mangle", "POSTROUTING"),
    ),
    "OUTPUT": (
        ("raw", "OUTPUT"),
        ("mangle", "OUTPUT"),
        ("nat", "OUTPUT"),
        ("filter", "OUTPUT"),
        ("security", "OUTPUT"),
        ("mangle", "POSTROUTING"),
    ),
}
# the interface whose name is empty at a hook: no output interface before routing, no
# input interface for a host's own packets (the kernel compares the empty name)
EMPTY_IFACE = {"PREROUTING": "oif", "INPUT": "oif", "OUTPUT": "iif"}
REWRITES_DESTINATION = frozenset({"DNAT", "REDIRECT", "NETMAP"})
UNTRACKS = frozenset({"NOTRACK", "CT"})
# in the raw table connection tracking has not run yet: state and conntrack see INVALID
RAW_STATE = int(State.INVALID)
REFUSED = "iptables refuses this rule: "
_DECIDING = frozenset({Verb.DROP, Verb.REJECT, Verb.UNKNOWN})


def filter_chain(
    ruleset: Ruleset, chain: str | None, out_iface: str | None, local: str | None
) -> str:
    """The filter chain a question starts in (checked to be a built-in one)."""
    if chain is None:
        if local == "input":
            chain = "INPUT"
        elif local == "output":
            chain = "OUTPUT"
        else:
            chain = "FORWARD" if out_iface else "INPUT"
    found = ruleset.chains.get(chain)
    if found is None:
        raise InputError(
            ruleset.file,
            None,
            f"no chain {chain!r} in the filter table (chains: {', '.join(ruleset.chains)})",
        )
    if found.default is None:
        raise InputError(
            ruleset.file,
            None,
            f"{chain!r} is a user-defined chain: it has no "
            "verdict of its own (packets falling off its end return to the "
            "chain that jumped there); ask for INPUT, FORWARD or OUTPUT",
        )
    return chain


def stages(
    ruleset: Ruleset,
    *,
    in_iface: str | None,
    out_iface: str | None,
    chain: str | None = None,
    local: str | None = None,
) -> list[Stage]:
    """The chains a packet meets: ``chain`` of the filter table (else INPUT/OUTPUT for a
    host's own traffic, else FORWARD when it leaves by an interface, else INPUT), with
    the chains of the other tables at the same hooks that can change its verdict.

    Only built-in chains can be asked for: a user chain has no verdict of its own
    (packets falling off its end go back to whichever chain jumped there).
    """
    name = filter_chain(ruleset, chain, out_iface, local)
    if not isinstance(ruleset, IptablesRuleset):  # a ruleset built by hand (tests)
        return [Stage(name, ruleset.chains, name)]
    out = []
    for table, hook in PATHS[name]:
        if table == "filter":
            out.append(Stage(name, view(ruleset, table, hook), name))
            continue
        chains = view(ruleset, table, hook)
        if chains:
            out.append(Stage(f"{table} {hook}", chains, hook))
    return out


def view(ruleset: IptablesRuleset, table: str, hook: str) -> dict[str, Chain]:
    """The chains of ``table`` as packets at ``hook`` meet them; empty when nothing in them
    can change a verdict (a mangle table of MARKs)."""
    key = (table, hook)
    hit = ruleset.views.get(key)
    if hit is not None:
        return hit
    chains = ruleset.chains if table == "filter" else ruleset.tables.get(table, {})
    if hook not in chains:
        got: dict[str, Chain] = {}
    else:
        got = _rewritten(ruleset, chains, table, hook)
        if table != "filter" and not _can_decide(got, hook):
            got = {}
    ruleset.views[key] = got
    return got


def _rewritten(
    ruleset: IptablesRuleset, chains: dict[str, Chain], table: str, hook: str
) -> dict[str, Chain]:
    empty = EMPTY_IFACE.get(hook)
    fragments = any(u in FRAGMENTS for c in chains.values() for r in c.rules for u in r.unknown)
    untracked_matters = table == "raw" and _state_used(ruleset)
    changed = False
    view_: dict[str, Chain] = {}
    for name, c in chains.items():
        rules = []
        for rule in c.rules:
            new: Rule | None = rule
            if rule.unknown and fragments:
                new = _first_fragment(rule)
            if new is not None and empty is not None:
                new = _without_iface(new, empty)
            if new is not None and table == "raw":
                new = _raw_state(new)
                if new is not None and untracked_matters and new.target.name in UNTRACKS:
                    new = _undetermined(new, "changes the connection state later tables see")
            if new is not None and table == "nat" and new.target.name in REWRITES_DESTINATION:
                new = _undetermined(
                    new, "rewrites the destination the filter table sees (not followed)"
                )
            if new is not rule:
                changed = True
            if new is not None:
                rules.append(new)
        view_[name] = Chain(name, rules, c.default, c.default_origin)
    return view_ if changed else chains


def _first_fragment(rule: Rule) -> Rule | None:
    """The rule as first fragments (and unfragmented packets) meet it: ``-f`` never
    matches them, ``! -f`` always does."""
    if LATER_FRAGMENTS in rule.unknown:
        return None
    if NOT_LATER_FRAGMENTS not in rule.unknown:
        return rule
    rest = tuple(u for u in rule.unknown if u != NOT_LATER_FRAGMENTS)
    return Rule(rule.origin, rule.match, rule.target, rest, rule.stateful)


def _without_iface(rule: Rule, dim: str) -> Rule | None:
    """The rule as packets whose ``dim`` interface has an empty name see it."""
    cond = getattr(rule.match, dim)
    if cond is None:
        return rule
    # "+" matches every name, the empty one too; any other pattern misses it
    matches_empty = "+" in cond.patterns
    if matches_empty == cond.negated and not (rule.unknown and rule.unknown[0].startswith(REFUSED)):
        return None
    # (a rule iptables refuses has no meaning to rely on: only its outer bound is kept)
    return Rule(
        rule.origin, rule.match._replace(**{dim: None}), rule.target, rule.unknown, rule.stateful
    )


def _raw_state(rule: Rule) -> Rule | None:
    """In the raw table every packet is INVALID to the state and conntrack matches."""
    cond = rule.match.state
    if cond is None:
        return rule
    if RAW_STATE not in cond:
        return None
    return Rule(rule.origin, rule.match._replace(state=None), rule.target, rule.unknown)


def _undetermined(rule: Rule, why: str) -> Rule:
    target = Target(Verb.UNKNOWN, name=rule.target.name)
    return Rule(rule.origin, rule.match, target, rule.unknown + (f"{rule.target.name} {why}",))


def _state_used(ruleset: IptablesRuleset) -> bool:
    """Whether a table after raw looks at the connection state."""
    everything = [ruleset.chains] + [c for t, c in ruleset.tables.items() if t != "raw"]
    return any(r.match.state is not None for cs in everything for c in cs.values() for r in c.rules)


def _can_decide(chains: dict[str, Chain], entry: str) -> bool:
    """Whether a packet entering ``entry`` can meet a DROP, REJECT or undetermined end."""
    seen = {entry}
    todo = [entry]
    while todo:
        chain = chains.get(todo.pop())
        if chain is None:
            continue
        if chain.default is not None and chain.default.verb is not Verb.ACCEPT:
            return True
        for rule in chain.rules:
            if rule.target.verb in _DECIDING:
                return True
            nxt = rule.target.chain
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False

"""From the tables as read to the model: chains by ``family table chain``, base chains, notes."""

from __future__ import annotations

from exaudit.core import addresses
from exaudit.core.errors import InputError
from exaudit.core.model import (
    Chain,
    Issue,
    IssueKind,
    Match,
    Note,
    Origin,
    Rule,
    Target,
    Verb,
)
from exaudit.platforms.nftables.model import (
    GUARD,
    IP_FAMILIES,
    BaseChain,
    ChainDef,
    NftRuleset,
    TableDef,
    chain_key,
)
from exaudit.platforms.nftables.rules import Compiler, Env, RuleProblem
from exaudit.platforms.nftables.script import Context
from exaudit.platforms.nftables.values import CONNTRACK_PRIORITY

NAME = "nftables"
EVALUATED_HOOKS = ("prerouting", "input", "forward", "output", "postrouting")
EVALUATED_TYPES = ("filter", "route")
_NAT_WORDS = {"dnat", "snat", "masquerade", "redirect"}


def _calls(chain: ChainDef) -> list[tuple[str, Origin]]:
    """The chains a chain's rules jump or go to (by token; maps included)."""
    out = []
    for rule in chain.rules:
        toks = rule.tokens
        for j, tok in enumerate(toks[:-1]):
            if tok.text in ("jump", "goto") and tok.kind == "word":
                out.append((toks[j + 1].text, rule.origin))
    return out


def _conntrack(table: TableDef) -> dict[str, str]:
    """Per chain, whether it runs before conntrack (base chains of prerouting/output at
    priority -200 or lower, and every chain they reach), after it, or both."""
    early = [
        c.name
        for c in table.chains.values()
        if c.hook in ("prerouting", "output") and c.priority <= CONNTRACK_PRIORITY
    ]
    late = [c.name for c in table.chains.values() if c.base and c.name not in early]
    before, after = _reached(table, early), _reached(table, late)
    return {
        name: "both" if name in before and name in after else "before" if name in before else ""
        for name in table.chains
    }


def _check_reject(table: TableDef) -> None:
    """The kernel refuses ``reject`` in postrouting and in every chain postrouting reaches."""
    late = _reached(table, [c.name for c in table.chains.values() if c.hook == "postrouting"])
    for name in sorted(late):
        for rule in table.chains[name].rules:
            if any(t.text == "reject" and t.kind == "word" for t in rule.tokens):
                raise InputError(
                    rule.origin.file,
                    rule.origin.line,
                    f"reject in chain {name}, which the postrouting hook reaches: the kernel "
                    "refuses it (Operation not supported)",
                )


def _reached(table: TableDef, start: list[str]) -> set[str]:
    seen: set[str] = set()
    while start:
        name = start.pop()
        if name in seen or name not in table.chains:
            continue
        seen.add(name)
        start.extend(callee for callee, _ in _calls(table.chains[name]))
    return seen


def _check_loops(table: TableDef) -> None:
    """A jump or goto loop is refused by nft; so it is here, at the line that closes it."""
    state: dict[str, int] = {}

    def visit(name: str) -> None:
        state[name] = 1
        for callee, origin in _calls(table.chains[name]):
            if callee not in table.chains:
                continue  # the rule compiler reports it with its line
            if state.get(callee) == 1:
                raise InputError(
                    origin.file, origin.line, f"jump loop: chain {callee} is reached from itself"
                )
            if callee not in state:
                visit(callee)
        state[name] = 2

    for name in table.chains:
        if name not in state:
            visit(name)


def _mark_dynamic(table: TableDef) -> None:
    """Sets that rules add elements to (``add @s``, ``update @s``) change as packets pass."""
    for chain in table.chains.values():
        for rule in chain.rules:
            toks = rule.tokens
            for j, tok in enumerate(toks[:-1]):
                if tok.text in ("add", "update", "delete") and toks[j + 1].text.startswith("@"):
                    found = table.sets.get(toks[j + 1].text[1:])
                    if found is not None and not found.dynamic:
                        found.dynamic = f"line {rule.origin.line} changes set {found.name}"


def _guard(table: TableDef, chain: ChainDef) -> Rule | None:
    """In an ``ip`` or ``ip6`` base chain, packets of the other IP version pass untouched."""
    versions = IP_FAMILIES[table.family]
    if len(versions) == 2:
        return None
    other = addresses.ALL_V6 if versions == (4,) else addresses.ALL_V4
    name = GUARD.format(other=6 if versions == (4,) else 4, table=table.key)
    return Rule(chain.origin, Match(src=other), Target(Verb.ACCEPT, name=name))


def _note_other(rs: NftRuleset, table: TableDef) -> None:
    if table.family not in IP_FAMILIES:
        rs.notes.append(
            Note(
                table.origin,
                f"table {table.key}: the {table.family} family is read but not evaluated "
                f"({len(table.chains)} chains); exaudit evaluates ip, ip6 and inet tables",
            )
        )
    elif table.dormant:
        rs.notes.append(Note(table.origin, f"table {table.key} is dormant: it filters nothing"))


def _note_chain(rs: NftRuleset, table: TableDef, chain: ChainDef) -> None:
    """Base chains exaudit does not evaluate (nat, ingress) are named, never dropped."""
    if chain.type == "nat":
        nat = sorted({t.text for r in chain.rules for t in r.tokens if t.text in _NAT_WORDS})
        drops = [
            r.origin.line
            for r in chain.rules
            if any(t.text in ("drop", "reject") for t in r.tokens)
        ]
        what = (
            f" ({', '.join(nat)} rewrite addresses before or after the filter chains)"
            if nat
            else ""
        )
        rs.notes.append(
            Note(
                chain.origin,
                f"chain {table.key} {chain.name} is a nat chain{what}; exaudit evaluates "
                "filter chains only" + (f"; it drops packets at lines {drops}" if drops else ""),
            )
        )
    else:
        rs.notes.append(
            Note(
                chain.origin,
                f"chain {table.key} {chain.name} (type {chain.type} hook {chain.hook}) is not "
                "evaluated; exaudit evaluates filter and route chains of the IP hooks",
            )
        )


def build(ctx: Context, path: str, lines_total: int) -> NftRuleset:
    rs = NftRuleset(NAME, path, lines_total=lines_total)
    rs.sources = dict(ctx.files_read)
    tables = []
    for table in ctx.tables.values():
        _note_other(rs, table)
        if table.family not in IP_FAMILIES or table.dormant:
            continue
        tables.append(table.key)
        _build_table(rs, table)
    rs.tables = tuple(tables)
    # by priority; at one priority the kernel runs the chain registered last first (a new
    # hook goes before the entries of equal priority), so the later-made chain comes first
    rs.base_chains.sort(key=lambda b: (b.priority, -b.created))
    _note_ties(rs)
    if not rs.base_chains:
        rs.notes.append(Note(None, "no filter base chain on an IP hook: nothing filters packets"))
    return rs


def _note_ties(rs: NftRuleset) -> None:
    seen: dict[tuple[str, int], list[str]] = {}
    for base in rs.base_chains:
        seen.setdefault((base.hook, base.priority), []).append(base.key)
    for (hook, prio), keys in seen.items():
        if len(keys) > 1:
            rs.notes.append(
                Note(
                    None,
                    f"base chains {', '.join(keys)} share hook {hook} and priority {prio}: the "
                    "kernel runs them in this order (the one made last first); a ruleset loaded "
                    "in another order would run them otherwise",
                )
            )


def _build_table(rs: NftRuleset, table: TableDef) -> None:
    _check_loops(table)
    _check_reject(table)
    _mark_dynamic(table)
    conntrack = _conntrack(table)
    keys = {name: chain_key(table.family, table.name, name) for name in table.chains}
    for chain in table.chains.values():
        env = Env(table, keys, conntrack=conntrack[chain.name])
        compiler = Compiler(env)
        rules: list[Rule] = []
        if chain.base and chain.type in EVALUATED_TYPES and chain.hook in EVALUATED_HOOKS:
            guard = _guard(table, chain)
            if guard is not None:
                rules.append(guard)
        for text in chain.rules:
            try:
                compiled = compiler.compile(text)
            except RuleProblem as exc:
                raise InputError(text.origin.file, text.origin.line, str(exc)) from None
            for rule in compiled:
                rs.where[rule.origin] = keys[chain.name]
            _issues(rs, compiled)
            rules.extend(compiled)
        key = keys[chain.name]
        if not chain.base:
            rs.chains[key] = Chain(key, rules)
            continue
        if chain.type not in EVALUATED_TYPES or chain.hook not in EVALUATED_HOOKS:
            _note_chain(rs, table, chain)
            continue
        verb = Verb.DROP if chain.policy == "drop" else Verb.ACCEPT
        policy = Target(verb, name=f"policy {chain.policy}")
        rs.chains[key] = Chain(key, rules, policy, chain.policy_origin or chain.origin)
        assert chain.hook is not None
        rs.base_chains.append(
            BaseChain(
                key,
                table.family,
                chain.hook,
                chain.priority,
                chain.origin,
                chain.created,
                conntrack[chain.name] == "before",
            )
        )


def _issues(rs: NftRuleset, compiled: list[Rule]) -> None:
    seen: set[str] = set()
    for rule in compiled:
        reasons = list(rule.unknown)
        if rule.target.verb is Verb.UNKNOWN:
            reasons.append(rule.target.name)
        message = "; ".join(reasons)
        if message and message not in seen:
            seen.add(message)
            rs.issues.append(Issue(IssueKind.UNSUPPORTED, rule.origin, f"not modelled: {message}"))

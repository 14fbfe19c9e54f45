"""The tables read, as an IptablesRuleset: filter as its chains, the others attached."""

from __future__ import annotations

from exaudit.core import addresses
from exaudit.core.model import (
    Chain,
    Match,
    Note,
    Origin,
    Rule,
    Target,
    Verb,
)
from exaudit.platforms.iptables.executor import Executor
from exaudit.platforms.iptables.ruleset import IptablesRuleset, TableCount
from exaudit.platforms.iptables.stages import REWRITES_DESTINATION, UNTRACKS
from exaudit.platforms.iptables.state import TableState

# --- the ruleset --------------------------------------------------------------------------------


def _policy_target(policy: str) -> Target:
    return Target(Verb.ACCEPT if policy == "ACCEPT" else Verb.DROP, name=policy)


def _model_chains(table: TableState, sizes: dict[str, list[int]]) -> dict[str, Chain]:
    chains: dict[str, Chain] = {}
    for name, c in table.chains.items():
        entries = c.entries
        if all(len(e) == 1 for e in entries):
            rules = [e[0] for e in entries]
        else:
            rules = [r for e in entries for r in e]
            sizes[name] = [len(e) for e in entries]
        if c.builtin:
            chains[name] = Chain(name, rules, _policy_target(c.policy), c.policy_origin)
        else:
            chains[name] = Chain(name, rules)
    return chains


def _merged_chains(ex: Executor, path: str, table_name: str) -> dict[str, Chain]:
    """Both families in one chain set: rules of each family are disjoint by address, and
    each built-in chain ends with one rule per family standing for that family's policy."""
    tables = {
        fam: ex.tables[fam].get(table_name) or TableState.fresh(table_name, fam) for fam in (4, 6)
    }
    per_family = {fam: _model_chains(t, {}) for fam, t in tables.items()}
    chains: dict[str, Chain] = {}
    for fam in (4, 6):
        for name, chain in per_family[fam].items():
            rules = list(chain.rules)
            if chain.default is not None:
                policy = chain.default
                rules = [
                    Rule(r.origin, r.match, policy, r.unknown)
                    if r.target.verb is Verb.RETURN
                    else r
                    for r in rules
                ]
                origin = chain.default_origin or Origin(
                    path,
                    0,
                    f"(IPv{fam} {name} policy {policy.name}: never set, the kernel default)",
                )
                space = addresses.ALL_V4 if fam == 4 else addresses.ALL_V6
                rules.append(Rule(origin, Match(src=space), policy))
            have = chains.get(name)
            if have is None:
                chains[name] = Chain(name, rules, chain.default, chain.default_origin)
            else:
                have.rules.extend(rules)
    return chains


def _table_chains(
    ex: Executor, path: str, families: list[int], name: str, sizes: dict[str, list[int]]
) -> dict[str, Chain]:
    if len(families) == 1:
        fam = families[0]
        table = ex.tables[fam].get(name) or TableState.fresh(name, fam)
        return _model_chains(table, sizes)
    return _merged_chains(ex, path, name)


def finish(ex: Executor, path: str, total: int) -> IptablesRuleset:
    families = sorted(ex.families_used) or [4]
    rs = IptablesRuleset("iptables", path, lines_total=total, families=frozenset(families))
    rs.issues = ex.issues
    rs.notes = ex.notes
    filter_sizes: dict[str, list[int]] = {}
    rs.chains = _table_chains(ex, path, families, "filter", filter_sizes)
    if filter_sizes:
        rs.rule_sizes["filter"] = filter_sizes
    if len(families) == 1:
        table = ex.tables[families[0]].get("filter") or TableState.fresh("filter", families[0])
        for name, chain in table.chains.items():
            if (
                chain.builtin
                and chain.policy_origin is None
                and not any(n.origin and n.origin.text.startswith(":" + name) for n in ex.notes)
            ):
                rs.notes.append(
                    Note(
                        None,
                        f"the policy of {name} is never set: exaudit "
                        "assumes ACCEPT, the kernel's default",
                    )
                )
    else:
        rs.notes.append(
            Note(
                None,
                "this script configures IPv4 and IPv6: exaudit keeps "
                "their rules apart by address family",
            )
        )
    names = sorted({n for fam in families for n in ex.tables[fam] if n != "filter"})
    for name in names:
        sizes: dict[str, list[int]] = {}
        rs.tables[name] = _table_chains(ex, path, families, name, sizes)
        if sizes:
            rs.rule_sizes[name] = sizes
        present = [ex.tables[fam][name] for fam in families if name in ex.tables[fam]]
        rs.counts[name] = TableCount(
            chains=max(len(t.chains) for t in present),
            rules=sum(len(c.entries) for t in present for c in t.chains.values()),
        )
        for table in present:
            _note_other_table(rs, table)
    return rs


def _note_other_table(rs: IptablesRuleset, table: TableState) -> None:
    """Notes on what another table does to packets before (or after) the filter table:
    one per kind, at its first line, with the count (a dump can have hundreds)."""
    for chain in table.chains.values():
        if chain.builtin and chain.policy == "DROP":
            rs.notes.append(
                Note(
                    chain.policy_origin,
                    f"the {table.name} table's {chain.name} chain drops by policy; "
                    "exaudit evaluates it with the filter table, in the kernel's order",
                )
            )
    found: dict[str, list[Origin]] = {}
    for chain in table.chains.values():
        for entry in chain.entries:
            rule = entry[0]
            name = rule.target.name
            if (
                table.name in ("raw", "mangle", "security")
                and rule.target.verb in (Verb.DROP, Verb.REJECT)
                or table.name == "nat"
                and name in REWRITES_DESTINATION
                or table.name == "raw"
                and name in UNTRACKS
            ):
                found.setdefault(name, []).append(rule.origin)
    for name, origins in found.items():
        lines = sorted(o.line for o in origins)
        more = (
            f" ({len(lines)} rules, lines {', '.join(map(str, lines[:5]))}"
            + (", ..." if len(lines) > 5 else "")
            + ")"
            if len(lines) > 1
            else ""
        )
        if table.name == "nat":
            message = (
                f"{name} in the nat table{more} rewrites destinations before the filter "
                "table sees the packets; exaudit does not follow the rewrite, so every "
                "verdict on the packets it matches is undetermined, naming the line"
            )
        elif name in UNTRACKS:
            message = (
                f"{name} in the raw table{more} changes the connection state the later "
                "tables see; verdicts on the packets it matches that depend on the state "
                "are undetermined, naming the line"
            )
        else:
            message = (
                f"{name} in the {table.name} table{more}: these packets never reach "
                "the filter table; exaudit evaluates the tables in the kernel's order"
            )
        rs.notes.append(Note(min(origins, key=lambda o: o.line), message))

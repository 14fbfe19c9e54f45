"""Rules that can never match: everything they match is decided earlier in their chain."""

from __future__ import annotations

from dataclasses import dataclass

from exaudit.core import addresses
from exaudit.core.model import PORTS, Origin, Rule, Ruleset, Verb
from exaudit.engine.evaluate import DIMS, Box, Evaluator, patterns_of, subtract
from exaudit.engine.ruleindex import MIN_RULES, ChainIndex

# Verbs after which a packet leaves the chain's rule list for good (a jump may come back).
_LEAVES = {Verb.ACCEPT, Verb.DROP, Verb.REJECT, Verb.RETURN, Verb.GOTO}
# Past this many pieces the remainder is too fragmented to settle: say nothing.
MAX_PIECES = 256


@dataclass(frozen=True)
class Shadowed:
    rule: Rule
    chain: str
    by: tuple[Origin, ...]  # the earlier lines that together take all its packets


def dead_lines(ruleset: Ruleset) -> list[Shadowed]:
    """Lines none of whose rules any packet reaches (a line may expand to several rules,
    in several chains; it is dead only when every one of them is)."""
    found = shadowed_rules(ruleset)
    dead = {id(s.rule) for s in found}
    alive = {r.origin for c in ruleset.chains.values() for r in c.rules if id(r) not in dead}
    out: dict[Origin, Shadowed] = {}
    for s in found:
        if s.rule.origin not in alive and s.rule.origin not in out:
            out[s.rule.origin] = s
    return sorted(out.values(), key=lambda s: s.rule.origin.line)


def shadowed_rules(ruleset: Ruleset) -> list[Shadowed]:
    """Rules of each chain that no packet reaches (earlier rules decide all they match)."""
    evaluator = Evaluator(patterns_of(ruleset.chains.values()))
    out: list[Shadowed] = []
    for name, rules in evaluator.rule_boxes(ruleset.chains).items():
        index = None
        if len(rules) >= MIN_RULES:
            index = ChainIndex(
                [box for _, box in rules],
                (DIMS.index("dport"), DIMS.index("dst")),
                (PORTS, addresses.ALL),
            )
        for i, (rule, box) in enumerate(rules):
            by = _covered(rules, i, box, index)
            if by:
                out.append(Shadowed(rule, name, by))
    return out


def _covered(
    rules: list[tuple[Rule, Box]], i: int, box: Box, index: ChainIndex | None
) -> tuple[Origin, ...]:
    cands = index.candidates(box) if index is not None else None
    positions = range(i) if cands is None else [c for c in cands if c < i]
    pieces = [box]
    by: list[Origin] = []
    for j in positions:
        rule, other = rules[j]
        if rule.uncertain or rule.target.verb not in _LEAVES:
            continue
        new: list[Box] = []
        touched = False
        for piece in pieces:
            rest = subtract(piece, other)
            touched = touched or rest != [piece]
            new.extend(rest)
        if touched:
            by.append(rule.origin)
            pieces = new
            if not pieces:
                return tuple(dict.fromkeys(by))
            if len(pieces) > MAX_PIECES:
                return ()
    return ()

"""EXA501's one-pass dead-rule analysis against the pairwise definition it replaced."""

from __future__ import annotations

import random

import pytest

from exaudit.core.intervals import IntervalSet
from exaudit.core.model import PORTS, Chain, IfaceMatch, Match, Origin, Rule, Ruleset, Target, Verb
from exaudit.engine.evaluate import Box, Evaluator, intersect, patterns_of, subtract
from exaudit.engine.ruleindex import MIN_RULES
from exaudit.engine.shadow import _LEAVES, dead_lines, shadowed_rules

VERBS = [Verb.ACCEPT, Verb.DROP, Verb.ACCEPT, Verb.RETURN, Verb.CONTINUE, Verb.JUMP]


def reference(ruleset: Ruleset) -> dict[tuple[str, int], tuple[Origin, ...]]:
    """The old definition, without its give-up cap: each rule cut by every earlier rule
    that decides; dead when nothing is left, ``by`` the rules that took a piece."""
    evaluator = Evaluator(patterns_of(ruleset.chains.values()))
    out: dict[tuple[str, int], tuple[Origin, ...]] = {}
    for name, rules in evaluator.rule_boxes(ruleset.chains).items():
        for i, (_rule, box) in enumerate(rules):
            if any(not v.spans for v in box):
                out[(name, i)] = ()
                continue
            pieces: list[Box] = [box]
            by: list[Origin] = []
            for other_rule, other in rules[:i]:
                if other_rule.uncertain or other_rule.target.verb not in _LEAVES:
                    continue
                new = [rest for piece in pieces for rest in subtract(piece, other)]
                if new != pieces:
                    by.append(other_rule.origin)
                    pieces = new
                if not pieces:
                    out[(name, i)] = tuple(dict.fromkeys(by))
                    break
    return out


def _span(rng: random.Random, top: int) -> IntervalSet | None:
    if rng.random() < 0.35:
        return None
    lo = rng.randrange(top)
    out = IntervalSet.span(lo, min(top - 1, lo + rng.choice([0, 1, 3, 7, top])))
    if rng.random() < 0.15:
        out = out | IntervalSet.point(rng.randrange(top))
    if rng.random() < 0.1:
        out = IntervalSet.span(0, top - 1) - out  # a negation
    return out


def random_ruleset(seed: int, count: int) -> Ruleset:
    """A chain over a tiny packet space, where rules often overlap and cover each other."""
    rng = random.Random(seed)
    rules = []
    for line in range(1, count + 1):
        verb = rng.choice(VERBS)
        iif = IfaceMatch((rng.choice(["eth0", "eth1", "eth+"]),)) if rng.random() < 0.2 else None
        match = Match(
            proto=_span(rng, 3),
            src=_span(rng, 8),
            dst=_span(rng, 8),
            dport=_span(rng, 6),
            iif=iif,
        )
        if rng.random() < 0.03:
            match = match._replace(src=IntervalSet())  # matches nothing
        target = Target(verb, chain="OTHER" if verb is Verb.JUMP else None)
        unknown = ("-m recent",) if rng.random() < 0.05 else ()
        rules.append(Rule(Origin("t", line, f"rule {line}"), match, target, unknown))
    chains = {
        "MAIN": Chain("MAIN", rules, Target(Verb.DROP)),
        "OTHER": Chain("OTHER", []),
    }
    return Ruleset("test", "t", chains)


@pytest.mark.parametrize("seed", range(300))
def test_one_pass_equals_the_pairwise_definition(seed: int) -> None:
    # sizes on both sides of MIN_RULES, so that the indexed path is compared too
    ruleset = random_ruleset(seed, [6, 20, MIN_RULES + 40][seed % 3])
    expected = reference(ruleset)
    positions = {id(r): i for i, r in enumerate(ruleset.chains["MAIN"].rules)}
    got = {(s.chain, positions[id(s.rule)]): s.by for s in shadowed_rules(ruleset)}
    assert got == expected


def test_a_catch_all_makes_every_later_rule_dead_without_a_test() -> None:
    rules = [
        Rule(Origin("t", 1, "a"), Match(dport=IntervalSet.point(22)), Target(Verb.ACCEPT)),
        Rule(Origin("t", 2, "all"), Match(), Target(Verb.DROP)),
    ] + [
        Rule(Origin("t", n, "x"), Match(dport=IntervalSet.span(n, n + 30)), Target(Verb.ACCEPT))
        for n in range(3, 200)
    ]
    ruleset = Ruleset("test", "t", {"MAIN": Chain("MAIN", rules, Target(Verb.DROP))})
    found = {s.rule.origin.line: s.by for s in dead_lines(ruleset)}
    assert sorted(found) == list(range(3, 200))
    assert found[22] == (rules[0].origin, rules[1].origin)  # 22..52 meets line 1
    assert found[40] == (rules[1].origin,)


def test_a_rule_matching_nothing_is_its_own_finding() -> None:
    rules = [
        Rule(Origin("t", 1, "nothing"), Match(src=IntervalSet()), Target(Verb.ACCEPT)),
        Rule(Origin("t", 2, "also nothing"), Match(src=IntervalSet()), Target(Verb.ACCEPT)),
    ]
    ruleset = Ruleset("test", "t", {"MAIN": Chain("MAIN", rules, Target(Verb.DROP))})
    assert [(s.rule.origin.line, s.kind, s.by) for s in dead_lines(ruleset)] == [
        (1, "empty", ()),
        (2, "empty", ()),  # not "shadowed by line 1": neither matches anything
    ]


@pytest.mark.parametrize(
    "a, b",
    [
        # the same empty set in both boxes (the bug: `x is y` counted as overlapping)
        ((IntervalSet(), PORTS), (None, PORTS)),
        ((IntervalSet.span(1, 5), IntervalSet()), (IntervalSet.span(1, 5), None)),
        # two different empty sets, and disjoint non-empty ones
        ((IntervalSet(), PORTS), (IntervalSet(), PORTS)),
        ((IntervalSet.span(1, 5), PORTS), (IntervalSet.span(6, 9), PORTS)),
    ],
)
def test_intersect_never_returns_an_empty_dimension(a: tuple, b: tuple) -> None:
    left = tuple(a)
    right = tuple(x if y is None else y for x, y in zip(a, b, strict=True))
    assert intersect(left, right) is None
    assert intersect(right, left) is None


def test_intersect_keeps_shared_dimensions() -> None:
    box = (IntervalSet.span(1, 5), PORTS)
    other = (IntervalSet.span(3, 9), PORTS)
    assert intersect(box, other) == (IntervalSet.span(3, 5), PORTS)

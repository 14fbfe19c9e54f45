"""The evaluation engine: first match, chains, stages, uncertainty, exactness."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet as I
from exaudit.core.model import (
    PORTS,
    Chain,
    IfaceMatch,
    Match,
    Origin,
    Rule,
    Stage,
    State,
    Target,
    Verb,
    states,
)
from exaudit.engine.evaluate import Evaluator, Question

TCP = I.point(6)


def o(n: int) -> Origin:
    return Origin("t.rules", n, f"line {n}")


def rule(
    n: int, verb: Verb, chain: str | None = None, unknown: tuple[str, ...] = (), **match: object
) -> Rule:
    return Rule(o(n), Match(**match), Target(verb, chain), unknown)  # type: ignore[arg-type]


def q(src: str = "10.0.0.1", dport: int = 25, **kw: object) -> Question:
    return Question(
        proto=TCP,
        src=addresses.parse(src),
        dst=addresses.parse("10.1.0.10"),
        dport=I.point(dport),
        **kw,
    )  # type: ignore[arg-type]


def builtin(rules: list[Rule], policy: Verb = Verb.DROP, name: str = "FORWARD") -> Chain:
    return Chain(name, rules, Target(policy), o(0))


def one(chains: dict[str, Chain], question: Question, entry: str = "FORWARD"):
    parts = Evaluator().evaluate([Stage(entry, chains, entry)], question).parts
    assert len(parts) == 1, parts
    return parts[0]


def test_first_match_wins() -> None:
    chains = {
        "FORWARD": builtin(
            [rule(1, Verb.DROP, dport=I.point(25)), rule(2, Verb.ACCEPT, dport=I.point(25))],
            Verb.ACCEPT,
        )
    }
    part = one(chains, q())
    assert (part.verdict, part.decided_by.line) == ("deny", 1)


def test_policy_decides_when_nothing_matches() -> None:
    part = one({"FORWARD": builtin([rule(1, Verb.ACCEPT, dport=I.point(80))])}, q())
    assert (part.verdict, part.decided_by.line) == ("deny", 0)


@pytest.mark.parametrize(
    "user_rules, verdict, line",
    [
        ([rule(10, Verb.ACCEPT)], "permit", 10),
        ([rule(10, Verb.RETURN), rule(11, Verb.DROP)], "permit", 2),  # back to line 2
        ([], "permit", 2),  # falls off the end
        ([rule(10, Verb.CONTINUE), rule(11, Verb.DROP)], "deny", 11),  # LOG goes on
    ],
)
def test_jump_and_return(user_rules: list[Rule], verdict: str, line: int) -> None:
    chains = {
        "FORWARD": builtin([rule(1, Verb.JUMP, "u"), rule(2, Verb.ACCEPT)]),
        "u": Chain("u", user_rules),
    }
    part = one(chains, q())
    assert (part.verdict, part.decided_by.line) == (verdict, line)


def test_goto_returns_to_the_caller_of_the_caller() -> None:
    chains = {
        "FORWARD": builtin([rule(1, Verb.JUMP, "a"), rule(2, Verb.ACCEPT)]),
        "a": Chain("a", [rule(10, Verb.GOTO, "b"), rule(11, Verb.DROP)]),
        "b": Chain("b", [rule(20, Verb.RETURN)]),
    }
    part = one(chains, q())
    assert (part.verdict, part.decided_by.line) == ("permit", 2)
    assert [s.verdict for s in part.path] == ["jump a", "goto b", "return", "permit"]


def test_goto_from_the_entry_chain_returns_to_its_policy() -> None:
    chains = {
        "FORWARD": builtin([rule(1, Verb.GOTO, "b"), rule(2, Verb.ACCEPT)]),
        "b": Chain("b", [rule(20, Verb.RETURN)]),
    }
    part = one(chains, q())
    assert (part.verdict, part.decided_by.line) == ("deny", 0)


def test_set_question_is_split_by_source() -> None:
    chains = {"FORWARD": builtin([rule(1, Verb.ACCEPT, src=addresses.parse("10.10.0.0/17"))])}
    result = Evaluator().evaluate([Stage("FORWARD", chains, "FORWARD")], q("10.10.0.0/16"))
    assert addresses.to_cidrs(result.addresses("permit")) == ["10.10.0.0/17"]
    assert addresses.to_cidrs(result.addresses("deny")) == ["10.10.128.0/17"]


def test_every_stage_must_permit() -> None:
    a = {"in": Chain("in", [rule(1, Verb.ACCEPT)], Target(Verb.DROP), None)}
    b = {
        "out": Chain(
            "out",
            [rule(5, Verb.DROP, src=addresses.parse("10.0.0.0/24"))],
            Target(Verb.ACCEPT),
            None,
        )
    }
    stages = [Stage("in A", a, "in"), Stage("out B", b, "out")]
    result = Evaluator().evaluate(stages, q("10.0.0.0/23"))
    deny = result.by_verdict("deny")
    assert [p.decided_by.line for p in deny] == [5]
    assert [s.stage for s in deny[0].path] == ["in A", "out B"]
    assert addresses.to_cidrs(result.addresses("permit")) == ["10.0.1.0/24"]


@pytest.mark.parametrize(
    "after, verdict",
    [
        (Verb.ACCEPT, "undetermined"),  # matched: DROP, not matched: ACCEPT
        (Verb.DROP, "deny"),  # both worlds deny: the line cannot change the verdict
    ],
)
def test_unmodelled_match_is_explored_both_ways(after: Verb, verdict: str) -> None:
    chains = {"FORWARD": builtin([rule(1, Verb.DROP, unknown=("-m recent",)), rule(2, after)])}
    part = one(chains, q())
    assert part.verdict == verdict
    if verdict == "undetermined":
        assert [d.line for d in part.depends_on] == [1]


def test_unknown_line_makes_what_it_could_match_undetermined() -> None:
    chains = {
        "FORWARD": builtin(
            [rule(1, Verb.UNKNOWN, unknown=("unparsed",), dport=I.point(25)), rule(2, Verb.ACCEPT)]
        )
    }
    assert one(chains, q(dport=25)).verdict == "undetermined"
    assert one(chains, q(dport=26)).verdict == "permit"


def test_interface_wildcards_negation_and_unspecified() -> None:
    chains = {
        "INPUT": builtin(
            [
                rule(1, Verb.ACCEPT, iif=IfaceMatch(("lo",))),
                rule(2, Verb.DROP, iif=IfaceMatch(("eth+",), negated=True)),
                rule(3, Verb.ACCEPT),
            ],
            name="INPUT",
        )
    }
    stage = [Stage("INPUT", chains, "INPUT")]
    ev = Evaluator()
    assert ev.evaluate(stage, q(in_iface="eth7")).parts[0].decided_by.line == 3
    assert ev.evaluate(stage, q(in_iface="ppp0")).parts[0].decided_by.line == 2
    # unspecified: any interface but the loopback, so eth+ and the rest split
    parts = ev.evaluate(stage, q()).parts
    assert sorted((p.decided_by.line, p.describe_ifaces()[0]) for p in parts) == [
        (2, "any but eth+, lo"),
        (3, "eth+"),
    ]


def test_state_dimension() -> None:
    chains = {
        "FORWARD": builtin([rule(1, Verb.ACCEPT, state=states(State.ESTABLISHED, State.RELATED))])
    }
    assert one(chains, q(state=states(State.NEW))).verdict == "deny"
    assert one(chains, q(state=states(State.ESTABLISHED))).verdict == "permit"


# --- exactness: the set evaluation agrees with a naive packet-by-packet interpreter -----

SMALL = 7  # source addresses 0..7, ports 0..7


def naive(chains: dict[str, Chain], entry: str, src: int, dport: int) -> tuple[str, int]:
    def run(name: str, depth: int) -> tuple[str, int] | None:
        for r in chains[name].rules:
            m = r.match
            if m.src is not None and src not in m.src:
                continue
            if m.dport is not None and dport not in m.dport:
                continue
            verb = r.target.verb
            if verb in (Verb.ACCEPT, Verb.DROP):
                return ("permit" if verb is Verb.ACCEPT else "deny", r.origin.line)
            if verb is Verb.RETURN:
                return None
            if verb is Verb.JUMP:
                got = run(r.target.chain, depth + 1)
                if got is not None:
                    return got
            if verb is Verb.GOTO:
                return run(r.target.chain, depth + 1)
        return None

    got = run(entry, 0)
    if got is None:
        c = chains[entry]
        return ("permit" if c.default.verb is Verb.ACCEPT else "deny", c.default_origin.line)
    return got


def small_set() -> st.SearchStrategy[I | None]:
    return st.one_of(
        st.none(),
        st.tuples(st.integers(0, SMALL), st.integers(0, SMALL)).map(
            lambda t: I.span(min(t), max(t))
        ),
    )


@st.composite
def rulesets(draw: st.DrawFn) -> dict[str, Chain]:
    names = ["FORWARD", "a", "b"]
    chains: dict[str, Chain] = {}
    line = 1
    for depth, name in enumerate(names):
        rules = []
        for _ in range(draw(st.integers(0, 5))):
            verbs = [Verb.ACCEPT, Verb.DROP, Verb.RETURN, Verb.CONTINUE]
            later = names[depth + 1 :]
            if later:
                verbs += [Verb.JUMP, Verb.GOTO]
            verb = draw(st.sampled_from(verbs))
            target = draw(st.sampled_from(later)) if verb in (Verb.JUMP, Verb.GOTO) else None
            rules.append(
                Rule(
                    o(line),
                    Match(src=draw(small_set()), dport=draw(small_set())),
                    Target(verb, target),
                )
            )
            line += 1
        chains[name] = (
            Chain(name, rules, Target(draw(st.sampled_from([Verb.ACCEPT, Verb.DROP]))), o(0))
            if name == "FORWARD"
            else Chain(name, rules)
        )
    return chains


@pytest.mark.parametrize("indexed", [False, True])
@settings(max_examples=150, deadline=None)
@given(chains=rulesets())
def test_set_evaluation_equals_packet_by_packet(indexed: bool, chains: dict[str, Chain]) -> None:
    import exaudit.engine.evaluate as engine

    engine.MIN_RULES = 1 if indexed else 10**9
    question = Question(
        proto=TCP,
        src=I.span(0, SMALL),
        dst=addresses.parse("10.1.0.10"),
        dport=I.span(0, SMALL),
        sport=PORTS,
    )
    parts = Evaluator().evaluate([Stage("FORWARD", chains, "FORWARD")], question).parts
    seen = 0
    for part in parts:
        for (a, b), (c, d) in itertools.product(part.dim("src").spans, part.dim("dport").spans):
            for src in range(a, b + 1):
                for dport in range(c, d + 1):
                    seen += 1
                    assert (part.verdict, part.decided_by.line) == naive(
                        chains, "FORWARD", src, dport
                    )
    assert seen == (SMALL + 1) ** 2  # the parts partition the question exactly
    engine.MIN_RULES = 64


@pytest.mark.parametrize("dport", [25, 80, 1023, 1024, 5000, 65535])
def test_index_agrees_with_a_full_scan_on_a_long_chain(dport: int) -> None:
    import random

    import exaudit.engine.evaluate as engine

    rng = random.Random(dport)
    rules = []
    for n in range(1, 400):
        ports = rng.choice(
            [
                None,
                I.point(rng.choice([25, 80, 1024, 5000])),
                I.span(1024, 65535),
                I.of([25, 80, 443]),
            ]
        )
        dst = rng.choice(
            [
                None,
                addresses.parse("10.1.0.10"),
                addresses.parse("10.1.0.0/24"),
                addresses.parse("10.2.0.0/16"),
            ]
        )
        rules.append(
            rule(
                n,
                rng.choice([Verb.ACCEPT, Verb.DROP, Verb.CONTINUE]),
                dport=ports,
                dst=dst,
                src=rng.choice([None, addresses.parse("10.0.0.0/25")]),
            )
        )
    chains = {"FORWARD": builtin(rules)}
    question = q("10.0.0.0/24", dport=dport)
    answers = []
    for minimum in (10**9, 1):
        engine.MIN_RULES = minimum
        parts = Evaluator().evaluate([Stage("FORWARD", chains, "FORWARD")], question).parts
        answers.append(
            sorted((p.verdict, p.decided_by.line, addresses.to_cidrs(p.src)[0]) for p in parts)
        )
    engine.MIN_RULES = 64
    assert answers[0] == answers[1]


def test_a_question_too_costly_is_undetermined_not_a_hang() -> None:
    import exaudit.engine.evaluate as engine

    # every rule cuts the question in two dimensions, so the pieces multiply
    rules = [
        rule(
            n,
            Verb.ACCEPT if n % 2 else Verb.DROP,
            dport=I.point(n),
            src=addresses.parse(f"10.0.{n // 256}.{n % 256}"),
        )
        for n in range(1, 1000)
    ]
    chains = {"FORWARD": builtin(rules)}
    old = engine.MAX_ITEMS
    engine.MAX_ITEMS = 200
    question = Question(
        proto=TCP,
        src=addresses.parse("10.0.0.0/16"),
        dst=addresses.parse("10.1.0.10"),
        dport=I.span(0, 1000),
    )
    try:
        parts = Evaluator().evaluate([Stage("FORWARD", chains, "FORWARD")], question).parts
    finally:
        engine.MAX_ITEMS = old
    unsure = [p for p in parts if p.verdict == "undetermined"]
    assert unsure and all(p.decided_by is None for p in unsure)
    covered = sum(p.src.size() * p.dim("dport").size() for p in parts)
    assert covered == (1 << 16) * 1001  # still a partition of the whole question

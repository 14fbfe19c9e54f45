"""Exact evaluation of packet sets through ordered stages of first-match chains.

A question is a box of packets (one exact set per dimension). The engine walks it through
each stage's entry chain rule by rule; every rule splits the box into the part it matches
and the part that goes on, so the answer is a partition of the question into parts, each
with its verdict, the line that decided it, and the path it took (chains, jumps, stages).

Semantics handled here, once, for every platform: first match; jump, goto and return
(falling off a user chain returns, falling off an entry chain takes its default); non-
terminating targets; and several stages in a row (a packet must be permitted by each).
pf's last-match is turned into first match by its parser. A rule with a condition
exaudit does not model is explored both ways, matched and not matched; where the two
worlds disagree the part is ``undetermined`` and names the line.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from exaudit.core import addresses
from exaudit.core.ifaces import Universe
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import (
    FLAGS,
    PORTS,
    STATES,
    TERMINAL_VERDICTS,
    Chain,
    Match,
    Origin,
    Rule,
    Stage,
    Target,
    Verb,
)
from exaudit.engine.boxes import (
    DIMS,
    Box,
    intersect,
    patterns_of,
    rule_box,
    subtract,
)
from exaudit.engine.boxes import may_meet as _may_meet
from exaudit.engine.ruleindex import MIN_RULES, ChainIndex

__all__ = ["DIMS", "Box", "Evaluator", "Question", "intersect", "patterns_of", "subtract"]

_D = {name: i for i, name in enumerate(DIMS)}

# Budgets that keep a pathological question from hanging: past them the rest of the
# question is reported undetermined, never guessed.
MAX_FORKS = 16
MAX_ITEMS = 400_000
# ... and a wall-clock budget per question, so that no input can make exaudit hang.
MAX_SECONDS = 60.0


class EvaluationError(Exception):
    """A ruleset the engine cannot run (a jump to a chain that does not exist)."""


@dataclass(frozen=True)
class Question:
    """A set of packets; ``in_iface``/``out_iface`` ``None`` means any non-loopback one."""

    proto: IntervalSet
    src: IntervalSet
    dst: IntervalSet
    dport: IntervalSet = PORTS
    sport: IntervalSet = PORTS
    flags: IntervalSet = FLAGS
    state: IntervalSet = STATES
    in_iface: str | None = None
    out_iface: str | None = None


@dataclass(frozen=True)
class Step:
    """One decision on the way: a stage, the chain, the rule or default line, the verdict."""

    stage: str
    chain: str
    verdict: str  # permit, deny, jump, goto, return, undetermined
    origin: Origin | None
    stateful: bool = False  # the permit creates state for the replies (pf, ASA)


@dataclass
class Part:
    """A piece of the question with one verdict."""

    box: Box
    verdict: str  # permit | deny | undetermined
    decided_by: Origin | None
    path: tuple[Step, ...]
    depends_on: tuple[Origin, ...] = ()
    universe: Universe | None = field(default=None, repr=False)

    def dim(self, name: str) -> IntervalSet:
        return self.box[_D[name]]

    @property
    def src(self) -> IntervalSet:
        return self.box[_D["src"]]

    def describe_ifaces(self) -> tuple[str, str]:
        assert self.universe is not None
        return (
            self.universe.describe(self.box[_D["iif"]]),
            self.universe.describe(self.box[_D["oif"]]),
        )


@dataclass
class Result:
    parts: list[Part]

    def by_verdict(self, verdict: str) -> list[Part]:
        return [p for p in self.parts if p.verdict == verdict]

    def addresses(self, verdict: str, dim: str = "src") -> IntervalSet:
        out = IntervalSet()
        for p in self.parts:
            if p.verdict == verdict:
                out = out | p.dim(dim)
        return out

    @property
    def verdicts(self) -> set[str]:
        return {p.verdict for p in self.parts}

    def restricted(self, dim: str, values: IntervalSet) -> Result:
        """The same answer for the part of the question whose ``dim`` lies in ``values``."""
        d = _D[dim]
        parts = []
        for p in self.parts:
            inside = p.box[d] & values
            if inside:
                box = p.box[:d] + (inside,) + p.box[d + 1 :]
                parts.append(Part(box, p.verdict, p.decided_by, p.path, p.depends_on, p.universe))
        return Result(parts)


# --- compilation ------------------------------------------------------------------------


@dataclass(slots=True)
class _CompiledRule:
    rule: Rule
    box: Box


@dataclass
class _CompiledChain:
    chain: Chain
    rules: list[_CompiledRule]
    index: ChainIndex | None = None
    indexed: bool = False
    # questions about one server and port recur (many sources, both directions)
    memo: dict[tuple[IntervalSet, IntervalSet], list[int] | None] = field(default_factory=dict)

    def candidates(self, box: Box) -> list[int] | None:
        """Positions of the rules that may meet ``box``; None means every rule."""
        if not self.indexed:
            self.indexed = True
            if len(self.rules) >= MIN_RULES:
                self.index = ChainIndex(
                    [cr.box for cr in self.rules], (_D["dport"], _D["dst"]), (PORTS, addresses.ALL)
                )
        if self.index is None:
            return None
        key = (box[_D["dport"]], box[_D["dst"]])
        if key not in self.memo:
            if len(self.memo) > 4096:
                self.memo.clear()
            self.memo[key] = self.index.candidates(box)
        return self.memo[key]


class _Compiled:
    """A ruleset's chains, each compiled on first use (a question walks few of them)."""

    def __init__(self, chains: dict[str, Chain], universe: Universe) -> None:
        self.chains = chains
        self.universe = universe
        self.done: dict[str, _CompiledChain] = {}

    def get(self, name: str) -> _CompiledChain | None:
        hit = self.done.get(name)
        if hit is None:
            chain = self.chains.get(name)
            if chain is None:
                return None
            universe = self.universe
            hit = _CompiledChain(
                chain, [_CompiledRule(r, rule_box(r.match, universe)) for r in chain.rules]
            )
            self.done[name] = hit
        return hit

    def __getitem__(self, name: str) -> _CompiledChain:
        hit = self.get(name)
        if hit is None:
            raise KeyError(name)
        return hit

    def items(self) -> list[tuple[str, _CompiledChain]]:
        return [(name, self[name]) for name in self.chains]


class Evaluator:
    """Evaluates questions against stages; compiles each chain set once per name universe."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._names: set[str] = set(names)
        self._patterns: set[str] = set(self._names)
        self._universe = Universe(self._patterns)
        self._compiled: dict[int, tuple[dict[str, Chain], _Compiled]] = {}

    def _ensure(self, stages: Sequence[Stage], question: Question) -> None:
        wanted = set()
        for stage in stages:
            if id(stage.chains) not in self._compiled:
                wanted |= patterns_of(stage.chains.values())
        for name in (question.in_iface, question.out_iface):
            if name:
                wanted.add(name)
        if not wanted <= self._patterns:
            self._patterns |= wanted
            self._universe = Universe(self._patterns)
            self._compiled.clear()

    def _chains(self, chains: dict[str, Chain]) -> _Compiled:
        hit = self._compiled.get(id(chains))
        if hit is None:
            hit = (chains, _Compiled(chains, self._universe))
            self._compiled[id(chains)] = hit
        return hit[1]

    @property
    def universe(self) -> Universe:
        return self._universe

    def full_box(self) -> Box:
        """The box of a rule that restricts nothing."""
        return rule_box(Match(), self._universe)

    def rule_boxes(self, chains: dict[str, Chain]) -> dict[str, list[tuple[Rule, Box]]]:
        """Each chain's rules with the exact box each one matches (for rule analyses)."""
        return {
            name: [(cr.rule, cr.box) for cr in compiled.rules]
            for name, compiled in self._chains(chains).items()
        }

    def question_box(self, q: Question) -> Box:
        u = self._universe
        iif = IntervalSet.point(u.atom(q.in_iface)) if q.in_iface else u.unspecified()
        oif = IntervalSet.point(u.atom(q.out_iface)) if q.out_iface else u.unspecified()
        values = {
            "proto": q.proto,
            "src": q.src,
            "dst": q.dst,
            "sport": q.sport,
            "dport": q.dport,
            "flags": q.flags,
            "state": q.state,
            "iif": iif,
            "oif": oif,
        }
        return tuple(values[name] for name in DIMS)

    def evaluate(self, stages: Sequence[Stage], question: Question) -> Result:
        """Partition ``question`` by verdict through ``stages`` (all must permit)."""
        self._ensure(stages, question)
        compiled = [self._chains(stage.chains) for stage in stages]
        box = self.question_box(question)
        outcomes = _Walk(stages, compiled).run(box)
        parts = _resolve(outcomes)
        for p in parts:
            p.universe = self._universe
        return Result(parts)


# --- the walk ---------------------------------------------------------------------------

# A frame of the call stack: the chain to resume and the index of its next rule.
Frame = tuple[str, int]


@dataclass
class _Outcome:
    box: Box
    verdict: str
    origin: Origin | None
    path: tuple[Step, ...]
    assumed: tuple[tuple[Origin, bool], ...]


class _Walk:
    def __init__(self, stages: Sequence[Stage], compiled: list[_Compiled]):
        self.stages = stages
        self.compiled = compiled
        self.outcomes: list[_Outcome] = []
        self.items = 0
        # candidate positions per (stage, chain) for the question's box; every box of
        # this walk lies inside it, so the candidates stay a superset of what can match
        self.cands: dict[tuple[int, str], list[int] | None] = {}
        self.root: Box | None = None

    def run(self, box: Box) -> list[_Outcome]:
        self.root = box
        if not self.stages:
            self.outcomes.append(_Outcome(box, "permit", None, (), ()))
            return self.outcomes
        todo: list[
            tuple[
                Box,
                int,
                str,
                int,
                tuple[Frame, ...],
                tuple[Step, ...],
                tuple[tuple[Origin, bool], ...],
            ]
        ] = [(box, 0, self.stages[0].entry, 0, (), (), ())]
        deadline = time.monotonic() + MAX_SECONDS
        exhausted = False
        while todo:
            self.items += 1
            item = todo.pop()
            if not exhausted and self.items % 256 == 0:
                exhausted = time.monotonic() > deadline
            if exhausted or self.items > MAX_ITEMS:
                self._give_up(item[0], item[5], item[6])
                continue
            self._walk(*item, todo=todo)
        return self.outcomes

    def _give_up(self, box: Box, path: tuple[Step, ...], assumed: tuple) -> None:
        self.outcomes.append(_Outcome(box, "undetermined", None, path, assumed))

    def _walk(
        self,
        box: Box,
        stage_i: int,
        chain_name: str,
        index: int,
        stack: tuple[Frame, ...],
        path: tuple[Step, ...],
        assumed: tuple[tuple[Origin, bool], ...],
        todo: list,
    ) -> None:
        chains = self.compiled[stage_i]
        chain = chains.get(chain_name)
        if chain is None:
            raise EvaluationError(f"chain {chain_name!r} is not defined")
        rules = chain.rules
        key = (stage_i, chain_name)
        if key not in self.cands:
            assert self.root is not None
            self.cands[key] = chain.candidates(self.root)
        cands = self.cands[key]
        positions: Iterable[int] = (
            range(index, len(rules)) if cands is None else cands[bisect_left(cands, index) :]
        )
        for position in positions:
            cr = rules[position]
            i = position + 1
            if not _may_meet(box, cr.box):
                continue
            inter = intersect(box, cr.box)
            if inter is None:
                continue
            rest = subtract(box, cr.box)
            rule = cr.rule
            here = (chain_name, i)
            if rule.uncertain:
                if len(assumed) >= MAX_FORKS:
                    self._give_up(inter, path, assumed + ((rule.origin, True),))
                else:
                    # world where the unmodelled condition does not hold: go on
                    todo.append(
                        (
                            inter,
                            stage_i,
                            chain_name,
                            i,
                            stack,
                            path,
                            assumed + ((rule.origin, False),),
                        )
                    )
                    self._act(
                        inter,
                        rule.target,
                        rule.origin,
                        stage_i,
                        chain_name,
                        here,
                        stack,
                        path,
                        assumed + ((rule.origin, True),),
                        todo,
                        rule.stateful,
                    )
            else:
                self._act(
                    inter,
                    rule.target,
                    rule.origin,
                    stage_i,
                    chain_name,
                    here,
                    stack,
                    path,
                    assumed,
                    todo,
                    rule.stateful,
                )
            if not rest:
                return
            box = rest[0]
            for extra in rest[1:]:
                todo.append((extra, stage_i, chain_name, i, stack, path, assumed))
        # fell off the end
        c = chain.chain
        if c.default is None:
            self._return(box, stage_i, stack, path, assumed, todo, None, chain_name)
        else:
            self._terminal(
                box,
                c.default,
                c.default_origin,
                stage_i,
                chain_name,
                path,
                assumed,
                todo,
                policy=True,
            )

    def _act(
        self,
        box: Box,
        target: Target,
        origin: Origin,
        stage_i: int,
        chain_name: str,
        here: Frame,
        stack: tuple[Frame, ...],
        path: tuple[Step, ...],
        assumed: tuple,
        todo: list,
        stateful: bool = False,
    ) -> None:
        verb = target.verb
        label = self.stages[stage_i].label
        if verb is Verb.CONTINUE:
            todo.append((box, stage_i, here[0], here[1], stack, path, assumed))
        elif verb in TERMINAL_VERDICTS:
            self._terminal(
                box, target, origin, stage_i, chain_name, path, assumed, todo, stateful=stateful
            )
        elif verb is Verb.JUMP:
            assert target.chain is not None
            step = Step(label, chain_name, "jump " + target.chain, origin)
            todo.append((box, stage_i, target.chain, 0, stack + (here,), path + (step,), assumed))
        elif verb is Verb.GOTO:
            assert target.chain is not None
            step = Step(label, chain_name, "goto " + target.chain, origin)
            todo.append((box, stage_i, target.chain, 0, stack, path + (step,), assumed))
        elif verb is Verb.RETURN:
            self._return(box, stage_i, stack, path, assumed, todo, origin, chain_name)
        elif verb is Verb.UNKNOWN:
            step = Step(label, chain_name, "undetermined", origin)
            self.outcomes.append(
                _Outcome(box, "undetermined", origin, path + (step,), assumed + ((origin, True),))
            )
        else:  # pragma: no cover - Verb is closed
            raise AssertionError(verb)

    def _return(
        self,
        box: Box,
        stage_i: int,
        stack: tuple[Frame, ...],
        path: tuple[Step, ...],
        assumed: tuple,
        todo: list,
        origin: Origin | None,
        chain_name: str,
    ) -> None:
        label = self.stages[stage_i].label
        if stack:
            caller, resume = stack[-1]
            step = Step(label, chain_name, "return", origin)
            todo.append((box, stage_i, caller, resume, stack[:-1], path + (step,), assumed))
            return
        # returning from the entry chain (or a chain reached from it by goto): its default
        entry = self.compiled[stage_i][self.stages[stage_i].entry].chain
        if origin is not None:
            path = path + (Step(label, chain_name, "return", origin),)
        if entry.default is None:
            raise EvaluationError(f"entry chain {entry.name!r} has no default")
        self._terminal(
            box,
            entry.default,
            entry.default_origin,
            stage_i,
            entry.name,
            path,
            assumed,
            todo,
            policy=True,
        )

    def _terminal(
        self,
        box: Box,
        target: Target,
        origin: Origin | None,
        stage_i: int,
        chain_name: str,
        path: tuple[Step, ...],
        assumed: tuple,
        todo: list,
        policy: bool = False,
        stateful: bool = False,
    ) -> None:
        verdict = TERMINAL_VERDICTS[target.verb]
        step = Step(self.stages[stage_i].label, chain_name, verdict, origin, stateful)
        path = path + (step,)
        if verdict == "permit" and stage_i + 1 < len(self.stages):
            nxt = stage_i + 1
            todo.append((box, nxt, self.stages[nxt].entry, 0, (), path, assumed))
            return
        self.outcomes.append(_Outcome(box, verdict, origin, path, assumed))


# --- resolving the worlds of uncertain rules --------------------------------------------


def _resolve(outcomes: list[_Outcome]) -> list[Part]:
    sure = [o for o in outcomes if not o.assumed and o.verdict != "undetermined"]
    unsure = [o for o in outcomes if o.assumed or o.verdict == "undetermined"]
    parts = [Part(o.box, o.verdict, o.origin, o.path) for o in sure]
    if not unsure:
        return parts
    # Overlay the worlds: each piece of space collects the outcomes of every world.
    pieces: list[tuple[Box, list[_Outcome]]] = []
    for o in unsure:
        remaining = [o.box]
        new_pieces: list[tuple[Box, list[_Outcome]]] = []
        for pbox, members in pieces:
            inter = intersect(pbox, o.box)
            if inter is None:
                new_pieces.append((pbox, members))
                continue
            new_pieces.append((inter, members + [o]))
            for rest in subtract(pbox, o.box):
                new_pieces.append((rest, members))
            remaining = [r for piece in remaining for r in subtract(piece, pbox)]
        for r in remaining:
            new_pieces.append((r, [o]))
        pieces = new_pieces
    for pbox, members in pieces:
        verdicts = {m.verdict for m in members}
        # the world in which the fewest unmodelled conditions held is the natural reading
        best = min(members, key=lambda m: sum(1 for _, held in m.assumed if held))
        lines = tuple(dict.fromkeys(origin for m in members for origin, _ in m.assumed))
        if len(verdicts) == 1 and "undetermined" not in verdicts:
            parts.append(Part(pbox, best.verdict, best.origin, best.path, ()))
        else:
            decided = lines[0] if lines else best.origin
            parts.append(Part(pbox, "undetermined", decided, best.path, lines))
    return parts

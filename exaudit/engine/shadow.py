"""Rules that can never match: everything they match is decided earlier in their chain.

One walk down each chain (the filter-line reachability of Batfish, with the set of packets
still undecided kept implicitly as the earlier rules that decide something): rule ``i`` is
dead exactly when its box lies inside the union of the boxes of the earlier live rules
that decide (certain, and leaving the chain); a live deciding rule then joins that union.
Dead rules add nothing to it and are never looked at again, so a chain whose catch-all
comes early costs one containment test per rule. Whether a box is inside the union is
settled exactly: a single covering rule, else an uncovered corner as a witness, else
the box cut by each rule that meets it until nothing or something is left. The blocking
lines are computed for dead rules only: the earlier live rules that decide part of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from exaudit.core.model import Origin, Rule, Ruleset, Verb
from exaudit.engine.boxes import Box, intersect, may_meet, patterns_of, subtract
from exaudit.engine.evaluate import Evaluator
from exaudit.engine.ruleindex import MIN_RULES, GrowingIndex

# Verbs after which a packet leaves the chain's rule list for good (a jump may come back).
_LEAVES = {Verb.ACCEPT, Verb.DROP, Verb.REJECT, Verb.RETURN, Verb.GOTO}
# Past this many pieces a box is too fragmented to settle: the rule is reported as
# undecided (never as dead, never silently as alive).
MAX_PIECES = 20_000
# A live rule whose decided packets take at most this many boxes keeps them, so that the
# dead rules after it are told apart by one overlap test each.
DECIDED_PIECES = 256


@dataclass(frozen=True)
class Shadowed:
    rule: Rule
    chain: str
    by: tuple[Origin, ...]  # the earlier lines that together take all its packets
    # "shadowed" (by the lines above), "empty" (matches no packet at all) or "undecided"
    # (too fragmented to settle within MAX_PIECES)
    kind: str = "shadowed"


def dead_lines(ruleset: Ruleset) -> list[Shadowed]:
    """Lines none of whose rules any packet reaches (a line may expand to several rules,
    in several chains; it is dead only when every one of them is)."""
    found = shadowed_rules(ruleset)
    dead = {id(s.rule) for s in found}
    alive = {r.origin for c in ruleset.chains.values() for r in c.rules if id(r) not in dead}
    out: dict[Origin, Shadowed] = {}
    for s in found:  # of a line's rules, an undecided one is the one to name
        origin = s.rule.origin
        if origin not in alive and (origin not in out or s.kind == "undecided"):
            out[origin] = s
    return sorted(out.values(), key=lambda s: s.rule.origin.line)


def shadowed_rules(ruleset: Ruleset) -> list[Shadowed]:
    """Rules of each chain that no packet reaches (earlier rules decide all they match)."""
    evaluator = Evaluator(patterns_of(ruleset.chains.values()))
    full = evaluator.full_box()
    out: list[Shadowed] = []
    for name, rules in evaluator.rule_boxes(ruleset.chains).items():
        out.extend(_Chain(name, rules, full).walk())
    return out


def _deciding(rule: Rule) -> bool:
    return not rule.uncertain and rule.target.verb in _LEAVES


class _Chain:
    """One chain walked once, keeping the live deciding rules met so far."""

    def __init__(self, name: str, rules: list[tuple[Rule, Box]], full: Box) -> None:
        self.name = name
        self.rules = rules
        self.boxes = [box for _, box in rules]
        self.full = full
        self.live: list[int] = []  # positions of the live deciding rules, ascending
        self.index = GrowingIndex(self.boxes, full) if len(rules) >= MIN_RULES else None
        # once a live rule decides every packet, each later rule is dead without a test
        self.closed_at: int | None = None
        # the packets each live rule decides (its box less the earlier live ones), as
        # disjoint pieces, made on first need; None: more than DECIDED_PIECES pieces
        self.decided: dict[int, _Pieces | None] = {}

    def walk(self) -> list[Shadowed]:
        out: list[Shadowed] = []
        for i, (rule, box) in enumerate(self.rules):
            if any(not values.spans for values in box):
                out.append(Shadowed(rule, self.name, (), "empty"))
                continue
            cands = self._meeting(box, i)
            covered = True if self.closed_at is not None else _covered(box, self._boxes(cands))
            if covered is None:
                out.append(Shadowed(rule, self.name, (), "undecided"))
            elif covered:
                out.append(Shadowed(rule, self.name, self._blocking(box, cands)))
                continue
            if _deciding(rule):
                self.live.append(i)
                if self.index is not None:
                    self.index.add(i, box)
                if _contains(box, self.full):
                    self.closed_at = i
        return out

    def _boxes(self, positions: list[int]) -> list[Box]:
        return [self.boxes[k] for k in positions]

    def _meeting(self, box: Box, before: int) -> list[int]:
        """Live deciding rules before position ``before`` that may meet ``box``."""
        # once closed, no rule is added: a few live rules are scanned, not looked up
        scan = self.index is None or (self.closed_at is not None and len(self.live) < MIN_RULES)
        found = self.live if scan or self.index is None else self.index.meeting(box)
        return [k for k in found if k < before and may_meet(box, self.boxes[k])]

    def _decided(self, j: int) -> _Pieces | None:
        if j not in self.decided:
            box = self.boxes[j]
            pieces: list[Box] | None = [box]
            for k in self._meeting(box, j):
                assert pieces is not None
                pieces = [rest for piece in pieces for rest in subtract(piece, self.boxes[k])]
                if len(pieces) > DECIDED_PIECES:
                    pieces = None
                    break
            self.decided[j] = None if pieces is None else _Pieces(pieces, self.full)
        return self.decided[j]

    def _blocking(self, box: Box, cands: list[int]) -> tuple[Origin, ...]:
        """The lines of the live rules that decide some of ``box``: those whose share of it
        the rules before them do not already cover."""
        by: list[Origin] = []
        for n, j in enumerate(cands):
            pieces = self._decided(j)
            if pieces is not None:
                if pieces.meets(box):
                    by.append(self.rules[j][0].origin)
                continue
            part = intersect(box, self.boxes[j])
            if part is None:
                continue
            # undecided (None) counts as deciding some: a line too many, never one too few
            if _covered(part, self._boxes(cands[:n])) is not True:
                by.append(self.rules[j][0].origin)
        return tuple(dict.fromkeys(by))


class _Pieces:
    """Disjoint boxes (what one rule decides), indexed when there are many."""

    def __init__(self, pieces: list[Box], full: Box) -> None:
        self.pieces = pieces
        self.index = None
        if len(pieces) >= MIN_RULES:
            self.index = GrowingIndex(pieces, full)
            for n, piece in enumerate(pieces):
                self.index.add(n, piece)

    def meets(self, box: Box) -> bool:
        pieces = self.pieces
        found = range(len(pieces)) if self.index is None else self.index.meeting(box)
        return any(may_meet(box, pieces[n]) for n in found)


def _contains(outer: Box, inner: Box) -> bool:
    return all(x is y or y.issubset(x) for x, y in zip(outer, inner, strict=True))


def _corners(box: Box) -> list[tuple[int, ...]]:
    return [tuple(v.min() for v in box), tuple(v.max() for v in box)]


def _covered(box: Box, others: Sequence[Box]) -> bool | None:
    """Whether ``box`` lies inside the union of ``others`` (each meeting it); None: the
    pieces passed MAX_PIECES before it was settled."""
    if not others:
        return False
    for corner in _corners(box):  # a witness settles a live rule quickly
        if not any(all(p in v for p, v in zip(corner, o, strict=True)) for o in others):
            return False
    if any(_contains(o, box) for o in others):
        return True
    pieces = [box]
    for other in others:
        pieces = [rest for piece in pieces for rest in subtract(piece, other)]
        if not pieces:
            return True
        if len(pieces) > MAX_PIECES:
            return None
    return False

"""Exact comparison of two rulesets: where, on a packet set, do their verdicts differ?

Used by oracle tests (pfctl's own expansion, a flattened ASA ACL, one policy rendered for
several platforms): both rulesets partition the same question, and every pair of parts
with different verdicts that overlap is a witness of disagreement. No sampling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from exaudit.core import addresses
from exaudit.core.model import Stage
from exaudit.engine.evaluate import (
    DIMS,
    Box,
    Evaluator,
    Part,
    Question,
    intersect,
    patterns_of,
)


@dataclass
class Difference:
    box: Box
    left: Part
    right: Part

    def example(self) -> dict[str, object]:
        """One concrete packet of the differing set, for a readable failure message."""
        values: dict[str, object] = {name: self.box[i].min() for i, name in enumerate(DIMS)}
        values["src"] = addresses.first_address(self.box[DIMS.index("src")])
        values["dst"] = addresses.first_address(self.box[DIMS.index("dst")])
        return values


def differences(
    left: Sequence[Stage], right: Sequence[Stage], question: Question, limit: int = 20
) -> list[Difference]:
    """Overlapping parts of ``question`` on which ``left`` and ``right`` disagree."""
    names = patterns_of(c for s in [*left, *right] for c in s.chains.values())
    names |= {n for n in (question.in_iface, question.out_iface) if n}
    evaluator = Evaluator(names)
    a = evaluator.evaluate(left, question).parts
    b = evaluator.evaluate(right, question).parts
    found: list[Difference] = []
    for pa in a:
        for pb in b:
            if pa.verdict == pb.verdict:
                continue
            box = intersect(pa.box, pb.box)
            if box is not None:
                found.append(Difference(box, pa, pb))
                if len(found) >= limit:
                    return found
    return found

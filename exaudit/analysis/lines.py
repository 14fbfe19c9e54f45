"""A firewall's rule lines by identity, so that moving lines changes nothing in a diff."""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.analysis.context import FirewallAudit
from exaudit.core.model import Origin


def _implicit(chain: str) -> str:
    return f"(the implicit deny ({chain.strip()}))"


@dataclass
class RuleIndex:
    """A ruleset's lines by identity (normalized text and rank among equal texts)."""

    by_line: dict[int, tuple[str, int]] = field(default_factory=dict)
    by_id: dict[tuple[str, int], int] = field(default_factory=dict)
    # a line's place: its chain and how many other lines come before it there (what stays
    # when the line's own text is edited)
    position: dict[int, tuple[str, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, fa: FirewallAudit) -> RuleIndex:
        index = cls()
        for name, chain in fa.ruleset.chains.items():
            lines = list(dict.fromkeys(r.origin.line for r in chain.rules))
            for place, line in enumerate(lines):
                index.position.setdefault(line, (name, place))
            if chain.default_origin is not None:
                index.position.setdefault(chain.default_origin.line, (name, len(lines)))
        origins = [r.origin for r in fa.ruleset.rules()]
        origins += [c.default_origin for c in fa.ruleset.chains.values() if c.default_origin]
        seen: dict[str, int] = {}
        for o in sorted(set(origins), key=lambda o: o.line):
            text = " ".join(o.text.split())
            rank = seen.get(text, 0)
            seen[text] = rank + 1
            index.by_line[o.line] = (text, rank)
            index.by_id[(text, rank)] = o.line
        return index

    def identity(self, origin: Origin | None, chain: str) -> tuple[str, int]:
        if origin is None:
            return (_implicit(chain), 0)
        return self.by_line.get(origin.line, (" ".join(origin.text.split()), 0))

"""A rule as read (its sets per dimension, interfaces, verdicts) turned into model rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.core.intervals import IntervalSet
from exaudit.core.model import IfaceMatch, Match, Origin, Rule, Target, Verb
from exaudit.platforms.nftables.lexer import WORD, Token
from exaudit.platforms.nftables.values import PORT_PROTOCOLS


@dataclass
class Parts:
    """What one rule says, as read so far."""

    dims: dict[str, IntervalSet] = field(default_factory=dict)
    iif: IfaceMatch | None = None
    oif: IfaceMatch | None = None
    unknown: list[str] = field(default_factory=list)
    any_l4: bool = False
    target: Target | None = None
    # one verdict map or concatenated set: per element, its sets and its verdict
    alternatives: list[tuple[dict[str, IntervalSet], Target | None]] | None = None

    def restrict(self, dim: str, got: IntervalSet) -> None:
        self.dims[dim] = self.dims[dim] & got if dim in self.dims else got


def bits(words: list[str]) -> int:
    from exaudit.platforms.nftables.values import tcp_flag_bits

    return tcp_flag_bits(words)


def split(toks: list[Token], sep: str) -> list[list[Token]]:
    out: list[list[Token]] = [[]]
    for t in toks:
        if t.text == sep and t.kind == WORD:
            out.append([])
        else:
            out[-1].append(t)
    return out


def iface_pattern(name: str, wildcards: bool) -> str | None:
    """An nft interface name as an IfaceMatch pattern (``eth*`` -> ``eth+``)."""
    if not name or name.endswith("+") or name.isdigit():
        return None  # a literal '+' would read as a prefix; a number is an index
    if name.endswith("*") and wildcards and not name.endswith("\\*"):
        return name[:-1] + "+"
    return None if "*" in name and wildcards else name


def model_rules(parts: Parts, origin: Origin) -> list[Rule]:
    target = parts.target or Target(Verb.CONTINUE, name="(no verdict)")
    unknown = tuple(parts.unknown)
    alternatives = parts.alternatives or [({}, None)]
    out = []
    for dims, alt_target in alternatives:
        merged = dict(parts.dims)
        for dim, s in dims.items():
            merged[dim] = merged[dim] & s if dim in merged else s
        chosen = alt_target or target
        if parts.any_l4:
            out += _transport(merged, parts, origin, chosen, unknown)
        else:
            out.append(Rule(origin, _match(merged, parts), chosen, unknown))
    return out


def _transport(
    dims: dict[str, IntervalSet], parts: Parts, origin: Origin, target: Target, unknown: tuple
) -> list[Rule]:
    """``th dport``: exact for protocols with ports, unknown for the others."""
    proto = dims.get("proto")
    with_ports = dict(dims, proto=(proto & PORT_PROTOCOLS) if proto is not None else PORT_PROTOCOLS)
    rules = [Rule(origin, _match(with_ports, parts), target, unknown)]
    others = (proto - PORT_PROTOCOLS) if proto is not None else None
    if others is None or others:
        rest = {k: v for k, v in dims.items() if k not in ("sport", "dport")}
        if others is not None:
            rest["proto"] = others
        else:
            rest["proto"] = IntervalSet.span(0, 255) - PORT_PROTOCOLS
        rules.append(
            Rule(
                origin,
                _match(rest, parts),
                target,
                unknown + ("th ports of a protocol without ports",),
            )
        )
    return rules


def _match(dims: dict[str, IntervalSet], parts: Parts) -> Match:
    return Match(
        proto=dims.get("proto"),
        src=dims.get("src"),
        dst=dims.get("dst"),
        sport=dims.get("sport"),
        dport=dims.get("dport"),
        flags=dims.get("flags"),
        state=dims.get("state"),
        iif=parts.iif,
        oif=parts.oif,
    )

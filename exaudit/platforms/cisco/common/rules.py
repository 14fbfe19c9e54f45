"""An ACE's boxes as model rules: one per service box and address part."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import Chain, Match, Origin, Rule, Target, Verb
from exaudit.platforms.cisco.common.addr import Addr, Service
from exaudit.platforms.cisco.common.tokens import TCP_ONLY


def _dim(spans: IntervalSet) -> IntervalSet | None:
    return None if spans == addresses.ALL else spans


def _address_parts(
    addr: Addr, space: IntervalSet
) -> list[tuple[IntervalSet | None, tuple[str, ...]]]:
    parts: list[tuple[IntervalSet | None, tuple[str, ...]]] = []
    spans = addr.spans & space
    if spans:
        parts.append((_dim(spans), ()))
    if addr.unknown:
        # what an unresolved part matches is unknown: the whole space, flagged
        parts.append((_dim(space), tuple(dict.fromkeys(addr.unknown))))
    return parts


def build_rules(
    origin: Origin,
    target: Target,
    services: Iterable[Service],
    src: Addr,
    dst: Addr,
    *,
    flags: IntervalSet | None = None,
    unknown: tuple[str, ...] = (),
    stateful: bool = False,
    space: IntervalSet = addresses.ALL,
) -> list[Rule]:
    """The rules of one ACE: one per service box and resolved/unresolved address part.

    ``space`` is the address family the list filters (an IOS ``ip access-list`` sees only
    IPv4 packets): every rule stays inside it, even where its addresses are unknown.
    """
    out: list[Rule] = []
    for svc in services:
        norm = svc.normalized()
        if norm is None:
            continue
        proto = norm.proto
        if flags is not None:
            proto = TCP_ONLY if proto is None else proto & TCP_ONLY
            if not proto:
                continue
        for s_set, s_unknown in _address_parts(src, space):
            for d_set, d_unknown in _address_parts(dst, space):
                match = Match(
                    proto=proto,
                    src=s_set,
                    dst=d_set,
                    sport=norm.sport,
                    dport=norm.dport,
                    flags=flags,
                )
                why = tuple(dict.fromkeys(norm.unknown + s_unknown + d_unknown + unknown))
                out.append(
                    Rule(origin, match, target, why, stateful and target.verb is Verb.ACCEPT)
                )
    return out


def doubtful(rules: Iterable[Rule], why: str) -> list[Rule]:
    """An entry's rules when the entry may no longer be in its list (or never got in).

    Each rule becomes uncertain: the engine explores it matched and not matched, which is
    exactly "present or absent"; verdicts that differ between the two are undetermined.
    """
    return [replace(r, unknown=tuple(dict.fromkeys(r.unknown + (why,)))) for r in rules]


def unknown_rule(
    origin: Origin,
    verb: Verb | None,
    why: str,
    stateful: bool = False,
    space: IntervalSet = addresses.ALL,
) -> Rule:
    """A line not understood: it may match anything; what it does is its verb, if known."""
    match = Match(src=_dim(space), dst=_dim(space))
    if verb is None:
        return Rule(origin, match, Target(Verb.UNKNOWN, name="not understood"), (why,))
    target = Target(verb, name="permit" if verb is Verb.ACCEPT else "deny")
    return Rule(origin, match, target, (why,), stateful and verb is Verb.ACCEPT)


def acl_chain(name: str) -> Chain:
    return Chain(name, [], Target(Verb.DROP, name="implicit deny"), None)


PERMIT = Target(Verb.ACCEPT, name="permit")
DENY = Target(Verb.DROP, name="deny")
ACTIONS = {"permit": PERMIT, "deny": DENY}

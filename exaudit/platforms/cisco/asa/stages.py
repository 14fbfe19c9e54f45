"""What a packet meets on an ASA: access-groups, the global list, security levels."""

from __future__ import annotations

from dataclasses import replace

from exaudit.core.errors import InputError
from exaudit.core.model import Chain, Match, Origin, Rule, Ruleset, Stage, Target, Verb
from exaudit.platforms.cisco import common as cc
from exaudit.platforms.cisco.asa.model import AsaRuleset, Binding, Interface, asa_ruleset
from exaudit.platforms.cisco.common import cached_stages


def _origin(ruleset: AsaRuleset, index: int | None) -> Origin | None:
    if index is None:
        return None
    return Origin(ruleset.file, index + 1, ruleset.line_text(index))


def resolve_interface(ruleset: AsaRuleset, name: str) -> Interface:
    """A nameif (as the contract's topologies use), or a hardware name or abbreviation."""
    ifaces = ruleset.interfaces
    named = [i for i in ifaces.values() if i.nameif]
    for iface in named:
        if iface.nameif == name:
            return iface
    lowered = [i for i in named if (i.nameif or "").lower() == name.lower()]
    if len(lowered) == 1:
        return lowered[0]
    full, candidates = cc.resolve_interface(name, ifaces)
    if full is not None:
        if not ifaces[full].nameif:
            raise InputError(
                ruleset.file, None, f"interface {full} has no nameif: it passes no traffic"
            )
        return ifaces[full]
    if candidates:
        raise InputError(
            ruleset.file, None, f"interface {name} is ambiguous: {', '.join(candidates)}"
        )
    known = ", ".join(sorted(i.nameif for i in named if i.nameif)) or "none"
    raise InputError(
        ruleset.file,
        None,
        f"interface {name} is not defined in the configuration (nameifs: {known})",
    )


def _level_origin(ruleset: AsaRuleset, iface: Interface) -> Origin | None:
    if iface.level_doubt is not None:
        return _origin(ruleset, iface.level_doubt)
    return _origin(
        ruleset, iface.level_index if iface.level_index is not None else iface.nameif_index
    )


def _level_outcomes(ruleset: AsaRuleset, src: Interface, dst: Interface) -> set[bool]:
    """Whether the ASA lets traffic from ``src`` to ``dst`` through without an ACL, for
    every level either may have."""
    same = ruleset.same_security
    if src is dst:
        return {"intra-interface" in same}
    return {
        a > b or (a == b and "inter-interface" in same)
        for a in src.security_levels()
        for b in dst.security_levels()
    }


def level_verdict(ruleset: AsaRuleset, src: Interface, dst: Interface) -> bool:
    """Whether the ASA may let traffic from ``src`` to ``dst`` through without an ACL."""
    return True in _level_outcomes(ruleset, src, dst)


def _levels(iface: Interface) -> str:
    return " or ".join(str(level) for level in iface.security_levels())


def _acl_chain(ruleset: AsaRuleset, binding: Binding, returning: bool) -> Chain:
    """An access-group's list; ``returning``: falling off it goes on (to the global list)."""
    chain = ruleset.chains.get(binding.acl)
    if chain is None:
        origin = _origin(ruleset, binding.index)
        assert origin is not None
        rule = Rule(
            origin,
            Match(),
            Target(Verb.UNKNOWN, name="undefined access-list"),
            (f"access-list {binding.acl} is not defined",),
        )
        return Chain(binding.acl, [rule], None if returning else cc.DENY, None)
    if returning:
        return Chain(chain.name, chain.rules, None, None)
    return chain


def _renamed(stage: Stage, suffix: str) -> Stage:
    """The same stage with every chain name suffixed (so two stages can share a dict)."""
    names = {name: name + suffix for name in stage.chains}
    chains = {}
    for name, chain in stage.chains.items():
        rules = [
            r
            if r.target.chain not in names
            else replace(r, target=replace(r.target, chain=names[r.target.chain]))
            for r in chain.rules
        ]
        chains[names[name]] = Chain(names[name], rules, chain.default, chain.default_origin)
    return Stage(stage.label, chains, names[stage.entry])


def _either(present: Stage, absent: Stage, origin: Origin, why: str, label: str) -> Stage:
    """A stage that is ``present`` if the line at ``origin`` is still in effect, else
    ``absent``: an uncertain ``goto`` to the second (``why`` it may be gone), then one to
    the first, the natural reading; the engine keeps what both agree on and reports the
    rest undetermined."""
    line = origin.line
    yes, no = _renamed(present, f" [with line {line}]"), _renamed(absent, f" [without line {line}]")
    entry = f"line {line} undetermined"
    rules = [
        Rule(origin, Match(), Target(Verb.GOTO, no.entry), (why,)),
        Rule(origin, Match(), Target(Verb.GOTO, yes.entry)),
    ]
    chains = {
        **yes.chains,
        **no.chains,
        entry: Chain(entry, rules, Target(Verb.DROP, name="implicit deny"), None),
    }
    return Stage(label, chains, entry)


def _in_stage(
    ruleset: AsaRuleset, given: str, iface: Interface, out: Interface | None, out_given: str | None
) -> Stage:
    bindings = ruleset.bindings
    own, glob = bindings.get((iface.nameif or "", "in")), bindings.get(("", "global"))
    return _in_variant(ruleset, given, iface, out, own, glob)


def _in_variant(
    ruleset: AsaRuleset,
    given: str,
    iface: Interface,
    out: Interface | None,
    own: Binding | None,
    glob: Binding | None,
) -> Stage:
    """The ingress stage with these bindings; one that may be gone makes two variants."""
    for binding, is_own in ((own, True), (glob, False)):
        if binding is None or binding.doubt is None:
            continue
        sure = Binding(binding.acl, binding.index)
        present = _in_variant(
            ruleset, given, iface, out, sure if is_own else own, glob if is_own else sure
        )
        absent = _in_variant(
            ruleset, given, iface, out, None if is_own else own, glob if is_own else None
        )
        origin = _origin(ruleset, binding.index)
        assert origin is not None
        return _either(
            present,
            absent,
            origin,
            binding.doubt,
            f"{present.label} (line {origin.line} may not apply)",
        )
    if own is not None and glob is None:
        chain = _acl_chain(ruleset, own, returning=False)
        return Stage(f"in {given} {own.acl}", {chain.name: chain}, chain.name)
    if own is not None or glob is not None:
        # interface list, then the global list, then one implicit deny (ASA 8.3+)
        chains: dict[str, Chain] = {}
        jumps = []
        parts = []
        for binding, kind in ((own, ""), (glob, "global ")):
            if binding is None:
                continue
            chain = _acl_chain(ruleset, binding, returning=True)
            chains[chain.name] = chain
            origin = _origin(ruleset, binding.index)
            assert origin is not None
            jumps.append(Rule(origin, Match(), Target(Verb.JUMP, chain.name)))
            parts.append(f"{kind}{binding.acl}")
        entry = "access-groups"  # a name no access-list can have (it has a dash... and s)
        chains[entry] = Chain(entry, jumps, Target(Verb.DROP, name="implicit deny"), None)
        return Stage(f"in {given} {' + '.join(parts)}", chains, entry)
    return _level_stage(ruleset, given, iface, out)


def _level_stage(ruleset: AsaRuleset, given: str, iface: Interface, out: Interface | None) -> Stage:
    """No access list: the security levels decide (one level each, or a level that is
    undetermined, then the verdicts it decides are too)."""
    targets = (
        [out]
        if out is not None
        else [i for i in ruleset.interfaces.values() if i.nameif and i is not iface]
    )
    outcomes: set[bool] = set()
    for other in targets:
        outcomes |= _level_outcomes(ruleset, iface, other)
    outcomes = outcomes or {False}
    doubtful = next(
        (i for i in [iface, *([out] if out is not None else [])] if i.level_doubt is not None), None
    )
    origin = _level_origin(ruleset, doubtful or iface)
    if out is not None:
        verdict = {frozenset({True}): "permitted", frozenset({False}): "denied"}.get(
            frozenset(outcomes), "undetermined"
        )
        label = (
            f"in {given} (no access-group): security level {_levels(iface)} -> "
            f"{_levels(out)} {verdict}"
        )
    else:
        label = f"in {given} (no access-group): security level {_levels(iface)} -> any"
    if len(outcomes) == 1:
        allowed = outcomes.pop()
        target = Target(Verb.ACCEPT if allowed else Verb.DROP, name="security level")
        chain = Chain("security-level", [], target, origin)
    else:
        assert origin is not None
        why = (
            f"the security level of {doubtful.nameif} is undetermined (line {origin.line})"
            if doubtful is not None
            else "the egress interface's security level decides"
        )
        rule = Rule(origin, Match(), Target(Verb.ACCEPT, name="security level"), (why,))
        chain = Chain("security-level", [rule], Target(Verb.DROP, name="security level"), origin)
    return Stage(label, {chain.name: chain}, chain.name)


def _blocking_stage(label: str, origin: Origin | None, why: str) -> Stage:
    chain = Chain(why, [], Target(Verb.DROP, name=why), origin)
    return Stage(label, {chain.name: chain}, chain.name)


def stages(
    ruleset: Ruleset,
    *,
    in_iface: str | None,
    out_iface: str | None,
    chain: str | None = None,
    local: str | None = None,
) -> list[Stage]:
    """Ingress list (then the global one), or the security levels; then the egress list."""
    rs = asa_ruleset(ruleset)
    return cached_stages(
        rs,
        (in_iface, out_iface, chain),
        lambda: _crossing_stages(rs, in_iface, out_iface),
        local=local,
        no_local="Cisco ASA access-groups filter traffic crossing "
        "interfaces; a local (host firewall) path does not apply",
        acl_word="access-list",
    )


def _crossing_stages(
    ruleset: AsaRuleset, in_iface: str | None, out_iface: str | None
) -> list[Stage]:
    """What a packet crossing from ``in_iface`` to ``out_iface`` meets, in order."""
    src = resolve_interface(ruleset, in_iface) if in_iface else None
    dst = resolve_interface(ruleset, out_iface) if out_iface else None
    result = []
    for iface, given in ((src, in_iface), (dst, out_iface)):
        if iface is not None and iface.management_only is not None:
            result.append(
                _blocking_stage(
                    f"management-only {given}: no through traffic",
                    _origin(ruleset, iface.management_only),
                    "management-only",
                )
            )
    for iface, given in ((src, in_iface), (dst, out_iface)):
        if iface is not None and iface.doubt is not None:
            # what filters through it is undetermined: so is every verdict through it
            index, why = iface.doubt
            origin = _origin(ruleset, index)
            assert origin is not None
            rule = Rule(origin, Match(), Target(Verb.UNKNOWN, name="undetermined"), (why,))
            chain = Chain("undetermined interface", [rule], cc.DENY, None)
            return result + [
                Stage(f"{given}: undetermined ({why})", {chain.name: chain}, chain.name)
            ]
    same = ruleset.same_security
    if src is not None and dst is not None:
        if src is dst and "intra-interface" not in same:
            result.append(
                _blocking_stage(
                    f"same-security {in_iface} -> {out_iface}: no same-security-traffic permit "
                    "intra-interface",
                    _level_origin(ruleset, src),
                    "same-security",
                )
            )
        elif src is not dst and "inter-interface" not in same:
            equal = {a == b for a in src.security_levels() for b in dst.security_levels()}
            if equal == {True}:
                result.append(
                    _blocking_stage(
                        f"same-security {in_iface} -> {out_iface}: level {src.security_level()} "
                        "on both, no same-security-traffic permit inter-interface",
                        _level_origin(ruleset, src),
                        "same-security",
                    )
                )
            elif True in equal:
                result.append(_maybe_same_level(ruleset, in_iface, out_iface, src, dst))
    if src is not None and in_iface is not None:
        result.append(_in_stage(ruleset, in_iface, src, dst, out_iface))
    if dst is not None and out_iface is not None:
        binding = ruleset.bindings.get((dst.nameif or "", "out"))
        if binding is not None:
            out_chain = _acl_chain(ruleset, binding, returning=False)
            stage = Stage(
                f"out {out_iface} {binding.acl}", {out_chain.name: out_chain}, out_chain.name
            )
            if binding.doubt is not None:
                origin = _origin(ruleset, binding.index)
                assert origin is not None
                none = Chain(
                    "no out access-group", [], Target(Verb.ACCEPT, name="no access-group"), origin
                )
                stage = _either(
                    stage,
                    Stage(stage.label, {none.name: none}, none.name),
                    origin,
                    binding.doubt,
                    stage.label,
                )
            result.append(stage)
    return result


def _maybe_same_level(
    ruleset: AsaRuleset, in_iface: str | None, out_iface: str | None, src: Interface, dst: Interface
) -> Stage:
    """Two interfaces whose levels may be equal (one is undetermined) and no
    same-security-traffic permit inter-interface: the ASA may block the crossing."""
    doubtful = src if src.level_doubt is not None else dst
    origin = _level_origin(ruleset, doubtful)
    assert origin is not None
    why = f"the security level of {doubtful.nameif} is undetermined (line {origin.line})"
    rule = Rule(origin, Match(), Target(Verb.DROP, name="same-security"), (why,))
    chain = Chain("same-security", [rule], Target(Verb.ACCEPT, name="levels differ"), origin)
    return Stage(
        f"same-security {in_iface} -> {out_iface}: levels {_levels(src)} and "
        f"{_levels(dst)} may be equal",
        {chain.name: chain},
        chain.name,
    )


# --- fixes ------------------------------------------------------------------------------

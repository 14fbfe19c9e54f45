"""What a packet meets on IOS: the lists attached in and out, per address family."""

from __future__ import annotations

from exaudit.core import addresses
from exaudit.core.errors import InputError
from exaudit.core.model import Chain, Match, Origin, Rule, Ruleset, Stage, Target, Verb
from exaudit.platforms.cisco import common as cc
from exaudit.platforms.cisco.common import cached_stages
from exaudit.platforms.cisco.ios.model import Acl, Attachment, Interface, IosRuleset, ios_ruleset
from exaudit.platforms.cisco.ios.tables import family_space


def resolve_interface(ruleset: IosRuleset, name: str) -> Interface:
    known = ruleset.interfaces
    full, candidates = cc.resolve_interface(name, known)
    if full is None:
        if candidates:
            raise InputError(
                ruleset.file, None, f"interface {name} is ambiguous: {', '.join(candidates)}"
            )
        raise InputError(
            ruleset.file,
            None,
            f"interface {name} is not defined in the "
            f"configuration (known: {', '.join(sorted(known)) or 'none'})",
        )
    return known[full]


def acl_by_name(ruleset: IosRuleset, name: str, family: int) -> Acl | None:
    for acl in ruleset.acls.values():
        if acl.name == name and acl.family == family:
            return acl
    return None


def _other_family_passes(origin: Origin, family: int) -> Rule:
    if family == 4:
        match, why = Match(src=addresses.ALL_V6), "IPv6 is not filtered by ip access-group"
    else:
        match, why = Match(src=addresses.ALL_V4), "IPv4 is not filtered by ipv6 traffic-filter"
    return Rule(origin, match, Target(Verb.ACCEPT, name=why))


def _family_chain(ruleset: IosRuleset, att: Attachment, family: int) -> Chain:
    """The rules one attached list applies to its own family (all its rules stay in it)."""
    origin = Origin(ruleset.file, att.index + 1, ruleset.line_text(att.index))
    acl = acl_by_name(ruleset, att.acl, family)
    if acl is None or not acl.has_aces():
        # IOS permits everything through an ACL that is not defined or has no entries
        why = "undefined ACL permits all" if acl is None else "empty ACL permits all"
        space = family_space(family)
        return Chain(
            att.acl, [Rule(origin, Match(src=space), Target(Verb.ACCEPT, name=why))], None, None
        )
    return ruleset.chains[acl.key]


def _iface_stages(ruleset: IosRuleset, given: str, direction: str) -> list[Stage]:
    """One stage per direction: the IPv4 list for IPv4 packets, the IPv6 one for IPv6."""
    iface = resolve_interface(ruleset, given)
    attached = [
        (family, iface.groups[(direction, family)])
        for family in (4, 6)
        if (direction, family) in iface.groups
    ]
    if not attached:
        return []
    if any(att.doubt is not None for _, att in attached):
        return [_undecided_stage(ruleset, given, direction, attached)]
    rules: list[Rule] = []
    names = []
    for family, att in attached:
        part = _family_chain(ruleset, att, family)
        rules.extend(part.rules)
        names.append(att.acl if family == 4 else f"ipv6 {att.acl}")
    default, default_origin = Target(Verb.DROP, name="implicit deny"), None
    if len(attached) == 1:
        family, att = attached[0]
        origin = Origin(ruleset.file, att.index + 1, ruleset.line_text(att.index))
        rules.append(_other_family_passes(origin, family))
        part = _family_chain(ruleset, att, family)
        if part.default is None:  # undefined or empty: it permits everything
            default = Target(Verb.ACCEPT, name=part.rules[0].target.name)
            default_origin = origin
            rules = []
        name = part.name
    else:
        name = " + ".join(names)
    chain = Chain(name, rules, default, default_origin)
    label = f"{direction} {given} {' + '.join(names)}"
    return [Stage(label, {chain.name: chain}, chain.name)]


def _undecided_stage(
    ruleset: IosRuleset, given: str, direction: str, attached: list[tuple[int, Attachment]]
) -> Stage:
    """A direction whose attached list is not sure. Each candidate is entered by a
    ``goto`` (its own implicit deny then decides), after an uncertain ``goto`` to what
    filters when it is not the one (the next candidate, or no list at all): the world
    where the list is attached is the natural reading, and the engine keeps what every
    world agrees on."""
    chains: dict[str, Chain] = {}
    rules: list[Rule] = []
    for family, att in attached:
        rules.extend(_candidates(ruleset, att, family, chains, f"{direction} {given}"))
    if len(attached) == 1:
        family, att = attached[0]
        rules.append(_other_family_passes(_att_origin(ruleset, att), family))
    names = [att.acl if family == 4 else f"ipv6 {att.acl}" for family, att in attached]
    entry = f"{direction} {given} (undetermined list)"
    chains[entry] = Chain(entry, rules, Target(Verb.DROP, name="implicit deny"), None)
    return Stage(f"{direction} {given} {' + '.join(names)}", chains, entry)


def _candidates(
    ruleset: IosRuleset, att: Attachment, family: int, chains: dict[str, Chain], where: str
) -> list[Rule]:
    """Rules sending this family's packets to the list ``att`` names, or (uncertain) to
    what filters without it; adds the chains they go to."""
    space = family_space(family)
    origin = _att_origin(ruleset, att)
    chain = _family_chain(ruleset, att, family)
    name = chain.name if chain.default is not None else f"{att.acl} ({chain.rules[0].target.name})"
    chains[name] = Chain(name, chain.rules, chain.default, chain.default_origin)
    present = Rule(origin, Match(src=space), Target(Verb.GOTO, name))
    if att.doubt is None:
        return [present]
    if att.fallback is None:
        return [
            Rule(
                origin, Match(src=space), Target(Verb.ACCEPT, name="no list attached"), (att.doubt,)
            ),
            present,
        ]
    rest = f"{where} without {att.acl} (line {origin.line})"
    chains[rest] = Chain(
        rest,
        _candidates(ruleset, att.fallback, family, chains, rest),
        Target(Verb.DROP, name="implicit deny"),
        None,
    )
    return [Rule(origin, Match(src=space), Target(Verb.GOTO, rest), (att.doubt,)), present]


def _att_origin(ruleset: IosRuleset, att: Attachment) -> Origin:
    return Origin(ruleset.file, att.index + 1, ruleset.line_text(att.index))


def _zone_stage(ruleset: IosRuleset, ifaces: list[Interface]) -> list[Stage]:
    zoned = [i for i in ifaces if i.zone is not None]
    if not zoned:
        return []
    first = zoned[0].zone
    assert first is not None
    zone, index = first
    origin = Origin(ruleset.file, index + 1, ruleset.line_text(index))
    rule = Rule(
        origin,
        Match(),
        Target(Verb.ACCEPT, name="zone policy"),
        ("zone-based firewall policy (not modelled)",),
    )
    chain = Chain("zone-policy", [rule], Target(Verb.DROP, name="zone policy"), origin)
    names = " -> ".join(f"{i.name} ({i.zone[0] if i.zone else 'no zone'})" for i in ifaces)
    return [Stage(f"zone {names}: not modelled", {chain.name: chain}, chain.name)]


def stages(
    ruleset: Ruleset,
    *,
    in_iface: str | None,
    out_iface: str | None,
    chain: str | None = None,
    local: str | None = None,
) -> list[Stage]:
    """The ACLs a packet meets: ``in`` on its ingress interface, then ``out`` on its egress."""
    rs = ios_ruleset(ruleset)

    def build() -> list[Stage]:
        result: list[Stage] = []
        seen: list[Interface] = []
        if in_iface:
            result += _iface_stages(rs, in_iface, "in")
            seen.append(resolve_interface(rs, in_iface))
        if out_iface:
            result += _iface_stages(rs, out_iface, "out")
            seen.append(resolve_interface(rs, out_iface))
        return result + _zone_stage(rs, seen)

    return cached_stages(
        rs,
        (in_iface, out_iface, chain),
        build,
        local=local,
        no_local="Cisco IOS ACLs filter traffic crossing interfaces; a "
        "local (host firewall) path does not apply",
        acl_word="access list",
    )

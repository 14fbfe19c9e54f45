"""EXA502 any-any-permit

## What it does
Reports a permit of every protocol from any source to any destination on any interface,
for new connections (a rule matching only established connections does not count).

## Why is this bad?
Such a rule turns the filter off for everything that reaches it: every service of every
host behind it, Exchange's RPC ports included, is open. It is often a leftover from
troubleshooting.

## Example
    -A FORWARD -j ACCEPT

## Use instead
    -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
followed by permits for the flows that are needed.
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.checks.api import RulesetContext, Scope, check
from exaudit.checks.tags import SECURITY
from exaudit.core import addresses
from exaudit.core.findings import Finding, Severity
from exaudit.core.model import PORTS, PROTOCOLS, Origin, Rule, State, Verb

_ANYWHERE = (None, addresses.ALL, addresses.ALL_V4, addresses.ALL_V6)


def is_any_any(rule: Rule) -> bool:
    m = rule.match
    return (
        rule.target.verb is Verb.ACCEPT
        and not rule.uncertain
        and not rule.reply_only
        and m.proto in (None, PROTOCOLS)
        and m.src in _ANYWHERE
        and m.dst in _ANYWHERE
        and m.dport in (None, PORTS)
        and m.sport in (None, PORTS)
        and m.iif is None
        and m.oif is None
        and (m.state is None or int(State.NEW) in m.state)
    )


def run(ctx: RulesetContext) -> Iterator[Finding]:
    seen: set[Origin] = set()
    for chain in ctx.ruleset.chains.values():
        for rule in chain.rules:
            if is_any_any(rule) and rule.origin not in seen:
                seen.add(rule.origin)
                yield CHECK.finding(
                    ctx.firewall,
                    rule.origin,
                    f"permits every protocol from anywhere to anywhere in {chain.name}",
                )


CHECK = check("EXA502", "any-any-permit", Severity.WARNING, Scope.LINT, SECURITY, __doc__, run)

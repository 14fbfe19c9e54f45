"""Running the checks of a scope, skipping the work of checks that are not enabled."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from exaudit.analysis.context import AuditContext
from exaudit.checks import ALL
from exaudit.checks.api import Check, ReviewContext, RulesetContext, Scope
from exaudit.core.findings import Finding
from exaudit.core.model import Ruleset


def _of(scopes: Iterable[Scope], enabled: frozenset[str] | None) -> list[Check[Any]]:
    wanted = set(scopes)
    return [c for c in ALL if c.scope in wanted and (enabled is None or c.code in enabled)]


def lint_checks(
    ruleset: Ruleset, firewall: str | None, enabled: frozenset[str] | None = None
) -> list[Finding]:
    """The topology-free checks of ``exaudit lint``: ruleset and lint scopes."""
    ctx = RulesetContext(ruleset, firewall)
    return [f for c in _of((Scope.RULESET, Scope.LINT), enabled) for f in c.run(ctx)]


def firewall_checks(ctx: AuditContext, enabled: frozenset[str] | None = None) -> list[Finding]:
    """The checks of one firewall's audit (``ctx`` holds that firewall only)."""
    out: list[Finding] = []
    for c in _of((Scope.RULESET, Scope.AUDIT), enabled):
        if c.scope is Scope.RULESET:
            for fa in ctx.firewalls:
                out.extend(c.run(RulesetContext(fa.ruleset, fa.firewall.name)))
        else:
            out.extend(c.run(ctx))
    return out


def topology_checks(ctx: AuditContext, enabled: frozenset[str] | None = None) -> list[Finding]:
    """The checks of the topology and its required flows, which no firewall changes."""
    return [f for c in _of((Scope.TOPOLOGY,), enabled) for f in c.run(ctx)]


def review_checks(ctx: ReviewContext) -> list[Finding]:
    """The checks that judge suppressions and baselines, once triage has used them."""
    return [f for c in _of((Scope.REVIEW,), ctx.enabled) for f in c.run(ctx)]

"""The check registry: every check module, listed explicitly, and the runners."""

from __future__ import annotations

from types import ModuleType

from exaudit.checks import (
    exa001_unparsed_line,
    exa002_unsupported_match,
    exa003_unused_suppression,
    exa101_required_port_blocked,
    exa102_required_port_partly_blocked,
    exa103_reply_traffic_blocked,
    exa104_required_port_undetermined,
    exa201_over_broad_ephemeral_range,
    exa202_dynamic_rpc_ports,
    exa301_missing_ssl_alternative,
    exa302_plaintext_open_ssl_required,
    exa401_rfc1006_port_mismatch,
    exa402_risky_static_rpc_port,
    exa501_shadowed_rule,
    exa502_any_any_permit,
)
from exaudit.core.findings import Finding
from exaudit.core.model import Ruleset

ALL: tuple[ModuleType, ...] = (
    exa001_unparsed_line,
    exa002_unsupported_match,
    exa003_unused_suppression,
    exa101_required_port_blocked,
    exa102_required_port_partly_blocked,
    exa103_reply_traffic_blocked,
    exa104_required_port_undetermined,
    exa201_over_broad_ephemeral_range,
    exa202_dynamic_rpc_ports,
    exa301_missing_ssl_alternative,
    exa302_plaintext_open_ssl_required,
    exa401_rfc1006_port_mismatch,
    exa402_risky_static_rpc_port,
    exa501_shadowed_rule,
    exa502_any_any_permit,
)
BY_CODE = {m.CODE: m for m in ALL}
BY_NAME = {m.NAME: m for m in ALL}


def get(code_or_name: str) -> ModuleType | None:
    return BY_CODE.get(code_or_name.upper()) or BY_NAME.get(code_or_name.lower())


def run_ruleset_checks(ruleset: Ruleset, firewall: str | None) -> list[Finding]:
    """The topology-free checks of ``exaudit lint``: ruleset and lint scopes."""
    out: list[Finding] = []
    for module in ALL:
        if module.SCOPE in ("ruleset", "lint"):
            out.extend(module.check_ruleset(ruleset, firewall))
    return out


def run_audit_checks(ctx: object) -> list[Finding]:
    out: list[Finding] = []
    for module in ALL:
        if module.SCOPE == "ruleset":
            for fa in ctx.firewalls:  # type: ignore[attr-defined]
                out.extend(module.check_ruleset(fa.ruleset, fa.firewall.name))
        elif module.SCOPE == "audit":
            out.extend(module.check(ctx))
    return out

"""The check registry: every check module, listed once, in report order."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from exaudit.checks.api import Check

MODULES = (
    "exa001_unparsed_line",
    "exa002_unsupported_match",
    "exa003_unused_suppression",
    "exa004_refused_command",
    "exa101_required_port_blocked",
    "exa102_required_port_partly_blocked",
    "exa103_reply_traffic_blocked",
    "exa104_required_port_undetermined",
    "exa105_coexistence_undetermined",
    "exa201_over_broad_ephemeral_range",
    "exa202_dynamic_rpc_ports",
    "exa203_latent_over_broad_permit",
    "exa204_open_port_not_required",
    "exa301_missing_ssl_alternative",
    "exa302_plaintext_open_ssl_required",
    "exa401_rfc1006_port_mismatch",
    "exa402_risky_static_rpc_port",
    "exa403_unpinned_rpc_port",
    "exa404_pinned_port_collision",
    "exa501_shadowed_rule",
    "exa502_any_any_permit",
    "exa601_unsupported_internal_filtering",
    "exa602_internal_port_exposed",
    "exa603_catalogue_note",
    "exa701_flow_crosses_no_firewall",
    "exa702_server_outside_interface_range",
    "exa703_address_host_bits",
)


def _load(module: str) -> Check[Any]:
    found = import_module(f"{__name__}.{module}").CHECK
    assert isinstance(found, Check), module
    return found


ALL: tuple[Check[Any], ...] = tuple(_load(m) for m in MODULES)
BY_CODE = {c.code: c for c in ALL}
BY_NAME = {c.name: c for c in ALL}


def get(code_or_name: str) -> Check[Any] | None:
    return BY_CODE.get(code_or_name.upper()) or BY_NAME.get(code_or_name.lower())

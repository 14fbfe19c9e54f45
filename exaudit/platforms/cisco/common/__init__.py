"""Pieces shared by the Cisco IOS and ASA parsers: blocks, tokens, ports, addresses, groups.

Read as ``cc.NAME`` by both platforms; each piece lives in the module named by its job.
"""

from __future__ import annotations

from exaudit.platforms.cisco.common.addr import (
    NO_ADDR,
    WILDCARD_BUDGET,
    Addr,
    Service,
    host,
    icmp_service,
    is_ipv4,
    is_ipv6,
    is_prefix,
    mask_blocks,
    mask_is_contiguous,
    netmask_addr,
    prefix,
    span,
    wildcard_addr,
)
from exaudit.platforms.cisco.common.context import Context
from exaudit.platforms.cisco.common.groups import (
    Group,
    Groups,
    doubtful_member,
    union_addr,
    unresolved_member,
)
from exaudit.platforms.cisco.common.interfaces import (
    interface_number,
    interface_stem,
    resolve_interface,
    same_interface,
)
from exaudit.platforms.cisco.common.model import CiscoRuleset, StageKey
from exaudit.platforms.cisco.common.rules import (
    ACTIONS,
    DENY,
    PERMIT,
    acl_chain,
    build_rules,
    doubtful,
    unknown_rule,
)
from exaudit.platforms.cisco.common.stages import cached_stages
from exaudit.platforms.cisco.common.text import Block, Blocks, load_blocks, split_lines
from exaudit.platforms.cisco.common.tokens import (
    DIGITS,
    ICMP4_NAMES,
    ICMP_TYPES,
    PORT_OPERATORS,
    PORT_PROTOCOLS,
    TCP_ONLY,
    TCP_UDP,
    ParseError,
    Tokens,
    icmp_message,
    is_port_word,
    number,
    port,
    port_operator,
    protocol,
)

__all__ = [
    "ACTIONS",
    "Addr",
    "Block",
    "Blocks",
    "CiscoRuleset",
    "Context",
    "DENY",
    "DIGITS",
    "Group",
    "Groups",
    "ICMP4_NAMES",
    "ICMP_TYPES",
    "NO_ADDR",
    "PERMIT",
    "PORT_OPERATORS",
    "PORT_PROTOCOLS",
    "ParseError",
    "Service",
    "StageKey",
    "TCP_ONLY",
    "TCP_UDP",
    "Tokens",
    "acl_chain",
    "build_rules",
    "cached_stages",
    "doubtful",
    "doubtful_member",
    "host",
    "icmp_message",
    "icmp_service",
    "interface_number",
    "interface_stem",
    "is_ipv4",
    "is_ipv6",
    "is_port_word",
    "is_prefix",
    "load_blocks",
    "mask_is_contiguous",
    "number",
    "port",
    "port_operator",
    "prefix",
    "protocol",
    "resolve_interface",
    "same_interface",
    "span",
    "split_lines",
    "union_addr",
    "unknown_rule",
    "unresolved_member",
    "wildcard_addr",
    "netmask_addr",
    "mask_blocks",
    "WILDCARD_BUDGET",
]

"""EXA703 address-host-bits

## What it does
Reports an address block in the topology written with host bits set, such as
`192.168.10.5/24`: exaudit reads it as the whole block (`192.168.10.0/24`), as
`ipaddress` and most firewalls do, and says so at the line.

## Why is this bad?
The writer usually meant one host (`192.168.10.5`) or did not notice the block is wider
than the address shows. Either way the topology means something else than it reads: a
client network becomes 256 addresses, or a single management host a whole subnet whose
flows are then required and audited.

## Example
    networks:
      admin: [192.168.10.5/24]

## Use instead
    networks:
      admin: [192.168.10.0/24]     # the block
      # or: admin: [192.168.10.5]  # the one host
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from exaudit.analysis.context import AuditContext
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import RELIABILITY
from exaudit.core.findings import Finding, Location, Severity


def host_bits(text: str) -> tuple[str, str] | None:
    """(the block it stands for, the address as written) when ``text`` has host bits set."""
    address, slash, _ = text.strip().partition("/")
    if not slash:
        return None
    try:
        block = ipaddress.ip_network(text.strip(), strict=False)
        written = ipaddress.ip_address(address.strip())
    except ValueError:  # not an address at all: the topology reader says so
        return None
    if written == block.network_address:
        return None
    return str(block), str(written)


def run(ctx: AuditContext) -> Iterator[Finding]:
    for text, line in sorted(set(ctx.topology.literals), key=lambda e: (e[1], e[0])):
        found = host_bits(text)
        if found is None:
            continue
        block, address = found
        size = ipaddress.ip_network(block).num_addresses
        message = (
            f"{text} has host bits set: it stands for {block} ({size} addresses); "
            f"write {block} for the block, or {address} for the one host"
        )
        yield CHECK.finding(None, None, message, location=Location(ctx.topology.path, line))


CHECK = check(
    "EXA703", "address-host-bits", Severity.WARNING, Scope.TOPOLOGY, RELIABILITY, __doc__, run
)

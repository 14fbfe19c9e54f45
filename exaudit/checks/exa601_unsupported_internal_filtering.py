"""EXA601 unsupported-internal-filtering

## What it does
Reports a firewall that denies (or may deny) any traffic between two internal Exchange
2013-or-later servers, or between such a server and a domain controller, on a path the
topology puts it on, naming the deciding line. A firewall that permits everything there
is fine.

## Why is this bad?
Microsoft does not support restricting or altering network traffic between internal
Exchange servers, or between them and Active Directory domain controllers, "in any and
all types of topologies" (Network ports for clients and mail flow in Exchange). Those
paths use any port, including random RPC ports (49152-65535 on Windows Server 2008 and
later, KB 929851); a filter there breaks replication, transport or directory access in
ways no port list predicts, and the deployment is unsupported.

## Example
    access-list 120 permit tcp host 10.1.0.10 host 10.2.0.10 eq 443
    access-list 120 deny ip any any
on a router between two Exchange 2016 mailbox servers.

## Use instead
    access-list 120 permit ip host 10.1.0.10 host 10.2.0.10
(every port and protocol), or move the servers so no firewall sits between them.
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext
from exaudit.checks._internal import path_groups
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import AVAILABILITY
from exaudit.core.findings import Finding, Severity
from exaudit.exchange.flows_more import internal_servers


def run(ctx: AuditContext) -> Iterator[Finding]:
    rules = [s.catalogue.unrestricted for s in internal_servers(ctx.topology)]
    for fa, group in path_groups(ctx):
        for origin, verdict, protos, sources, destinations in group.restrictions():
            by = f"line {origin.line}" if origin else "the implicit deny"
            verb = "denies" if verdict == "deny" else "may deny (undetermined)"
            source = rules[0].source if rules and rules[0] else "EXNP_2016"
            message = (
                f"{by} {verb} {protos} from {sources} to {destinations} ({group.where}); "
                "Microsoft does not support restricting traffic between internal Exchange "
                f"servers or between them and domain controllers ({source})"
            )
            yield CHECK.finding(fa.firewall.name, origin, message)


CHECK = check(
    "EXA601",
    "unsupported-internal-filtering",
    Severity.ERROR,
    Scope.AUDIT,
    AVAILABILITY,
    __doc__,
    run,
)

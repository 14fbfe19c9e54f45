"""EXA103 reply-traffic-blocked

## What it does
On a path that does not track connections (Cisco IOS ACLs, an iptables path without a
state match that lets ESTABLISHED packets back, a pf `no state` pass), checks that the
replies of each permitted required flow (from the server's port to the client's ports
>= 1024, with ACK set) are permitted too.

## Why is this bad?
The client's SYN gets through but the server's SYN-ACK does not: the connection times
out although the port looks open in the forward direction.

## Example
    access-list 110 permit tcp 10.10.0.0 0.0.255.255 host 10.1.0.10 eq pop3
with no ACL entry permitting the way back on the server-side interface.

## Use instead
    access-list 120 permit tcp host 10.1.0.10 eq pop3 10.10.0.0 0.0.255.255 established
or, on iptables, `-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`.
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext
from exaudit.checks._common import (
    decider_text,
    flow_json,
    group_by_decider,
    sources_text,
    union_dim,
)
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import AVAILABILITY
from exaudit.core.findings import Finding, Severity


def run(ctx: AuditContext) -> Iterator[Finding]:
    for fa in ctx.firewalls:
        for cr in fa.results:
            c = cr.crossing
            for reply in cr.replies:
                denied = reply.result.by_verdict("deny")
                for origin, chain, parts in group_by_decider(denied):
                    clients = union_dim(parts, "dst")  # the reply goes to the client
                    path = (
                        f"{c.out_iface} -> {c.in_iface}"
                        if not c.local
                        else ("OUTPUT" if c.local == "input" else "INPUT")
                    )
                    message = (
                        f"replies of {c.flow.describe()} (back to ports >= 1024, "
                        f"ACK set) are denied by {decider_text(origin, chain)} on "
                        f"{path}, for {sources_text(clients, c.src)}; the path does "
                        "not let established connections back"
                    )
                    yield CHECK.finding(
                        fa.firewall.name, origin, message, flow_json(c.flow, clients, c)
                    )


CHECK = check(
    "EXA103", "reply-traffic-blocked", Severity.ERROR, Scope.AUDIT, AVAILABILITY, __doc__, run
)

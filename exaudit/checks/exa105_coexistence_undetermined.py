"""EXA105 coexistence-undetermined

## What it does
Reports two Exchange servers of different versions that the topology makes talk (one
site, or the two ends of a connector) where no catalogue gives the rules between those
versions, saying which. Their flows are left out of the audit: undetermined by the
catalogue, not assumed.

## Why is this bad?
The research behind the catalogues documents mixed mode between Exchange 2000/2003 and
5.5 (the 5.5 rules apply), and nothing between, say, 2003 and 2016. Whatever a firewall
does between such servers, exaudit cannot tell whether it breaks them.

## Example
    servers:
      ex03: {address: 10.1.0.20, site: HQ, exchange: "2003"}
      ex16: {address: 10.1.0.30, site: HQ, exchange: "2016"}

## Use instead
Check the migration's ports against Microsoft's coexistence documentation by hand and
suppress this finding with a reason, or place the servers in different sites.
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import RELIABILITY
from exaudit.core.findings import Finding, Location, Severity
from exaudit.exchange.flows_more import undetermined_pairs
from exaudit.exchange.topology import Server


def run(ctx: AuditContext) -> Iterator[Finding]:
    topo = ctx.topology
    for u in undetermined_pairs(topo):
        how = (
            f"share site {u.where}"
            if u.why == "intrasite"
            else f"meet on the connector between {u.where}"
        )
        message = (
            f"{_names(u.a)} (Exchange {u.a_version}) and {_names(u.b)} (Exchange "
            f"{u.b_version}) {how}, but neither catalogue ({_file(u.a[0])}, "
            f"{_file(u.b[0])}) gives rules between those versions: their flows are "
            "undetermined by the catalogue and not audited"
        )
        yield CHECK.finding(None, None, message, location=Location(topo.path, u.line))


def _names(servers: tuple[Server, ...]) -> str:
    return ", ".join(s.name for s in servers)


def _file(server: Server) -> str:
    return server.catalogue.path.replace("\\", "/").rsplit("/", 1)[-1]


CHECK = check(
    "EXA105",
    "coexistence-undetermined",
    Severity.WARNING,
    Scope.TOPOLOGY,
    RELIABILITY,
    __doc__,
    run,
)

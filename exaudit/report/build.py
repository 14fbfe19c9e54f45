"""The audit, lint and requirements reports as plain data (the contract's JSON shapes)."""

from __future__ import annotations

from typing import Any

from exaudit import __version__
from exaudit.analysis.context import AuditContext
from exaudit.checks._common import port_value
from exaudit.core import addresses
from exaudit.core.findings import Finding, Severity
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import Rule, Ruleset, Verb
from exaudit.exchange.flows import crossings

TOOL = {"name": "exaudit", "version": __version__}


def severity_counts(findings: list[Finding]) -> dict[str, int]:
    counts = {s.value: 0 for s in Severity}
    for f in findings:
        counts[f.severity.value] += 1
    return counts


def understood(rule: Rule) -> bool:
    return not rule.unknown and rule.target.verb is not Verb.UNKNOWN


def lines_unparsed(ruleset: Ruleset) -> int:
    return len({i.origin.line for i in ruleset.issues if i.code == "EXA001"})


def audit_report(ctx: AuditContext, findings: list[Finding]) -> dict[str, Any]:
    firewalls = []
    rules = 0
    for fa in ctx.firewalls:
        rules += fa.ruleset.rule_count
        firewalls.append({"name": fa.firewall.name, "platform": fa.firewall.platform,
                          "config": fa.firewall.config, "rules": fa.ruleset.rule_count,
                          "lines_unparsed": lines_unparsed(fa.ruleset),
                          "crossings": len(fa.results)})
    summary = severity_counts(findings)
    summary.update({"firewalls": len(ctx.firewalls), "flows": len(ctx.flows), "rules": rules})
    return {"schema": "exaudit.report/1", "tool": TOOL, "topology": ctx.topology.path,
            "summary": summary, "firewalls": firewalls,
            "findings": [f.to_json() for f in findings]}


def requirements_report(ctx: AuditContext) -> dict[str, Any]:
    topo = ctx.topology
    flows = [{"id": f.id, "name": f.requirement.name, "kind": f.kind, "proto": f.proto,
              "port": port_value(f.ports), "src": f.src_label, "dst": f.dst.name,
              "dynamic": f.dynamic, "source": topo.catalogue.cite(f.requirement.source)}
             for f in ctx.flows]
    firewalls = []
    for fa in ctx.firewalls:
        rows = []
        to_open: dict[tuple[str, str], IntervalSet] = {}
        for c in crossings(topo, ctx.flows, fa.firewall):
            f = c.flow
            rows.append({"id": f.id, "proto": f.proto, "port": port_value(f.ports),
                         "src": f.src_label, "sources": addresses.to_cidrs(c.src),
                         "dst": f.dst.name, "in": c.in_iface, "out": c.out_iface,
                         "path": c.local or "forward"})
            key = (f.dst.name, c.local or f"{c.in_iface} -> {c.out_iface}")
            to_open[key] = to_open.get(key, IntervalSet()) | f.ports
        opens = [{"dst": dst, "address": addresses.first_address(topo.servers[dst].address),
                  "path": path, "proto": "tcp", "ports": port_value(ports)}
                 for (dst, path), ports in sorted(to_open.items())]
        firewalls.append({"name": fa.firewall.name, "platform": fa.firewall.platform,
                          "config": fa.firewall.config, "flows": rows, "open": opens})
    return {"schema": "exaudit.requirements/1", "tool": TOOL, "topology": topo.path,
            "exchange": topo.exchange, "flows": flows, "firewalls": firewalls}

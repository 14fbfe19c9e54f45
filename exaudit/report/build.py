"""Building the typed reports from what the pipeline found."""

from __future__ import annotations

import hashlib

from exaudit.analysis.context import FirewallAudit
from exaudit.analysis.status import flow_states
from exaudit.analysis.unneeded import Box3, Extra, services, source_names
from exaudit.checks._common import flow_json, port_value
from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import IssueKind, Rule, Ruleset, Verb
from exaudit.exchange.allow import Allowance
from exaudit.exchange.flows import Flow, crossings
from exaudit.exchange.notes import requirement_notes
from exaudit.exchange.topology import Topology
from exaudit.report.model import (
    AuditReport,
    Crossing,
    Entry,
    FirewallRequirements,
    FirewallSummary,
    FirewallView,
    FlowVerdict,
    LintFile,
    LintReport,
    OpenExtra,
    Opening,
    RequiredFlow,
    RequirementsReport,
    ServerView,
    Suppression,
    TopologyView,
)
from exaudit.review.suppress import Triage


def understood(rule: Rule) -> bool:
    return not rule.unknown and rule.target.verb is not Verb.UNKNOWN


def lines_unparsed(ruleset: Ruleset) -> int:
    return len({i.origin.line for i in ruleset.issues if i.kind is IssueKind.UNPARSED})


def entries(triage: Triage) -> tuple[tuple[Entry, ...], tuple[Entry, ...]]:
    """The findings that count and the suppressed ones, as report entries."""
    active = tuple(Entry(f, fp) for f, fp in triage.active)
    suppressed = tuple(
        Entry(
            s.finding,
            s.fingerprint,
            Suppression(s.kind, s.justification, s.where.file, s.where.line),
        )
        for s in triage.suppressed
    )
    return active, suppressed


def firewall_summary(fa: FirewallAudit) -> FirewallSummary:
    flows = tuple(
        FlowVerdict(flow_json(s.crossing.flow, None, s.crossing), s.status, s.lines_by_verdict())
        for s in flow_states(fa)
    )
    rs = fa.ruleset
    return FirewallSummary(
        fa.firewall.name,
        fa.firewall.platform,
        fa.firewall.config,
        rs.rule_count,
        lines_unparsed(rs),
        len(fa.results),
        fa.firewall.line,
        flows,
    )


def audit_report(
    topology: Topology,
    text: str,
    flows: int,
    firewalls: list[FirewallSummary],
    triage: Triage,
    checks: frozenset[str],
    inputs: tuple[str, ...] = (),
) -> AuditReport:
    active, suppressed = entries(triage)
    return AuditReport(
        topology.path,
        flows,
        sum(fw.rules for fw in firewalls),
        tuple(firewalls),
        active,
        suppressed,
        checks,
        topology_view(topology, text),
        inputs,
    )


def topology_view(topo: Topology, text: str) -> TopologyView:
    servers = tuple(ServerView(s.name, s.address_text, s.site) for s in topo.servers.values())
    networks = tuple(
        (name, tuple(addresses.to_cidrs(ref.listed))) for name, ref in topo.networks.items()
    )
    firewalls = tuple(
        FirewallView(
            fw.name,
            fw.platform,
            tuple(
                (iface, tuple(r.label for r in refs))
                for iface, refs in (fw.interfaces or {}).items()
            ),
            fw.host,
        )
        for fw in topo.firewalls.values()
    )
    return TopologyView(
        topo.path,
        hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        topo.exchange,
        topo.catalogue.path,
        servers,
        networks,
        firewalls,
    )


def lint_file(path: str, platform: str, guessed: bool, ruleset: Ruleset) -> LintFile:
    rules = ruleset.rules()
    return LintFile(
        path,
        platform,
        guessed,
        len(rules),
        sum(map(understood, rules)),
        lines_unparsed(ruleset),
        tuple(n.message for n in ruleset.notes),
    )


def lint_report(
    files: list[LintFile], triage: Triage, checks: frozenset[str], inputs: tuple[str, ...] = ()
) -> LintReport:
    active, suppressed = entries(triage)
    return LintReport(tuple(files), active, suppressed, checks, inputs)


def open_extras(topo: Topology, found: list[Extra]) -> tuple[OpenExtra, ...]:
    """Open but not required, one row per service and sources (accepted ones with why)."""
    rows: list[OpenExtra] = []
    for extra in found:
        ib = extra.inbound
        address = addresses.first_address(ib.server.address)
        path = ib.local or f"{ib.in_iface} -> {ib.out_iface}"
        file, line = (extra.origin.file, extra.origin.line) if extra.origin else (None, None)
        groups: list[tuple[list[Box3], Allowance | None]] = [(extra.boxes, None)]
        groups += [(boxes, allowance) for allowance, boxes in extra.allowed]
        for boxes, allowance in groups:
            for service, src in services(boxes):
                names = source_names(topo, src)
                words = ib.region if src == ib.src else ", ".join(names or [])
                rows.append(
                    OpenExtra(
                        ib.server.name,
                        address,
                        path,
                        service,
                        words or addresses.describe(src),
                        tuple(addresses.to_cidrs(src)),
                        file,
                        line,
                        allowance.reason if allowance else None,
                        allowance.line if allowance else None,
                    )
                )
    return tuple(sorted(rows, key=lambda r: (r.dst, r.path, r.line or 0, r.service, r.src)))


def requirements_report(
    topo: Topology, required: list[Flow], extras: dict[str, list[Extra]] | None = None
) -> RequirementsReport:
    flows = tuple(
        RequiredFlow(
            f.id,
            f.requirement.name,
            f.kind,
            f.proto,
            port_value(f.ports),
            f.src_label,
            f.dst.name,
            f.dynamic,
            f.citation or topo.catalogue.cite(f.requirement.source),
            f.requirement.source,
            f.requirement.confidence,
        )
        for f in required
    )
    firewalls = []
    for fw in topo.firewalls.values():
        rows = []
        to_open: dict[tuple[str, str], IntervalSet] = {}
        for c in crossings(topo, required, fw):
            f = c.flow
            rows.append(
                Crossing(
                    f.id,
                    f.proto,
                    port_value(f.ports),
                    f.src_label,
                    tuple(addresses.to_cidrs(c.src)),
                    f.dst.name,
                    c.in_iface,
                    c.out_iface,
                    c.local or "forward",
                    f.requirement.source,
                    f.requirement.confidence,
                )
            )
            key = (f.dst.name, c.local or f"{c.in_iface} -> {c.out_iface}")
            to_open[key] = to_open.get(key, IntervalSet()) | f.ports
        opens = tuple(
            Opening(
                dst,
                addresses.first_address(topo.host(dst).address),
                path,
                "tcp",
                port_value(ports),
            )
            for (dst, path), ports in sorted(to_open.items())
        )
        unneeded = open_extras(topo, (extras or {}).get(fw.name, []))
        firewalls.append(
            FirewallRequirements(fw.name, fw.platform, fw.config, tuple(rows), opens, unneeded)
        )
    return RequirementsReport(
        topo.path, topo.exchange, flows, tuple(firewalls), requirement_notes(topo, required)
    )

"""One firewall's whole audit as a unit of work: read, parse, evaluate, check.

A firewall's findings depend on the topology and on that firewall alone (the audit-scope
checks promise it), so the firewalls of a topology are audited apart: one after the other,
in a process pool (``--jobs``), or not at all when the cache has the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit import platforms
from exaudit.analysis.context import AuditContext, firewall_audit
from exaudit.analysis.crossings import evaluate_crossings
from exaudit.analysis.lines import RuleIndex
from exaudit.analysis.status import FlowState, flow_states
from exaudit.checks.runner import firewall_checks
from exaudit.core.findings import Finding
from exaudit.exchange.flows import Flow
from exaudit.exchange.topology import Topology
from exaudit.pipeline.clock import Clock
from exaudit.pipeline.sources import Commented, Config
from exaudit.report.build import firewall_summary
from exaudit.report.model import FirewallSummary


@dataclass(frozen=True)
class FirewallJob:
    """What a worker needs to audit one firewall of a topology."""

    topology: Topology
    flows: list[Flow]
    firewall: str
    text: str  # the firewall's config, read once by the parent
    enabled: frozenset[str] | None
    # what ``diff`` compares besides findings: each flow's state and the rule lines
    compare: bool = False


@dataclass
class FirewallOutcome:
    """One firewall's audit, as the report and ``diff`` need it (no rule objects)."""

    firewall: str
    summary: FirewallSummary
    findings: list[Finding]
    texts: list[Commented]  # its config and the files the config read, for suppressions
    states: list[FlowState] | None = None
    rules: RuleIndex | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # per phase; none when cached


def audit_firewall(job: FirewallJob) -> FirewallOutcome:
    clock = Clock()
    fw = job.topology.firewalls[job.firewall]
    config = Config(fw.config, job.text, platforms.get(fw.platform), guessed=False)
    ruleset = config.parse()
    clock.lap("parse")
    fa = firewall_audit(fw, config.platform, ruleset)
    evaluate_crossings(job.topology, job.flows, fa)
    clock.lap("evaluate")
    findings = firewall_checks(AuditContext(job.topology, job.flows, [fa]), job.enabled)
    clock.lap("checks")
    outcome = FirewallOutcome(
        fw.name,
        firewall_summary(fa),
        findings,
        config.commented(ruleset, fw.name),
        seconds=clock.laps,
    )
    if job.compare:
        outcome.states = flow_states(fa)
        outcome.rules = RuleIndex.of(fa)
    return outcome

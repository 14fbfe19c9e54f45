"""What the audit's checks see: each firewall, its ruleset, and its crossings answered."""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.core.model import Chain, Ruleset, Stage
from exaudit.engine.evaluate import Evaluator, Question, Result, patterns_of
from exaudit.exchange.flows import Crossing, Flow
from exaudit.exchange.topology import Firewall, Topology
from exaudit.platforms.api import Platform


@dataclass
class Reply:
    """The replies of a crossing's permitted part, and which stages had to be evaluated."""

    result: Result
    stages: list[Stage]


@dataclass
class CrossingResult:
    crossing: Crossing
    forward: Result
    replies: list[Reply] = field(default_factory=list)


@dataclass
class FirewallAudit:
    firewall: Firewall
    ruleset: Ruleset
    platform: Platform
    evaluator: Evaluator
    results: list[CrossingResult] = field(default_factory=list)
    # answers shared between checks, keyed by the question's shape
    memo: dict[object, Result] = field(default_factory=dict)
    # counterfactual views of its chains (a stage with its denies set aside), built once
    views: dict[int, dict[str, Chain]] = field(default_factory=dict)

    def stages(
        self, *, in_iface: str | None, out_iface: str | None, local: str | None
    ) -> list[Stage]:
        return list(
            self.platform.stages(self.ruleset, in_iface=in_iface, out_iface=out_iface, local=local)
        )

    def ask(self, question: Question, local: str | None) -> Result:
        stages = self.stages(in_iface=question.in_iface, out_iface=question.out_iface, local=local)
        return self.evaluator.evaluate(stages, question)

    def iface_names(self) -> list[str]:
        return sorted(self.firewall.interfaces or {})


@dataclass
class AuditContext:
    topology: Topology
    flows: list[Flow]
    firewalls: list[FirewallAudit]


def firewall_audit(fw: Firewall, platform: Platform, ruleset: Ruleset) -> FirewallAudit:
    """A firewall ready for questions (its evaluator knows every interface name)."""
    names = set(fw.interfaces or {}) | patterns_of(ruleset.chains.values())
    return FirewallAudit(fw, ruleset, platform, Evaluator(names))

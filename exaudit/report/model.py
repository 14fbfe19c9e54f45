"""Typed reports: what every format renders, and their JSON shapes (the contract's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from exaudit import __version__
from exaudit.core.findings import Finding, Severity

TOOL = {"name": "exaudit", "version": __version__}


@dataclass(frozen=True)
class Suppression:
    """Why a finding does not count: an inline directive or a baseline entry."""

    kind: str  # "inline" (SARIF inSource) or "baseline" (SARIF external)
    justification: str
    file: str
    line: int

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "justification": self.justification,
            "location": {"file": self.file, "line": self.line},
        }


@dataclass(frozen=True)
class Entry:
    """A finding as reported: its fingerprint, and why it is suppressed if it is."""

    finding: Finding
    fingerprint: str
    suppression: Suppression | None = None

    def to_json(self) -> dict[str, Any]:
        out = self.finding.to_json()
        out["fingerprint"] = self.fingerprint
        if self.finding.text:
            out["text"] = self.finding.text
        if self.suppression is not None:
            out["suppression"] = self.suppression.to_json()
        return out


def severity_counts(findings: list[Finding]) -> dict[str, int]:
    counts = {s.value: 0 for s in Severity}
    for f in findings:
        counts[f.severity.value] += 1
    return counts


@dataclass(frozen=True)
class FlowVerdict:
    """A required flow at one firewall: its status and the lines deciding each verdict."""

    flow: dict[str, Any]  # the flow as findings show it (id, proto, port, src, dst, path)
    status: str  # permit, deny, partly denied, replies denied, undetermined
    lines: dict[str, list[int]]

    def to_json(self) -> dict[str, Any]:
        return {**self.flow, "status": self.status, "lines": self.lines}


@dataclass(frozen=True)
class FirewallSummary:
    name: str
    platform: str
    config: str
    rules: int
    lines_unparsed: int
    crossings: int
    line: int  # the topology line that declares the firewall
    flows: tuple[FlowVerdict, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "platform": self.platform,
            "config": self.config,
            "rules": self.rules,
            "lines_unparsed": self.lines_unparsed,
            "crossings": self.crossings,
            "line": self.line,
            "flows": [f.to_json() for f in self.flows],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FirewallSummary:
        flows = tuple(
            FlowVerdict(
                {k: v for k, v in f.items() if k not in ("status", "lines")},
                f["status"],
                f["lines"],
            )
            for f in data["flows"]
        )
        return cls(
            data["name"],
            data["platform"],
            data["config"],
            data["rules"],
            data["lines_unparsed"],
            data["crossings"],
            data["line"],
            flows,
        )


@dataclass(frozen=True)
class ServerView:
    name: str
    address: str
    site: str


@dataclass(frozen=True)
class FirewallView:
    """Where a firewall sits: what is behind each interface, or the server it protects."""

    name: str
    platform: str
    interfaces: tuple[tuple[str, tuple[str, ...]], ...]  # (interface, names and addresses)
    host: str | None


@dataclass(frozen=True)
class TopologyView:
    """The topology as a person draws it: sites, servers, networks, firewalls."""

    path: str
    sha256: str
    exchange: str
    catalogue: str  # the catalogue file the flows come from
    servers: tuple[ServerView, ...]
    networks: tuple[tuple[str, tuple[str, ...]], ...]  # (name, CIDRs)
    firewalls: tuple[FirewallView, ...]


@dataclass(frozen=True)
class AuditReport:
    """``exaudit audit``: the firewalls, their required flows and the findings."""

    KIND: ClassVar[str] = "audit"

    topology: str
    flows: int
    rules: int
    firewalls: tuple[FirewallSummary, ...]
    findings: tuple[Entry, ...]
    suppressed: tuple[Entry, ...]
    checks: frozenset[str] = frozenset()  # the checks that ran
    view: TopologyView | None = None  # for the formats that draw the topology
    inputs: tuple[str, ...] = ()  # every file read: a report must never overwrite one

    @property
    def counted(self) -> list[Finding]:
        return [e.finding for e in self.findings]

    def to_json(self) -> dict[str, Any]:
        summary: dict[str, Any] = severity_counts(self.counted)
        summary.update(
            {
                "firewalls": len(self.firewalls),
                "flows": self.flows,
                "rules": self.rules,
                "suppressed": len(self.suppressed),
            }
        )
        return {
            "schema": "exaudit.report/1",
            "tool": TOOL,
            "topology": self.topology,
            "summary": summary,
            "firewalls": [fw.to_json() for fw in self.firewalls],
            "findings": [e.to_json() for e in self.findings],
            "suppressed": [e.to_json() for e in self.suppressed],
        }


@dataclass(frozen=True)
class LintFile:
    file: str
    platform: str
    platform_guessed: bool
    rules: int
    rules_understood: int
    lines_unparsed: int
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "platform": self.platform,
            "platform_guessed": self.platform_guessed,
            "rules": self.rules,
            "rules_understood": self.rules_understood,
            "lines_unparsed": self.lines_unparsed,
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LintFile:
        return cls(
            data["file"],
            data["platform"],
            data["platform_guessed"],
            data["rules"],
            data["rules_understood"],
            data["lines_unparsed"],
            tuple(data["notes"]),
        )


@dataclass(frozen=True)
class LintReport:
    """``exaudit lint``: parse coverage per file and the findings of the rule checks."""

    KIND: ClassVar[str] = "lint"

    files: tuple[LintFile, ...]
    findings: tuple[Entry, ...]
    suppressed: tuple[Entry, ...]
    checks: frozenset[str] = frozenset()
    inputs: tuple[str, ...] = ()  # every file read: a report must never overwrite one

    @property
    def counted(self) -> list[Finding]:
        return [e.finding for e in self.findings]

    def to_json(self) -> dict[str, Any]:
        summary: dict[str, Any] = severity_counts(self.counted)
        summary.update(
            {
                "files": len(self.files),
                "rules": sum(f.rules for f in self.files),
                "rules_understood": sum(f.rules_understood for f in self.files),
                "suppressed": len(self.suppressed),
            }
        )
        return {
            "schema": "exaudit.lint/1",
            "tool": TOOL,
            "summary": summary,
            "files": [f.to_json() for f in self.files],
            "findings": [e.to_json() for e in self.findings],
            "suppressed": [e.to_json() for e in self.suppressed],
        }


@dataclass(frozen=True)
class RequiredFlow:
    id: str
    name: str
    kind: str
    proto: str
    port: int | str
    src: str
    dst: str
    dynamic: bool
    source: str  # the catalogue's citation
    source_id: str = ""  # the key the catalogue cites it by (KB176466, EXNP_2016)
    confidence: str = "verified"  # the research's mark: partial, inferred, unverified

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "proto": self.proto,
            "port": self.port,
            "src": self.src,
            "dst": self.dst,
            "dynamic": self.dynamic,
            "source": self.source,
            "source_id": self.source_id,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class Crossing:
    """A required flow (or the part of its sources) meeting one firewall."""

    id: str
    proto: str
    port: int | str
    src: str
    sources: tuple[str, ...]
    dst: str
    in_iface: str | None
    out_iface: str | None
    path: str  # "forward", "input" or "output"
    source_id: str = ""
    confidence: str = "verified"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "proto": self.proto,
            "port": self.port,
            "src": self.src,
            "sources": list(self.sources),
            "dst": self.dst,
            "in": self.in_iface,
            "out": self.out_iface,
            "path": self.path,
            "source_id": self.source_id,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class Opening:
    """What a firewall must open to one server on one path."""

    dst: str
    address: str
    path: str
    proto: str
    ports: int | str

    def to_json(self) -> dict[str, Any]:
        return {
            "dst": self.dst,
            "address": self.address,
            "path": self.path,
            "proto": self.proto,
            "ports": self.ports,
        }


@dataclass(frozen=True)
class OpenExtra:
    """Open to a server and required by no flow: one service from one side, at one line."""

    dst: str
    address: str
    path: str  # "eth0 -> eth2", or "input" on a host firewall
    service: str  # in words: "tcp/3389", "udp (every port)", "every protocol but tcp"
    src: str  # the sources in words (the side, or names, or addresses)
    sources: tuple[str, ...]  # the same sources as CIDRs
    file: str | None  # the permitting line (None: a default no line states)
    line: int | None
    allowed: str | None = None  # the policy.allow reason that accepts it
    allowed_line: int | None = None  # that entry's line in the topology

    def to_json(self) -> dict[str, Any]:
        where = {"file": self.file, "line": self.line} if self.file and self.line else None
        allowed = (
            {"reason": self.allowed, "line": self.allowed_line}
            if self.allowed is not None
            else None
        )
        return {
            "dst": self.dst,
            "address": self.address,
            "path": self.path,
            "service": self.service,
            "src": self.src,
            "sources": list(self.sources),
            "location": where,
            "allowed": allowed,
        }


@dataclass(frozen=True)
class FirewallRequirements:
    name: str
    platform: str
    config: str
    flows: tuple[Crossing, ...]
    open: tuple[Opening, ...]
    # what the firewall lets reach a server that no flow needs (accepted ones included)
    open_not_required: tuple[OpenExtra, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "platform": self.platform,
            "config": self.config,
            "flows": [c.to_json() for c in self.flows],
            "open": [o.to_json() for o in self.open],
            "open_not_required": [o.to_json() for o in self.open_not_required],
        }


@dataclass(frozen=True)
class RequirementsReport:
    """``exaudit requirements``: the required flows and what each firewall must open."""

    KIND: ClassVar[str] = "requirements"

    topology: str
    exchange: str
    flows: tuple[RequiredFlow, ...]
    firewalls: tuple[FirewallRequirements, ...]
    # said once: what a protocol means on a version, versions and entries the research
    # marks, server pairs no catalogue gives rules between
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": "exaudit.requirements/1",
            "tool": TOOL,
            "topology": self.topology,
            "exchange": self.exchange,
            "flows": [f.to_json() for f in self.flows],
            "firewalls": [fw.to_json() for fw in self.firewalls],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Moved:
    """A finding introduced or resolved by a change, with its rule's line on the other side."""

    entry: Entry
    other_line: int | None


@dataclass(frozen=True)
class FlowSide:
    """A required flow at a firewall on one side of a change."""

    status: str
    lines: list[int]
    denied: tuple[str, ...] = ()  # partly denied: the denied sources (CIDRs)
    replies_denied: tuple[str, ...] = ()  # replies denied: the clients they do not reach

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "lines": self.lines}
        if self.denied:
            out["denied"] = list(self.denied)
        if self.replies_denied:
            out["replies_denied"] = list(self.replies_denied)
        return out


@dataclass(frozen=True)
class FlowChange:
    firewall: str
    flow: dict[str, Any]
    change: str
    before: FlowSide | None  # None: the flow is not required on that side
    after: FlowSide | None

    def to_json(self) -> dict[str, Any]:
        return {
            "firewall": self.firewall,
            "flow": self.flow,
            "change": self.change,
            "before": self.before.to_json() if self.before else None,
            "after": self.after.to_json() if self.after else None,
        }


@dataclass(frozen=True)
class RuleChange:
    firewall: str
    text: str
    before_line: int | None
    after_line: int | None
    before: tuple[str, ...]
    after: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "firewall": self.firewall,
            "text": self.text,
            "before_line": self.before_line,
            "after_line": self.after_line,
            "before": list(self.before),
            "after": list(self.after),
        }


@dataclass(frozen=True)
class DiffReport:
    """``exaudit diff``: what a change to the configs or the topology changes."""

    KIND: ClassVar[str] = "diff"

    topology: str
    before: str
    firewalls: tuple[FirewallSummary, ...]  # as they are now (no flows)
    flows: tuple[FlowChange, ...]
    introduced: tuple[Moved, ...]
    resolved: tuple[Moved, ...]
    rules: tuple[RuleChange, ...]
    checks: frozenset[str] = field(default=frozenset())
    # the same finding (check, firewall, flow, place of its rule) with its rule edited:
    # (before, now); neither introduced nor resolved
    changed: tuple[tuple[Entry, Entry], ...] = ()
    inputs: tuple[str, ...] = ()  # every file read: a report must never overwrite one

    @property
    def counted(self) -> list[Finding]:
        return [m.entry.finding for m in self.introduced]

    @property
    def empty(self) -> bool:
        return not (self.flows or self.introduced or self.resolved or self.rules or self.changed)

    def to_json(self) -> dict[str, Any]:
        def moved(m: Moved, key: str) -> dict[str, Any]:
            out = m.entry.to_json()
            out[key] = m.other_line
            return out

        summary = {
            "introduced": severity_counts(self.counted),
            "resolved": len(self.resolved),
            "changed": len(self.changed),
            "flows_changed": len(self.flows),
            "rules_changed": len(self.rules),
        }
        firewalls = [
            {"name": fw.name, "platform": fw.platform, "config": fw.config, "line": fw.line}
            for fw in self.firewalls
        ]
        return {
            "schema": "exaudit.diff/1",
            "tool": TOOL,
            "topology": self.topology,
            "before": self.before,
            "summary": summary,
            "firewalls": firewalls,
            "flows": [c.to_json() for c in self.flows],
            "introduced": [moved(m, "line_before") for m in self.introduced],
            "resolved": [moved(m, "line_after") for m in self.resolved],
            "changed": [{"before": a.to_json(), "after": b.to_json()} for a, b in self.changed],
            "rules": [r.to_json() for r in self.rules],
        }


Report = AuditReport | LintReport | RequirementsReport | DiffReport

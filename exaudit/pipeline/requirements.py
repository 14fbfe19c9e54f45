"""``exaudit requirements``: the required flows and what each firewall must open."""

from __future__ import annotations

from exaudit.exchange.flows import derive_flows
from exaudit.exchange.topology import load_topology
from exaudit.report.build import requirements_report
from exaudit.report.model import RequirementsReport


def requirements(topology_path: str) -> RequirementsReport:
    topo = load_topology(topology_path)
    return requirements_report(topo, derive_flows(topo))

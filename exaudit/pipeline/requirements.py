"""``exaudit requirements``: the required flows, what to open, what is open but not required."""

from __future__ import annotations

from exaudit import platforms
from exaudit.analysis.context import firewall_audit
from exaudit.analysis.interfaces import verify_interfaces
from exaudit.analysis.unneeded import Extra, extras
from exaudit.core.textfile import read_text
from exaudit.exchange.flows import Flow, derive_flows
from exaudit.exchange.topology import Firewall, Topology, load_topology
from exaudit.pipeline.sources import Config
from exaudit.report.build import requirements_report
from exaudit.report.model import RequirementsReport


def requirements(topology_path: str) -> RequirementsReport:
    topo = load_topology(topology_path)
    flows = derive_flows(topo)
    found = {fw.name: open_not_required(topo, flows, fw) for fw in topo.firewalls.values()}
    return requirements_report(topo, flows, found)


def open_not_required(topo: Topology, flows: list[Flow], fw: Firewall) -> list[Extra]:
    """What ``fw``'s config lets reach each server beyond the required flows."""
    config = Config(fw.config, read_text(fw.config), platforms.get(fw.platform), guessed=False)
    fa = firewall_audit(fw, config.platform, config.parse())
    verify_interfaces(topo, fa)
    return extras(topo, flows, fa)

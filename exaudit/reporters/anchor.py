"""Where a CI tool shows a finding: its location, else its firewall's topology entry."""

from __future__ import annotations

from exaudit.core.findings import Finding
from exaudit.report.model import FirewallSummary


def anchor(
    topology: str | None, firewalls: tuple[FirewallSummary, ...], finding: Finding
) -> tuple[str, int] | None:
    """``(file, line)`` for a finding.

    A finding without a location (an implicit deny: no line of the config decides) is
    shown at the line of the topology that declares the firewall, which is where the
    firewall enters the audit; without a firewall, at the topology's first line.
    """
    if finding.location is not None:
        return finding.location.file, finding.location.line
    if not topology:
        return None
    for fw in firewalls:
        if fw.name == finding.firewall and fw.line:
            return topology, fw.line
    return topology, 1

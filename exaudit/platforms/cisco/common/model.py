"""What IOS and ASA add to the model: the device data their stages and fixes read."""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.core.model import InterfaceNetwork, Ruleset, Stage
from exaudit.platforms.cisco.common.interfaces import same_interface

StageKey = tuple[str | None, str | None, str | None]  # (in_iface, out_iface, chain)


@dataclass
class CiscoRuleset(Ruleset):
    """A Cisco configuration's chains, with the lines stages quote and their answers."""

    lines: list[str] = field(default_factory=list)
    # ACE lines, and how many of them are fully modelled / partly / not understood
    coverage: dict[str, int] = field(default_factory=dict)
    stage_cache: dict[StageKey, list[Stage]] = field(default_factory=dict)

    def networks_of(self, interface: str) -> list[InterfaceNetwork]:
        """As the base does, and by any spelling IOS accepts (``Gi0/1``)."""
        key = same_interface(interface, self.interface_networks)
        return self.interface_networks[key] if key else super().networks_of(interface)

    def line_text(self, index: int) -> str:
        """Line ``index`` (0-based) as written, stripped; empty past the end."""
        return self.lines[index].strip() if index < len(self.lines) else ""

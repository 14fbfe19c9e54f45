"""The topology's interface names against the config: undefined ones at the topology's line."""

from __future__ import annotations

from exaudit.analysis.context import FirewallAudit
from exaudit.core.errors import InputError
from exaudit.exchange.topology import Topology


def verify_interfaces(topo: Topology, fa: FirewallAudit) -> None:
    """A platform that defines interfaces (Cisco) refuses a name its config lacks; the
    mistake is the topology's, so the error names the topology's line for it."""
    fw = fa.firewall
    names = list(fw.interfaces or {})
    for name in names:
        other = next((n for n in names if n != name), None)
        try:
            fa.stages(in_iface=name, out_iface=other, local=None)
        except InputError as exc:
            if exc.file != fa.ruleset.file or f"interface {name} " not in f"{exc.message} ":
                raise
            line = fw.interface_lines.get(name, fw.line)
            raise InputError(
                topo.path, line, f"firewall {fw.name!r}: {exc.message} ({fw.config})"
            ) from None

"""What the topology drawing shows, whatever draws it: sites, networks, firewalls, problems."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from exaudit.report.model import FirewallSummary, TopologyView
from exaudit.reporters import html_states as states
from exaudit.reporters.html_findings import Anchored, FlowKey, flow_key


@dataclass(frozen=True)
class Problem:
    """A required flow a firewall does not (surely) let through, for a red line."""

    firewall: str
    src: str
    dst: str
    state: states.State
    what: str  # "imap4-ssl tcp/993"
    href: str | None  # the finding about it


@dataclass(frozen=True)
class Scene:
    view: TopologyView
    home: Mapping[str, str]  # server -> the most specific network holding its address
    problems: tuple[Problem, ...]
    fw_ids: Mapping[str, str]  # firewall -> its section's id

    @property
    def sites(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for s in self.view.servers:
            out.setdefault(s.site, []).append(s.name)
        return out

    def server_side(self, label: str) -> bool:
        """Whether a name behind an interface is a server or a network holding one."""
        return label in {s.name for s in self.view.servers} or label in self.home.values()


def _homes(view: TopologyView) -> dict[str, str]:
    nets = []
    for name, cidrs in view.networks:
        for c in cidrs:
            try:
                net = ipaddress.ip_network(c, strict=False)
            except ValueError:
                continue
            if net.prefixlen:  # "anywhere" holds every server: it says nothing
                nets.append((net, name))
    out = {}
    for s in view.servers:
        try:
            addr = ipaddress.ip_address(s.address)
        except ValueError:
            continue
        holding = [(net.prefixlen, name) for net, name in nets if addr in net]
        if holding:
            out[s.name] = max(holding, key=lambda t: t[0])[1]
    return out


def problems(
    firewalls: Sequence[FirewallSummary], findings: Mapping[tuple[str, FlowKey], list[Anchored]]
) -> tuple[Problem, ...]:
    out = []
    for fw in firewalls:
        for v in fw.flows:
            state = states.of(v.status)
            if state.rank <= 0:
                continue
            linked = findings.get((fw.name, flow_key(v.flow)))
            f = v.flow
            out.append(
                Problem(
                    fw.name,
                    str(f.get("src")),
                    str(f.get("dst")),
                    state,
                    f"{f.get('id')} {f.get('proto', 'tcp')}/{f.get('port')}",
                    f"#{linked[0].id}" if linked else None,
                )
            )
    return tuple(out)


def scene(
    view: TopologyView,
    firewalls: Sequence[FirewallSummary],
    findings: Mapping[tuple[str, FlowKey], list[Anchored]],
    fw_ids: Mapping[str, str],
) -> Scene:
    return Scene(view, _homes(view), problems(firewalls, findings), fw_ids)

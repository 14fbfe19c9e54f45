"""``exaudit requirements`` as text: per firewall, the ports to open and the flows."""

from __future__ import annotations

from exaudit.report.model import FirewallRequirements, RequirementsReport
from exaudit.reporters.options import RenderOptions
from exaudit.reporters.tables import tabulate


def render(report: RequirementsReport, options: RenderOptions) -> str:
    out = [
        f"exaudit requirements of {report.topology} (Exchange {report.exchange}): "
        f"{len(report.flows)} required flow(s)",
        "",
    ]
    for fw in report.firewalls:
        out.append(f"== {fw.name} ({fw.platform}, {fw.config}) ==")
        if not fw.flows:
            out += ["no required flow crosses this firewall", ""]
            out += _open_not_required(fw)
            continue
        out.append("ports to open (and to monitor):")
        out.append(
            tabulate(
                [[o.dst, o.address, o.path, f"tcp/{o.ports}"] for o in fw.open],
                headers=["server", "address", "path", "ports"],
            )
        )
        out.append("")
        out.append(
            tabulate(
                [
                    [
                        r.id,
                        f"{r.proto}/{r.port}",
                        r.src,
                        r.dst,
                        r.path if r.path != "forward" else f"{r.in_iface} -> {r.out_iface}",
                        r.source_id + ("" if r.confidence == "verified" else f" ({r.confidence})"),
                    ]
                    for r in fw.flows
                ],
                headers=["flow", "port", "from", "to", "path", "source"],
            )
        )
        out.append("")
        out += _open_not_required(fw)
    if report.notes:
        out.append("notes:")
        out += [f"- {note}" for note in report.notes]
        out.append("")
    return "\n".join(out)


def _open_not_required(fw: FirewallRequirements) -> list[str]:
    """What the firewall lets reach a server that no required flow needs."""
    if not fw.open_not_required:
        return ["open but not required: nothing", ""]
    rows = [
        [
            o.dst,
            o.path,
            o.service,
            o.src,
            f"line {o.line}" if o.line else "default",
            f"yes (line {o.allowed_line}: {o.allowed})" if o.allowed is not None else "no",
        ]
        for o in fw.open_not_required
    ]
    return [
        "open but not required (new connections no required flow needs):",
        tabulate(rows, headers=["server", "path", "service", "from", "at", "policy.allow"]),
        "",
    ]

"""What a packet meets in pf: the ``in`` rules on the way in, the ``out`` rules on the way out."""

from __future__ import annotations

from exaudit.core.model import Ruleset, Stage


def stages(
    ruleset: Ruleset,
    *,
    in_iface: str | None,
    out_iface: str | None,
    chain: str | None = None,
    local: str | None = None,
) -> list[Stage]:
    """The ``in`` rules on the ingress interface, then the ``out`` rules on the egress one.

    ``local="input"``: the ``in`` rules only (traffic to the firewall itself, any
    interface when ``in_iface`` is None); ``local="output"``: the ``out`` rules only.
    ``chain`` ("in"/"out") picks one of the two explicitly.
    """
    chains = ruleset.chains
    wanted: list[tuple[str, str | None]] = []
    if chain in ("in", "out"):
        wanted = [(chain, in_iface if chain == "in" else out_iface)]
    elif local == "input":
        wanted = [("in", in_iface)]
    elif local == "output":
        wanted = [("out", out_iface)]
    else:
        if in_iface:
            wanted.append(("in", in_iface))
        if out_iface:
            wanted.append(("out", out_iface))
    return [Stage(f"{d} on {iface}" if iface else d, chains, d) for d, iface in wanted]

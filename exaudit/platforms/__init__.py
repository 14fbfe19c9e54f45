"""The platform registry: one module per firewall syntax, each with the same functions.

A platform module provides:

- ``NAME``: the platform's name in topologies and on the command line;
- ``parse(text: str, path: str) -> Ruleset``: vendor text to the normalized model; raises
  ``InputError`` for input that cannot be used, records ``Issue``s for lines it does not
  understand or does not model;
- ``stages(ruleset, *, in_iface, out_iface, chain=None, local=None) -> list[Stage]``: which
  parts of the ruleset a packet meets, in order (``local`` is ``"input"`` or ``"output"``
  for a host firewall's own traffic);
- ``looks_like(text: str) -> float``: how sure it is that ``text`` is its syntax (0..1);
- ``fix(ruleset, request: FixRequest) -> str | None``: a rule in the platform's own syntax
  that would permit the request, placed where the semantics make it effective;
- optionally ``STATEFUL = True`` when every permitted connection's replies pass by state
  whatever the rules say (ASA); otherwise statefulness is per rule (``Rule.stateful``).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from exaudit.core.errors import InputError
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import Origin

_MODULES = {
    "iptables": "exaudit.platforms.iptables",
    "pf": "exaudit.platforms.pf",
    "ios": "exaudit.platforms.ios",
    "asa": "exaudit.platforms.asa",
}
NAMES = tuple(_MODULES)


@dataclass(frozen=True)
class FixRequest:
    """What a suggested rule must permit, and where it must go."""

    proto: str  # "tcp" or "udp"
    sources: tuple[str, ...]  # CIDRs or addresses
    destination: str  # an address
    ports: IntervalSet  # destination ports
    in_iface: str | None
    out_iface: str | None
    local: str | None  # "input"/"output" for a host firewall, else None
    stage: str  # the stage label where the deny happened
    before: Origin | None  # the deciding deny line (None: implicit deny or policy)


def get(name: str) -> ModuleType:
    try:
        return import_module(_MODULES[name])
    except KeyError:
        raise InputError(None, None, f"unknown platform {name!r} "
                         f"(known: {', '.join(NAMES)})") from None


def available() -> list[str]:
    out = []
    for name in NAMES:
        try:
            import_module(_MODULES[name])
        except ImportError:
            continue
        out.append(name)
    return out


def detect(text: str, path: str) -> str:
    """Guess the platform from content; an error when nothing is convincing."""
    best, score = None, 0.0
    for name in available():
        s = float(get(name).looks_like(text))
        if s > score:
            best, score = name, s
    if best is None or score < 0.3:
        raise InputError(path, None, "cannot tell which firewall syntax this is; "
                         "give --platform iptables|pf|ios|asa")
    return best

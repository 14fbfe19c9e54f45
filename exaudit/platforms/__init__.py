"""The platform registry: every firewall syntax, listed once, loaded when first used."""

from __future__ import annotations

from importlib import import_module

from exaudit.core.errors import InputError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:  # the contract's types are only needed once a platform is loaded
    from exaudit.platforms.api import Platform

# name -> the module whose ``PLATFORM`` describes it (imported on first use: some
# parsers pull in heavy libraries, and a CLI should start fast)
_MODULES = {
    "iptables": "exaudit.platforms.iptables",
    "pf": "exaudit.platforms.pf",
    "ios": "exaudit.platforms.cisco.ios",
    "asa": "exaudit.platforms.cisco.asa",
    "nftables": "exaudit.platforms.nftables",
}
NAMES = tuple(_MODULES)


def get(name: str) -> Platform:
    if name not in _MODULES:
        raise InputError(None, None, f"unknown platform {name!r} (known: {', '.join(NAMES)})")
    found: Platform = import_module(_MODULES[name]).PLATFORM
    assert found.name == name, name
    return found


def detect(text: str, path: str) -> str:
    """Guess the platform from content; an error when nothing is convincing."""
    best, score = None, 0.0
    for name in NAMES:
        s = float(get(name).looks_like(text))
        if s > score:
            best, score = name, s
    if best is None or score < 0.3:
        raise NotAFirewall(
            path,
            None,
            "not a firewall configuration exaudit can tell "
            f"({', '.join(NAMES)}); if it is one, give --platform",
        )
    return best


class NotAFirewall(InputError):
    """A file whose content reads as none of the platforms' syntaxes."""

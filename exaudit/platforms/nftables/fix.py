"""An nft rule that permits what a finding says is denied, and where it goes."""

from __future__ import annotations

from exaudit.core import addresses
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import Ruleset
from exaudit.platforms.api import FixRequest
from exaudit.platforms.nftables.model import NftRuleset


def _ports(ports: IntervalSet) -> str:
    items = [str(a) if a == b else f"{a}-{b}" for a, b in ports.spans]
    return items[0] if len(items) == 1 else "{ " + ", ".join(items) + " }"


def _set(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "{ " + ", ".join(items) + " }"


def _hook(ruleset: NftRuleset, key: str) -> str | None:
    return next((b.hook for b in ruleset.base_chains if b.key == key), None)


def _chain(ruleset: NftRuleset, request: FixRequest) -> str | None:
    """The deciding rule's chain, else the chain the packets fell off (a policy denied)."""
    if request.before is not None:
        found = ruleset.where.get(request.before)
        if found is not None:
            return found
    if request.chains and request.chains[-1] in ruleset.chains:
        return request.chains[-1]
    if request.stage in ruleset.chains:
        return request.stage
    hook = request.local or ("forward" if request.out_iface else "input")
    return next((b.key for b in ruleset.base_chains if b.hook == hook), None)


def fix(ruleset: Ruleset, request: FixRequest) -> str | None:
    """``nft add rule ...`` (a policy denied) or the rule to insert before the deciding line."""
    assert isinstance(ruleset, NftRuleset)
    key = _chain(ruleset, request)
    if key is None:
        return None
    family = key.split(" ", 1)[0]
    hook = _hook(ruleset, request.stage) or _hook(ruleset, key)
    words = []
    if request.in_iface and hook not in ("output", "postrouting"):
        words.append(f'iifname "{request.in_iface}"')
    if request.out_iface and hook not in ("input", "prerouting"):
        words.append(f'oifname "{request.out_iface}"')
    try:
        dst = addresses.parse(request.destination)
    except addresses.AddressError:
        return None
    six = not dst.issubset(addresses.ALL_V4)
    ip = "ip6" if six else "ip"
    if (family == "ip" and six) or (family == "ip6" and not six):
        return None  # this table never sees the packets
    space = addresses.ALL_V6 if six else addresses.ALL_V4
    sources = []
    for text in request.sources:
        try:
            if addresses.parse(text).issubset(space):
                sources.append(text)
        except addresses.AddressError:
            continue
    if sources:
        words.append(f"{ip} saddr {_set(sources)}")
    words.append(f"{ip} daddr {request.destination}")
    words.append(f"{request.proto} dport {_ports(request.ports)} accept")
    rule = " ".join(words)
    if request.before is None or request.before not in ruleset.where:
        return f"nft add rule {key} {rule}"  # a policy denied: at the end of the chain
    where = (
        f"line {request.before.line}"
        if request.before.file == ruleset.file
        else f"{request.before.file} line {request.before.line}"
    )
    return f"{rule}  # in chain {key}, before {where}"

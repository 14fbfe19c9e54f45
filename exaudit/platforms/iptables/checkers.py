"""Value checkers of extension options: each returns None when a value is fine, else why not."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

from exaudit.platforms.iptables.names import PROTOCOLS, SERVICES

# --- value checkers: each returns None when the value is fine, else the complaint ---------

# a value checker: (value, address family) -> None when fine, else the complaint
Checker = Callable[[str, int], "str | None"]


def strtoul(text: str) -> int | None:
    """C ``strtoul(text, 0)`` over the whole string: decimal, 0x hex or 0 octal; no sign."""
    if not text or text[0] in "+- \t":
        return None
    try:
        if text[:2] in ("0x", "0X"):
            return int(text[2:], 16) if text[2:] else None
        if len(text) > 1 and text[0] == "0":
            return int(text[1:], 8)
        return int(text, 10) if text.isdigit() else None
    except ValueError:
        return None


def port_value(text: str) -> int | None:
    if text.isdigit():
        value = int(text)
        return value if value <= 65535 else None
    return SERVICES.get(text)


def _uint(lo: int, hi: int) -> Checker:
    def check(v: str, _fam: int) -> str | None:
        n = strtoul(v)
        if n is None or not lo <= n <= hi:
            return f"bad value {v!r} (a number {lo}-{hi})"
        return None

    return check


def _urange(hi: int) -> Checker:
    def check(v: str, _fam: int) -> str | None:
        parts = v.split(":")
        if len(parts) > 2:
            return f"too many components in {v!r}"
        vals = []
        for i, p in enumerate(parts):
            if p == "":
                vals.append(0 if i == 0 else hi)
                continue
            n = strtoul(p)
            if n is None or n > hi:
                return f"bad value {p!r} in {v!r} (0-{hi})"
            vals.append(n)
        if len(vals) == 2 and vals[0] > vals[1]:
            return f"range {v!r} ends before it starts"
        return None

    return check


def _port(v: str, _fam: int) -> str | None:
    return None if port_value(v) is not None else f"port {v!r} does not resolve to anything"


def _portrange(v: str, _fam: int) -> str | None:
    parts = v.split(":")
    if len(parts) > 2:
        return f"too many components in {v!r}"
    vals = []
    for i, p in enumerate(parts):
        if p == "":
            vals.append(0 if i == 0 else 65535)
            continue
        n = port_value(p)
        if n is None:
            return f"port {p!r} does not resolve to anything"
        vals.append(n)
    if len(vals) == 2 and vals[0] > vals[1]:
        return f"port range {v!r} ends before it starts"
    return None


def _dashports(v: str, _fam: int) -> str | None:
    """NAT ``--to-ports p`` (a number or a service name) or ``a-b`` (numbers)."""
    if port_value(v) is not None:
        return None
    parts = v.split("-")
    if not all(p.isdigit() for p in parts):
        return f"bad port range {v!r}"
    if len(parts) > 2:
        return f"bad port range {v!r}"
    vals = []
    for p in parts:
        n = port_value(p)
        if n is None:
            return f"bad port {p!r}"
        vals.append(n)
    if len(vals) == 2 and vals[0] > vals[1]:
        return f"port range {v!r} ends before it starts"
    return None


def _str(maxlen: int = 0, minlen: int = 0) -> Checker:
    def check(v: str, _fam: int) -> str | None:
        if maxlen and len(v) > maxlen:
            return f"argument longer than {maxlen} characters"
        if len(v) < minlen:
            return f"argument shorter than {minlen} characters"
        return None

    return check


def _any(_v: str, _fam: int) -> str | None:
    return None


def _mark(v: str, _fam: int) -> str | None:
    value, _, mask = v.partition("/")
    for part in (value, mask) if "/" in v else (value,):
        n = strtoul(part)
        if n is None or n > 0xFFFFFFFF:
            return f"bad mark {v!r}"
    return None


_TOS_NAMES = {
    "minimize-delay",
    "maximize-throughput",
    "maximize-reliability",
    "minimize-cost",
    "normal-service",
}


def _tos(v: str, _fam: int) -> str | None:
    if v.lower() in _TOS_NAMES:
        return None
    return (
        _mark(v, 4)
        if all((n := strtoul(p)) is not None and n <= 255 for p in v.split("/", 1))
        else f"bad TOS value {v!r}"
    )


_LEVELS = {"alert", "crit", "debug", "emerg", "error", "info", "notice", "panic", "warning"}


def _level(v: str, _fam: int) -> str | None:
    n = strtoul(v)
    if (n is not None and n <= 7) or v in _LEVELS:
        return None
    return f"log level {v!r} unknown"


_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){0,3}$")


def _is_address(v: str, fam: int) -> bool:

    try:
        addr = ipaddress.ip_address(v)
    except ValueError:
        return False
    return addr.version == fam


def _host(v: str, fam: int) -> str | None:
    if _is_address(v, fam):
        return None
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.-]*", v) and not _IPV4.match(v):
        return None  # a host name, resolved by iptables when the rule is loaded
    return f"bad address {v!r}"


def _plen(v: str, fam: int) -> str | None:
    n = strtoul(v)
    width = 32 if fam == 4 else 128
    if n is not None and n <= width:
        return None
    return None if _is_address(v, fam) else f"bad prefix length or mask {v!r}"


def _hostmask(v: str, fam: int) -> str | None:
    addr, slash, mask = v.partition("/")
    return _host(addr, fam) or (_plen(mask, fam) if slash else None)


def _mac(v: str, _fam: int) -> str | None:
    if re.fullmatch(r"[0-9A-Fa-f]{1,2}(:[0-9A-Fa-f]{1,2}){5}", v):
        return None
    return f"invalid MAC address {v!r}"


def _proto(v: str, _fam: int) -> str | None:
    n = strtoul(v)
    if (n is not None and n <= 255) or v.lower() in PROTOCOLS:
        return None
    return f"unknown protocol {v!r}"


def _float(lo: float, hi: float) -> Checker:
    def check(v: str, _fam: int) -> str | None:
        try:
            f = float(v)
        except ValueError:
            return f"bad number {v!r}"
        return None if lo <= f <= hi else f"{v!r} out of range ({lo}-{hi})"

    return check


_RATE = re.compile(
    r"^(\d+)(/(s|se|sec|seco|secon|second|m|mi|min|minu|minut|minute|"
    r"h|ho|hou|hour|d|da|day))?$"
)
_BYTE_RATE = re.compile(r"^\d+(b|kb|mb)/s$")


def _rate(v: str, _fam: int) -> str | None:
    m = _RATE.match(v)
    if m and int(m.group(1)) > 0:
        return None
    return f"bad rate {v!r}"


def _hrate(v: str, fam: int) -> str | None:
    return None if _BYTE_RATE.match(v) else _rate(v, fam)


def _burst(v: str, _fam: int) -> str | None:
    return None if re.fullmatch(r"\d+(b|kb|mb)?", v) else f"bad burst {v!r}"


def _idrange(v: str, _fam: int) -> str | None:
    lo, _, hi = v.partition("-")
    for part in (lo, hi) if hi else (lo,):
        if not (part.isdigit() or re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", part)):
            return f"bad user or group {v!r}"
    return None


def _enum(names: list[str], ci: bool) -> Checker:
    allowed = {n.lower() for n in names} if ci else set(names)

    def check(v: str, _fam: int) -> str | None:
        return None if (v.lower() if ci else v) in allowed else f"bad value {v!r}"

    return check


def _list(names: list[str]) -> Checker:
    allowed = {n.lower() for n in names}

    def check(v: str, _fam: int) -> str | None:
        items = v.split(",")
        bad = [i for i in items if i.lower() not in allowed]
        return f"bad value {bad[0]!r} in {v!r}" if bad else None

    return check


def _iprange(v: str, fam: int) -> str | None:
    lo, dash, hi = v.partition("-")
    if not dash:  # one address
        hi = lo
    if not (_is_address(lo, fam) and _is_address(hi, fam)):
        return f"bad address range {v!r}"
    return None


def _nat_to(v: str, fam: int) -> str | None:
    """SNAT/DNAT ``--to-source`` addr[-addr][:port[-port][/base]]; v6 addresses in []."""
    m = (
        re.fullmatch(r"\[([0-9A-Fa-f:.]+)(?:-([0-9A-Fa-f:.]+))?\](?::(.*))?", v)
        if fam == 6
        else None
    )
    if m is None:
        if fam == 6 and ":" in v and "[" not in v:
            addrs, ports = v, None
            first, _, last = addrs.partition("-")
        else:
            addrs, colon, ports = v.partition(":")
            ports = ports if colon else None
            first, _, last = addrs.partition("-")
    else:
        first, last, ports = m.group(1), m.group(2) or "", m.group(3)
    if (first and not _is_address(first, fam)) or (last and not _is_address(last, fam)):
        return f"bad NAT address {v!r}"
    if ports is not None:
        spec, slash, base = ports.partition("/")
        if _dashports(spec, fam):
            return f"bad NAT port range {v!r}"
        if slash:
            n = port_value(base)
            if n is None or n == 0:
                return f"bad NAT base port {v!r}"
    return None


def _prefix(v: str, fam: int) -> str | None:
    addr, slash, length = v.partition("/")
    if not slash or not _is_address(addr, fam) or _plen(length, fam):
        return f"bad prefix {v!r}"
    return None


def _set(v: str, _fam: int) -> str | None:
    return None


_TYPES = {
    "flag": None,
    "str": _str(),
    "any": _any,
    "port": _port,
    "portrc": _portrange,
    "dashports": _dashports,
    "mark": _mark,
    "tos": _tos,
    "level": _level,
    "host": _host,
    "hostmask": _hostmask,
    "plen": _plen,
    "mac": _mac,
    "proto": _proto,
    "rate": _rate,
    "hrate": _hrate,
    "burst": _burst,
    "idrange": _idrange,
    "iprange": _iprange,
    "natto": _nat_to,
    "prefix": _prefix,
    "u8": _uint(0, 0xFF),
    "u16": _uint(0, 0xFFFF),
    "u32": _uint(0, 0xFFFFFFFF),
    "u64": _uint(0, 0xFFFFFFFFFFFFFFFF),
    "u8rc": _urange(0xFF),
    "u16rc": _urange(0xFFFF),
    "u32rc": _urange(0xFFFFFFFF),
    "u64rc": _urange(0xFFFFFFFFFFFFFFFF),
}

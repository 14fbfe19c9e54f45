"""The rule-level constraints iptables checks after reading a command's options."""

from __future__ import annotations

from exaudit.platforms.iptables import checkers
from exaudit.platforms.iptables.names import (
    INCOMING_CHAINS,
    MAX_CHAIN_NAME,
    OUTGOING_CHAINS,
    STANDARD_TARGETS,
    TARGETS,
)
from exaudit.platforms.iptables.words import _RULE_COMMANDS, Command, ModuleUse, RuleError


def _final_checks(cmd: Command, family: int) -> None:
    errors = cmd.errors
    letter = cmd.command
    rule_opts = (
        cmd.proto is not None
        or cmd.src is not None
        or cmd.dst is not None
        or cmd.iif is not None
        or cmd.oif is not None
        or cmd.fragment
        or cmd.matches
        or cmd.target is not None
    )
    if rule_opts and letter not in _RULE_COMMANDS:
        raise RuleError(f"rule options are not allowed with -{letter}")
    if letter == "D" and cmd.rulenum is not None and rule_opts:
        raise RuleError("-D with a rule number takes no rule options")
    chain = cmd.chain
    if chain is not None and len(chain) > MAX_CHAIN_NAME:
        raise RuleError(f"chain name {chain!r} too long (must be under 29 chars)")
    if letter == "N" and chain is not None:
        if chain[:1] in ("-", "!") or any(c.isspace() for c in chain):
            raise RuleError(f"invalid chain name {chain!r}")
        if chain in TARGETS or chain in STANDARD_TARGETS:
            raise RuleError(f"chain name {chain!r} clashes with a target name")
    if letter in _RULE_COMMANDS and chain is not None:
        if chain in INCOMING_CHAINS and cmd.oif is not None:
            errors.append(f"can't use -o with {chain}")
        if chain in OUTGOING_CHAINS and cmd.iif is not None:
            errors.append(f"can't use -i with {chain}")
    if cmd.table == "nat" and (cmd.policy == "DROP" or cmd.target == "DROP"):
        errors.append("the nat table is not intended for filtering: DROP is refused there")
    for use in cmd.matches:
        _check_extension(cmd, use, family, is_target=False)
    if cmd.target_use is not None:
        _check_extension(cmd, cmd.target_use, family, is_target=True)


def _check_extension(cmd: Command, use: ModuleUse, family: int, is_target: bool) -> None:
    spec = use.spec
    errors = cmd.errors
    label = ("target " if is_target else "match ") + use.name
    if spec.lenient:
        return
    given: set[str] = set()
    for name, invert, _vals in use.opts:
        opt = spec.options[name]
        if name in given and not opt.multi:
            errors.append(f"{label}: option --{name} can only be used once")
        given.add(name)
        if invert and not opt.invert:
            errors.append(f"{label}: option --{name} cannot be inverted")
        # value checks happen when the option is turned into a model contribution
    for name, opt in spec.options.items():
        if opt.mandatory and name not in given:
            errors.append(f"{label}: option --{name} must be specified")
    for group in spec.need:
        if not given.intersection(group):
            errors.append(f"{label}: needs one of --{', --'.join(group)}")
    for group in spec.one:
        hits = given.intersection(group)
        if len(hits) != 1:
            errors.append(f"{label}: needs exactly one of --{', --'.join(group)}")
    for group in spec.excl:
        if len(given.intersection(group)) > 1:
            errors.append(f"{label}: --{', --'.join(group)} cannot be used together")
    for first, second in spec.also:
        if first in given and second not in given:
            errors.append(f"{label}: --{first} also requires --{second}")
    if spec.protos is not None and (cmd.proto not in spec.protos or cmd.proto_neg):
        errors.append(
            f"{label} needs -p "
            + "/".join(sorted(_PROTO_NAMES.get(p, str(p)) for p in spec.protos))
            + " (not negated)"
        )
    if spec.chains is not None and cmd.chain in _BUILTIN_ANY and cmd.chain not in spec.chains:
        errors.append(f"{label} cannot be used in the {cmd.chain} chain")
    if spec.tables is not None and cmd.table not in spec.tables:
        errors.append(f"{label} cannot be used in the {cmd.table} table")
    custom = _CUSTOM.get(use.name)
    if custom is not None:
        problem = custom(cmd, use, family)
        if problem:
            errors.append(f"{label}: {problem}")


_BUILTIN_ANY = frozenset({"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"})
_PROTO_NAMES = {
    6: "tcp",
    17: "udp",
    1: "icmp",
    58: "ipv6-icmp",
    132: "sctp",
    33: "dccp",
    136: "udplite",
    50: "esp",
    51: "ah",
    108: "ipcomp",
    135: "mh",
}


def _values(use: ModuleUse, name: str) -> list[tuple[bool, tuple[str, ...]]]:
    return [(inv, vals) for n, inv, vals in use.opts if n == name]


def _c_conntrack(cmd: Command, use: ModuleUse, family: int) -> str | None:
    for _inv, vals in _values(use, "ctproto"):
        if (vals and checkers.strtoul(vals[0]) == 0) or (vals and vals[0].lower() in ("all", "ip")):
            return "--ctproto 0 is not supported"
    return None


def _c_owner(cmd: Command, use: ModuleUse, family: int) -> str | None:
    names = [n for n, _inv, _vals in use.opts]
    if "suppl-groups" in names:
        at = names.index("suppl-groups")
        if "gid-owner" not in names[:at]:
            return "--suppl-groups requires --gid-owner before it"
    return None


def _c_statistic(cmd: Command, use: ModuleUse, family: int) -> str | None:
    mode = next((vals[0] for _i, vals in _values(use, "mode") if vals), None)
    names = {n for n, _i, _v in use.opts}
    if mode == "random" and ({"every", "packet"} & names or "probability" not in names):
        return "--mode random needs --probability (and no --every/--packet)"
    if mode == "nth":
        if "probability" in names or "every" not in names:
            return "--mode nth needs --every (and no --probability)"
        every = checkers.strtoul(_values(use, "every")[0][1][0]) or 0
        packets = _values(use, "packet")
        packet = checkers.strtoul(packets[0][1][0]) if packets else 0
        if packet is None or not packets or packet >= every:
            return "--mode nth needs --packet p with 0 <= p < --every"
    return None


def _c_policy(cmd: Command, use: ModuleUse, family: int) -> str | None:
    names = [n for n, _i, _v in use.opts]
    elements = {"reqid", "spi", "proto", "mode", "tunnel-src", "tunnel-dst"}
    if "strict" in names and not elements & set(names):
        return "--strict needs at least one policy element"
    problem = _c_policy_dir(cmd, use)
    if problem:
        return problem
    if "tunnel-src" in names or "tunnel-dst" in names:
        modes = [vals[0] for _i, vals in _values(use, "mode") if vals]
        if "tunnel" not in modes:
            return "--tunnel-src/--tunnel-dst need --mode tunnel"
    return None


_POLICY_CHAINS = {
    "in": frozenset({"PREROUTING", "INPUT", "FORWARD"}),
    "out": frozenset({"FORWARD", "OUTPUT", "POSTROUTING"}),
}


def _c_policy_dir(cmd: Command, use: ModuleUse) -> str | None:
    for _inv, vals in _values(use, "dir"):
        allowed = _POLICY_CHAINS.get(vals[0])
        if allowed is not None and cmd.chain in _BUILTIN_ANY and cmd.chain not in allowed:
            return f"--dir {vals[0]} cannot be used in the {cmd.chain} chain"
    return None


def _c_recent(cmd: Command, use: ModuleUse, family: int) -> str | None:
    names = {n for n, _i, _v in use.opts}
    if names & {"seconds", "hitcount", "rttl", "reap"} and not names & {"rcheck", "update"}:
        return "--seconds/--hitcount/--rttl/--reap need --rcheck or --update"
    return None


def _c_ecn(cmd: Command, use: ModuleUse, family: int) -> str | None:
    names = {n for n, _i, _v in use.opts}
    if names & {"ecn-tcp-cwr", "ecn-tcp-ece"} and (cmd.proto != 6 or cmd.proto_neg):
        return "the TCP flags of ecn need -p tcp"
    return None


def _c_connlabel(cmd: Command, use: ModuleUse, family: int) -> str | None:
    for _inv, vals in _values(use, "label"):
        n = checkers.strtoul(vals[0]) if vals else None
        if n is None or n > 127:
            return (
                f"label {vals[0] if vals else ''!r} is not a number 0-127 "
                "(named labels come from connlabel.conf, which exaudit cannot read)"
            )
    return None


def _c_reject(cmd: Command, use: ModuleUse, family: int) -> str | None:
    from exaudit.platforms.iptables.names import REJECT_WITH

    for _inv, vals in _values(use, "reject-with"):
        if vals[0] not in REJECT_WITH[family]:
            return f"unknown --reject-with {vals[0]!r}"
        if vals[0] in ("tcp-reset", "tcp-rst") and (cmd.proto != 6 or cmd.proto_neg):
            return "--reject-with tcp-reset needs -p tcp"
    return None


def _c_nat(cmd: Command, use: ModuleUse, family: int) -> str | None:
    has_ports = False
    for name, _inv, vals in use.opts:
        if name == "to-ports":
            has_ports = True
        elif name in ("to-source", "to-destination") and vals:
            text = vals[0]
            has_ports = has_ports or ("]:" in text if family == 6 else ":" in text)
    if has_ports and cmd.proto not in (6, 17, 132, 33, 136):
        return "a port range needs -p tcp, udp, sctp or dccp"
    return None


def _c_queue(cmd: Command, use: ModuleUse, family: int) -> str | None:
    for _inv, vals in _values(use, "queue-balance"):
        lo_t, colon, hi_t = vals[0].partition(":")
        lo = checkers.strtoul(lo_t) if lo_t else 0
        hi = checkers.strtoul(hi_t) if hi_t else 65534
        if not colon or lo is None or hi is None or not lo < hi or hi > 65534:
            return f"--queue-balance {vals[0]!r} needs a range first:last with first < last"
    return None


def _c_tcpoptstrip(cmd: Command, use: ModuleUse, family: int) -> str | None:
    names = {"wscale", "mss", "sack-permitted", "sack", "timestamp", "md5"}
    for _inv, vals in _values(use, "strip-options"):
        for item in vals[0].split(","):
            n = checkers.strtoul(item)
            if item not in names and (n is None or not 2 <= n <= 255):
                return f"TCP option {item!r} cannot be stripped"
    return None


def _c_tcpmss(cmd: Command, use: ModuleUse, family: int) -> str | None:
    # the kernel (legacy) insists the rule only sees SYN packets
    for m in cmd.matches:
        if m.name == "tcp":
            for name, inv, vals in m.opts:
                if name == "syn" and not inv:
                    return None
                if (
                    name == "tcp-flags"
                    and not inv
                    and "SYN" in vals[0].upper().split(",")
                    and "SYN" in vals[1].upper().split(",")
                ):
                    return None
    return "TCPMSS needs a SYN-only match (--tcp-flags SYN,... SYN or --syn)"


def _c_tee(cmd: Command, use: ModuleUse, family: int) -> str | None:
    return None


def _c_tproxy(cmd: Command, use: ModuleUse, family: int) -> str | None:
    if cmd.proto not in (6, 17) or cmd.proto_neg:
        return "TPROXY needs -p tcp or -p udp"
    return None


def _c_mh(cmd: Command, use: ModuleUse, family: int) -> str | None:
    for _inv, vals in _values(use, "mh-type"):
        parts = vals[0].split(":")
        if all(p.isdigit() or p == "" for p in parts):
            return checkers._urange(255)(vals[0], family)
    return None


def _c_redirect(cmd: Command, use: ModuleUse, family: int) -> str | None:
    for _inv, vals in _values(use, "to-ports"):
        spec = vals[0]
        if checkers.port_value(spec) is None:
            lo, dash, hi = spec.partition("-")
            if not (dash and lo.isdigit() and hi.isdigit()):
                return f"bad --to-ports {spec!r}"
    return _c_nat(cmd, use, family)


_CUSTOM = {
    "conntrack": _c_conntrack,
    "owner": _c_owner,
    "statistic": _c_statistic,
    "policy": _c_policy,
    "recent": _c_recent,
    "ecn": _c_ecn,
    "connlabel": _c_connlabel,
    "REJECT": _c_reject,
    "SNAT": _c_nat,
    "DNAT": _c_nat,
    "MASQUERADE": _c_redirect,
    "REDIRECT": _c_redirect,
    "NFQUEUE": _c_queue,
    "TCPOPTSTRIP": _c_tcpoptstrip,
    "TCPMSS": _c_tcpmss,
    "TPROXY": _c_tproxy,
    "mh": _c_mh,
}

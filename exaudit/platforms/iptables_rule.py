"""One iptables command line (``-A INPUT -p tcp --dport 22 -j ACCEPT``) read as iptables reads it.

The reader follows iptables' own option loop: commands and options in any order, ``!``
before an option negates it, ``-p PROTO`` loads the protocol's match on demand, each
extension owns its options (see ``iptables_ext``). It does not decide anything about
packets; it records what the command says and every reason iptables would refuse it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.platforms import iptables_ext as ext
from exaudit.platforms.iptables_names import (
    INCOMING_CHAINS,
    MATCH_MODULES,
    MAX_CHAIN_NAME,
    MODULE_ALIASES,
    OUTGOING_CHAINS,
    PROTO_MODULE,
    STANDARD_TARGETS,
    TARGETS,
)
from exaudit.platforms.iptables_values import BadValue, protocol


class Quoted(str):
    """A word that was quoted in the input: a quoted ``!`` is a value, not a negation."""

    __slots__ = ()


class RuleError(Exception):
    """iptables would refuse this command line (the message says why)."""


@dataclass
class ModuleUse:
    """One ``-m NAME`` (or implicit protocol match) and its options, in order."""

    name: str
    spec: ext.Extension
    opts: list[tuple[str, bool, tuple[str, ...]]] = field(default_factory=list)
    implicit: bool = False
    completed: bool = False  # a later ``-m`` of the same name took over its options


@dataclass
class Command:
    """What one iptables invocation (or iptables-restore line) asks for."""

    command: str = ""  # A C D R I L S F Z N X P E h V ("" when none)
    chain: str | None = None
    rulenum: int | None = None
    policy: str | None = None
    newname: str | None = None
    table: str | None = None
    ignored: bool = False  # a -6 line read by iptables-restore (or -4 by ip6tables-restore)
    proto: int | None = None
    proto_neg: bool = False
    src: str | None = None
    src_neg: bool = False
    dst: str | None = None
    dst_neg: bool = False
    iif: str | None = None
    iif_neg: bool = False
    oif: str | None = None
    oif_neg: bool = False
    fragment: int = 0  # 1: -f, -1: ! -f
    matches: list[ModuleUse] = field(default_factory=list)
    target: str | None = None
    goto: bool = False
    target_use: ModuleUse | None = None
    errors: list[str] = field(default_factory=list)  # why iptables would refuse it
    old_negation: bool = False  # `-s ! addr`, which iptables before 1.6 accepted
    unknown_modules: list[str] = field(default_factory=list)

    @property
    def has_rule(self) -> bool:
        return self.command in ("A", "C", "D", "R", "I")


# Global options: long name -> (short letter, argument: "req", "opt" or "none").
_LONG = {
    "append": "A",
    "check": "C",
    "delete": "D",
    "replace": "R",
    "insert": "I",
    "list": "L",
    "list-rules": "S",
    "flush": "F",
    "zero": "Z",
    "new-chain": "N",
    "new": "N",
    "delete-chain": "X",
    "policy": "P",
    "rename-chain": "E",
    "help": "h",
    "version": "V",
    "protocol": "p",
    "source": "s",
    "src": "s",
    "destination": "d",
    "dst": "d",
    "in-interface": "i",
    "out-interface": "o",
    "jump": "j",
    "goto": "g",
    "match": "m",
    "fragment": "f",
    "numeric": "n",
    "verbose": "v",
    "exact": "x",
    "table": "t",
    "wait": "w",
    "wait-interval": "W",
    "set-counters": "c",
    "ipv4": "4",
    "ipv6": "6",
    "line-numbers": "0",
    "modprobe": "M",
}
_ARG = dict.fromkeys("ACDRINPpsdiojgmtcEM", "req")
_ARG.update(dict.fromkeys("LSFZXhwW", "opt"))
_ARG.update(dict.fromkeys("fnvx460V", "none"))
_COMMANDS = frozenset("ACDRILSFZNXPEhV")
_RULE_OPTS = {
    "p": "protocol",
    "s": "source",
    "d": "destination",
    "i": "in-interface",
    "o": "out-interface",
    "j": "jump",
    "f": "fragment",
}
# Commands that take a rule specification (others refuse -s, -p, -m, -j, ...).
_RULE_COMMANDS = frozenset("ACDRI")


def _has_arg(tokens: list[str], i: int) -> bool:
    """iptables' ``xs_has_arg``: a next word that is not an option or ``!``."""
    return i < len(tokens) and tokens[i][:1] not in ("-", "!")


def _rulenum(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise RuleError(f"invalid rule number {text!r}")
    return int(text)


def parse_command(
    tokens: list[str], *, family: int, restore: bool, table: str = "filter"
) -> Command:
    """Read one command line (without the program name) the way iptables does.

    Raises ``RuleError`` for mistakes that make the whole line meaningless (unknown
    option, missing argument, no command); argument values iptables would refuse are
    collected in ``Command.errors`` so the caller can keep what was understood.
    """
    cmd = Command(table=table)
    n = len(tokens)
    i = 0
    invert = False
    seen: set[str] = set()
    listing_only = ""
    proto_loaded = False
    while i < n:
        tok = tokens[i]
        i += 1
        if tok == "!" and type(tok) is str:
            if invert:
                raise RuleError("multiple consecutive ! not allowed")
            invert = True
            continue
        if len(tok) > 2 and tok[0] == "-" and tok[1] == "-":
            name, eq, value = tok[2:].partition("=")
            letter = _LONG.get(name)
            if letter is None and _owner_of(cmd, name) is None:
                full = _abbreviation(cmd, name, proto_loaded, family)
                if full is not None:
                    letter = _LONG.get(full)
                    name = full
            if letter is None:
                i = _extension_option(
                    cmd, tokens, i, name, value if eq else None, invert, family, proto_loaded
                )
                if cmd.matches and cmd.matches[-1].implicit:
                    proto_loaded = True
                invert = False
                continue
            arg = value if eq else None
        elif len(tok) >= 2 and tok[0] == "-" and tok[1] != "-":
            letter = tok[1]
            rest = tok[2:]
            if letter not in _ARG:
                raise RuleError(f"unknown option {tok!r}")
            if _ARG[letter] == "none" and rest:
                # a cluster of flags such as -nvx
                for extra in rest:
                    if _ARG.get(extra) != "none":
                        raise RuleError(f"unknown option {tok!r}")
                    if extra in "nx":
                        listing_only = listing_only or extra
                arg = None
            else:
                arg = rest or None
        else:
            if tok == "":
                raise RuleError("empty argument")
            raise RuleError(f"bad argument {tok!r}")

        kind = _ARG[letter]
        if kind == "req" and arg is None:
            if i >= n:
                raise RuleError(f"option -{letter} requires an argument")
            arg = tokens[i]
            i += 1
        if letter in _COMMANDS:
            if invert:
                raise RuleError("unexpected ! flag before a command")
            if cmd.command and not {cmd.command, letter} <= {"L", "Z"}:
                raise RuleError(f"cannot use -{letter} with -{cmd.command}")
            cmd.command = letter if not cmd.command else cmd.command
            i = _command_args(cmd, letter, arg, tokens, i)
            continue
        if letter in _RULE_OPTS or letter == "c":
            if letter in seen:
                raise RuleError(f"multiple -{letter} flags not allowed")
            seen.add(letter)
        if invert and letter not in "psdiof":
            raise RuleError(f"cannot have ! before -{letter}")
        if letter in "psdio" and arg == "!" and type(arg) is str and not invert:
            # intrapositioned negation (`-s ! addr`): what iptables-save wrote before 1.4.3
            # and iptables accepted before 1.6
            if i >= n:
                raise RuleError("no argument following `!'")
            invert = True
            arg = tokens[i]
            i += 1
            cmd.old_negation = True
        if letter == "p":
            try:
                cmd.proto = protocol(arg)
            except BadValue as exc:
                cmd.errors.append(str(exc))
            cmd.proto_neg = invert
            if cmd.proto == 0 and invert:
                cmd.errors.append("rule would never match protocol (! -p all)")
        elif letter == "s":
            cmd.src, cmd.src_neg = arg, invert
        elif letter == "d":
            cmd.dst, cmd.dst_neg = arg, invert
        elif letter == "i":
            cmd.iif, cmd.iif_neg = arg, invert
        elif letter == "o":
            cmd.oif, cmd.oif_neg = arg, invert
        elif letter == "f":
            if family == 6:
                cmd.errors.append("-f is not supported in IPv6, use -m frag")
            cmd.fragment = -1 if invert else 1
        elif letter in "jg":
            _set_target(cmd, arg, letter == "g", family)
        elif letter == "m":
            _load_match(cmd, arg, family)
        elif letter == "t":
            if restore:
                raise RuleError("the -t option cannot be used in iptables-restore input")
            cmd.table = arg  # iptables takes the last -t
        elif letter == "c":
            i = _counters(arg, tokens, i)
        elif letter in "wW":
            if restore:
                raise RuleError(f"-{letter} cannot be used in iptables-restore input")
            if arg is None and _has_arg(tokens, i):
                arg = tokens[i]
                i += 1
            if arg is not None and ext.strtoul(arg) is None:
                raise RuleError(f"wait value {arg!r} not numeric")
        elif letter in "46":
            wanted = int(letter)
            if wanted != family:
                if restore:
                    cmd.ignored = True
                else:
                    raise RuleError(f"-{letter} is not valid for the IPv{family} command")
        elif letter in "nx0":  # listing options, refused with other commands
            listing_only = listing_only or letter
        # v M: verbosity and module loading, nothing to model
        invert = False
    if invert:
        raise RuleError("nothing appropriate following !")
    if not cmd.command:
        raise RuleError("no command specified")
    if listing_only and cmd.command != "L":
        shown = "--line-numbers" if listing_only == "0" else "-" + listing_only
        raise RuleError(f"illegal option {shown} with -{cmd.command}")
    _final_checks(cmd, family)
    return cmd


def _command_args(cmd: Command, letter: str, arg: str | None, tokens: list[str], i: int) -> int:
    if letter in "LSFZX" and arg is None and _has_arg(tokens, i):
        arg = tokens[i]
        i += 1
    cmd.chain = arg
    if letter in "DIRLSZ" and _has_arg(tokens, i):
        cmd.rulenum = _rulenum(tokens[i])
        i += 1
    elif letter == "R":
        raise RuleError("-R requires a rule number")
    if letter == "I" and cmd.rulenum is None:
        cmd.rulenum = 1
    if letter in "EP":
        if not _has_arg(tokens, i):
            raise RuleError(
                f"-{letter} requires "
                + ("a chain and a policy" if letter == "P" else "old and new chain names")
            )
        if letter == "P":
            cmd.policy = tokens[i]
        else:
            cmd.newname = tokens[i]
        i += 1
    return i


def _counters(arg: str, tokens: list[str], i: int) -> int:
    pcnt, comma, bcnt = arg.partition(",")
    if not comma:
        if not _has_arg(tokens, i):
            raise RuleError("-c requires packet and byte counter")
        bcnt = tokens[i]
        i += 1
    if not pcnt.isdigit() or not bcnt.isdigit():
        raise RuleError("-c counters not numeric")
    return i


def _set_target(cmd: Command, name: str, goto: bool, family: int) -> None:
    if not name or len(name) > MAX_CHAIN_NAME or any(c.isspace() for c in name):
        raise RuleError(f"invalid target name {name!r}")
    cmd.target = name
    cmd.goto = goto
    spec = ext.TARGET_EXTS.get(name)
    if spec is not None:
        cmd.target_use = ModuleUse(name, spec)


def _load_match(cmd: Command, name: str, family: int) -> None:
    canonical = MODULE_ALIASES.get(name, name)
    spec = ext.MATCHES.get(canonical)
    if family == 6 and canonical == "ah":
        spec = _AH6
    if spec is None or (canonical not in MATCH_MODULES and canonical not in ext.MATCHES):
        cmd.unknown_modules.append(name)
        spec = ext.Extension(name, {}, lenient=True)
        cmd.errors.append(f"no match extension named {name!r}")
    for use in cmd.matches:
        if use.name == canonical:
            use.completed = True
    cmd.matches.append(ModuleUse(canonical, spec))


_AH6 = ext._ext("ah", "ahspi:u32rc! ahlen:u32! ahres")


def _owner_of(cmd: Command, name: str) -> ModuleUse | None:
    candidates = [u for u in cmd.matches if not u.completed]
    for use in candidates:
        if name in use.spec.options:
            return use
    if cmd.target_use is not None and name in cmd.target_use.spec.options:
        return cmd.target_use
    for use in candidates:
        if use.spec.lenient:
            return use
    if cmd.target_use is not None and cmd.target_use.spec.lenient:
        return cmd.target_use
    return None


def _abbreviation(cmd: Command, name: str, proto_loaded: bool, family: int) -> str | None:
    """getopt_long's unique-prefix rule: ``--mac`` for ``--mac-source``, ``--dp`` for
    ``--dport`` (after ``-p tcp``)."""
    found = {n for n in _LONG if n.startswith(name)}
    uses = [u for u in cmd.matches if not u.completed]
    if cmd.target_use is not None:
        uses.append(cmd.target_use)
    for use in uses:
        found.update(o for o in use.spec.options if o.startswith(name))
    if not found and cmd.proto is not None and not proto_loaded:
        module = PROTO_MODULE.get(cmd.proto)
        spec = ext.MATCHES.get(module) if module else None
        if spec is not None:
            found.update(o for o in spec.options if o.startswith(name))
    if len(found) > 1:
        raise RuleError(
            f"option --{name} is ambiguous (" + ", ".join("--" + f for f in sorted(found)) + ")"
        )
    return found.pop() if found else None


def _extension_option(
    cmd: Command,
    tokens: list[str],
    i: int,
    name: str,
    value: str | None,
    invert: bool,
    family: int,
    proto_loaded: bool,
) -> int:
    use = _owner_of(cmd, name)
    if use is None and cmd.proto is not None and not proto_loaded:
        # iptables loads the protocol's match when it meets an option nobody owns
        module = PROTO_MODULE.get(cmd.proto)
        spec = ext.MATCHES.get(module) if module else None
        if family == 6 and module == "ah":
            spec = _AH6
        if spec is not None and name in spec.options:
            use = ModuleUse(spec.name, spec, implicit=True)
            cmd.matches.append(use)
    if use is None:
        raise RuleError(f'unknown option "--{name}"')
    opt = use.spec.options.get(name)
    if opt is None:  # a lenient extension: take the following plain words
        values = [] if value is None else [value]
        while _has_arg(tokens, i):
            values.append(tokens[i])
            i += 1
        use.opts.append((name, invert, tuple(values)))
        return i
    if opt.args == 0:
        if value is not None:
            raise RuleError(f"option --{name} does not take an argument")
        values: tuple[str, ...] = ()
    elif opt.optional and value is None and not _has_arg(tokens, i):
        values = ()
    else:
        if value is None:
            if i >= len(tokens):
                raise RuleError(f"option --{name} requires an argument")
            value = tokens[i]
            i += 1
        if value == "!" and type(value) is str and not invert:
            # intrapositioned negation (`--dport ! 22`): older iptables accept it
            if i >= len(tokens):
                raise RuleError("no argument following `!'")
            invert = True
            value = tokens[i]
            i += 1
            cmd.old_negation = True
        values = (value,)
        if opt.args == 2:
            if not _has_arg(tokens, i):
                raise RuleError(f"--{name} requires two arguments")
            values = (value, tokens[i])
            i += 1
    use.opts.append((name, invert, values))
    return i


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
        if (vals and ext.strtoul(vals[0]) == 0) or (vals and vals[0].lower() in ("all", "ip")):
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
        every = ext.strtoul(_values(use, "every")[0][1][0]) or 0
        packets = _values(use, "packet")
        packet = ext.strtoul(packets[0][1][0]) if packets else 0
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
        n = ext.strtoul(vals[0]) if vals else None
        if n is None or n > 127:
            return (
                f"label {vals[0] if vals else ''!r} is not a number 0-127 "
                "(named labels come from connlabel.conf, which exaudit cannot read)"
            )
    return None


def _c_reject(cmd: Command, use: ModuleUse, family: int) -> str | None:
    from exaudit.platforms.iptables_names import REJECT_WITH

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
        lo = ext.strtoul(lo_t) if lo_t else 0
        hi = ext.strtoul(hi_t) if hi_t else 65534
        if not colon or lo is None or hi is None or not lo < hi or hi > 65534:
            return f"--queue-balance {vals[0]!r} needs a range first:last with first < last"
    return None


def _c_tcpoptstrip(cmd: Command, use: ModuleUse, family: int) -> str | None:
    names = {"wscale", "mss", "sack-permitted", "sack", "timestamp", "md5"}
    for _inv, vals in _values(use, "strip-options"):
        for item in vals[0].split(","):
            n = ext.strtoul(item)
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
            return ext._urange(255)(vals[0], family)
    return None


def _c_redirect(cmd: Command, use: ModuleUse, family: int) -> str | None:
    for _inv, vals in _values(use, "to-ports"):
        spec = vals[0]
        if ext.port_value(spec) is None:
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


# --- tokenizing iptables-restore lines -------------------------------------------------------


def restore_tokens(line: str) -> list[str]:
    """Split an iptables-restore line: spaces separate, double quotes group, ``\\`` escapes
    inside quotes (iptables-restore does not treat single quotes specially)."""
    if '"' not in line:
        return line.split()
    out: list[str] = []
    buf: list[str] = []
    quoted = False
    had_quote = False
    escaped = False
    for ch in line:
        if quoted:
            if escaped:
                buf.append(ch)
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
            else:
                buf.append(ch)
            continue
        if ch == '"':
            quoted = had_quote = True
        elif ch in " \t\r\n":
            if buf:  # iptables-restore drops empty quoted words
                word = "".join(buf)
                out.append(Quoted(word) if had_quote else word)
            buf = []
            had_quote = False
        else:
            buf.append(ch)
    if quoted:
        raise RuleError("unterminated quoted string")
    if buf:
        word = "".join(buf)
        out.append(Quoted(word) if had_quote else word)
    return out

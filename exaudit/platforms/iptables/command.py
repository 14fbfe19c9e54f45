"""One iptables command line (``-A INPUT -p tcp --dport 22 -j ACCEPT``), as iptables reads it.

The reader follows iptables' own option loop: commands and options in any order, ``!``
before an option negates it, ``-p PROTO`` loads the protocol's match on demand, each
extension owns its options (see ``extensions``). It does not decide anything about
packets; it records what the command says and every reason iptables would refuse it.
"""

from __future__ import annotations

from exaudit.platforms.iptables import checkers
from exaudit.platforms.iptables import extensions as ext
from exaudit.platforms.iptables.constraints import _final_checks
from exaudit.platforms.iptables.names import (
    MATCH_MODULES,
    MAX_CHAIN_NAME,
    MODULE_ALIASES,
    PROTO_MODULE,
)
from exaudit.platforms.iptables.values import BadValue, protocol
from exaudit.platforms.iptables.words import Command, ModuleUse, RuleError

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
            assert arg is not None  # (the letter takes an argument: checked above)
            _set_target(cmd, arg, letter == "g", family)
        elif letter == "m":
            assert arg is not None
            _load_match(cmd, arg, family)
        elif letter == "t":
            if restore:
                raise RuleError("the -t option cannot be used in iptables-restore input")
            cmd.table = arg  # iptables takes the last -t
        elif letter == "c":
            assert arg is not None
            i = _counters(arg, tokens, i)
        elif letter in "wW":
            if restore:
                raise RuleError(f"-{letter} cannot be used in iptables-restore input")
            if arg is None and _has_arg(tokens, i):
                arg = tokens[i]
                i += 1
            if arg is not None and checkers.strtoul(arg) is None:
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
        words = [] if value is None else [value]
        while _has_arg(tokens, i):
            words.append(tokens[i])
            i += 1
        use.opts.append((name, invert, tuple(words)))
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

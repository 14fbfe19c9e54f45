"""The words of an iptables command line and what a command says (before any meaning)."""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.platforms.iptables import extensions as ext

_RULE_COMMANDS = frozenset("ACDRI")  # the commands that take a rule specification


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

"""What a shell script holds, for the script reader: programs, words, events."""

from __future__ import annotations

import re
from dataclasses import dataclass

IPTABLES_PROGRAMS = {
    "iptables": 4,
    "ip6tables": 6,
    "iptables-legacy": 4,
    "ip6tables-legacy": 6,
    "iptables-nft": 4,
    "ip6tables-nft": 6,
}
RESTORE_PROGRAMS = {
    "iptables-restore",
    "ip6tables-restore",
    "iptables-legacy-restore",
    "ip6tables-legacy-restore",
    "iptables-nft-restore",
    "ip6tables-nft-restore",
    "iptables-apply",
}
# Command substitutions whose output exaudit knows: the path of a program.
WHICH = re.compile(r"^\s*(?:which|command\s+-v|type\s+-p)\s+([A-Za-z0-9_.+-]+)\s*$")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DEFAULT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(:?-)([^}]*)")
HEREDOC = re.compile(r"<<(-?)\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?")
ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(\+?)=(.*)$", re.S)

OPENERS = {
    "if": "fi",
    "for": "done",
    "while": "done",
    "until": "done",
    "case": "esac",
    "select": "done",
}
CLOSERS = {"fi", "done", "esac", "}"}
# Builtins and programs that cannot change the firewall.
HARMLESS = {
    "echo",
    "printf",
    "true",
    ":",
    "false",
    "sleep",
    "modprobe",
    "sysctl",
    "set",
    "logger",
    "test",
    "[",
    "[[",
    "export",
    "readonly",
    "local",
    "declare",
    "typeset",
    "unset",
    "shift",
    "cd",
    "umask",
    "trap",
    "wait",
    "read",
    "exit",
    "return",
    "break",
    "continue",
    "iptables-save",
    "ip6tables-save",
    "mkdir",
    "cat",
    "grep",
    "awk",
    "sed",
    "touch",
    "chmod",
    "chown",
    "rm",
    "cp",
    "mv",
    "ln",
    "date",
    "ip",
    "tc",
    "ifconfig",
    "route",
    "ethtool",
    "service",
    "systemctl",
    "ipset",
    "source",
    ".",
    "eval",
    "let",
    "wc",
    "head",
    "tail",
    "sort",
    "cut",
    "tr",
    "basename",
    "dirname",
    "hostname",
    "whoami",
    "id",
    "env",
    "ps",
    "kill",
}


class Unknown(Exception):
    """A word whose value the shell would only know at run time."""


@dataclass
class Word:
    text: str
    unknown: str | None = None  # why its value cannot be known


@dataclass
class Event:
    """Something the script does: an iptables command, or a reason to report a line."""

    kind: str  # "iptables", "issue", "other"
    line: int
    text: str
    family: int = 4
    words: list[str] | None = None
    message: str = ""

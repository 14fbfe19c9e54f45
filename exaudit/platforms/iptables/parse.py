"""Reading an iptables text: its form decided, then read as iptables-restore or bash would."""

from __future__ import annotations

import shlex

from exaudit.core.errors import InputError
from exaudit.core.gc import reading
from exaudit.core.model import (
    Issue,
    Origin,
    Rule,
    Ruleset,
)
from exaudit.core.textfile import refuse_binary
from exaudit.platforms.iptables.command import parse_command
from exaudit.platforms.iptables.executor import Executor
from exaudit.platforms.iptables.forms import (
    COMMAND,
    HEAD_BYTES,
    LISTING,
    SAVE_RULE,
    SAVE_TABLE,
    VAR_COMMAND,
)
from exaudit.platforms.iptables.model import finish
from exaudit.platforms.iptables.save import read_save
from exaudit.platforms.iptables.script import read_script
from exaudit.platforms.iptables.state import ChainState, Structural, TooBig
from exaudit.platforms.iptables.words import RuleError


def _check_usable(text: str, path: str) -> list[str]:
    refuse_binary(text, path, "an iptables ruleset")
    return text.splitlines()


def parse(text: str, path: str) -> Ruleset:
    """An iptables-save/ip6tables-save dump or an iptables shell script, as chains."""
    with reading(path):
        return _parse(text, path)


def _parse(text: str, path: str) -> Ruleset:
    lines = _check_usable(text, path)
    head = text[:HEAD_BYTES]
    if not any(line.strip() and not line.lstrip().startswith("#") for line in lines):
        raise InputError(path, None, "empty: no iptables rules or commands")
    if head.lstrip().startswith("<") and "<iptables-rules" in head:
        raise InputError(
            path,
            1,
            "this is iptables-xml output; give exaudit the iptables-save file it was made from",
        )
    m = LISTING.search(head)
    if m and not SAVE_TABLE.search(head):
        raise InputError(
            path,
            head.count("\n", 0, m.start()) + 1,
            "this is an `iptables -L` listing, which leaves out parts of the "
            "rules; give exaudit the output of iptables-save",
        )
    is_script = COMMAND.search(head) or VAR_COMMAND.search(head) or text.startswith("#!")
    if is_script:  # (a script may carry iptables-save text in a here-document)
        ex = read_script(text, path)
        total = sum(1 for line in lines if line.strip() and not line.lstrip().startswith("#"))
    elif SAVE_TABLE.search(head):
        ex, total = read_save(text, path, lines, listing_s=False)
    elif SAVE_RULE.search(head):
        ex, total = read_save(text, path, lines, listing_s=True)
    else:
        first = next(
            i
            for i, line in enumerate(lines, 1)
            if line.strip() and not line.lstrip().startswith("#")
        )
        raise InputError(
            path, first, "neither iptables-save output nor a script of iptables commands"
        )
    return finish(ex, path, total)


def parse_rule_line(
    rule: str, *, chain: str = "INPUT", table: str = "filter", family: int = 4, path: str = "<rule>"
) -> tuple[list[Rule], list[Issue]]:
    """One rule specification as ``iptables -t TABLE -A CHAIN RULE`` would take it.

    Returns the model rules and the issues; raises ``InputError`` when iptables would
    refuse the command outright.
    """
    try:
        tokens = shlex.split(rule)
    except ValueError as exc:
        raise InputError(path, 1, str(exc)) from None
    try:
        cmd = parse_command(["-t", table, "-A", chain] + tokens, family=family, restore=False)
    except RuleError as exc:
        raise InputError(path, 1, str(exc)) from None
    ex = Executor(path, deferred_jumps=False)
    try:
        tbl = ex.table(family, table, 1)
        if chain not in tbl.chains:
            tbl.chains[chain] = ChainState(chain, False, declared=1)
        ex.run(cmd, tbl, Origin(path, 1, rule.strip()))
    except (Structural, TooBig) as exc:
        raise InputError(path, 1, str(exc)) from None
    rules = [r for e in tbl.chains[chain].entries for r in e]
    return rules, ex.issues

"""iptables shell scripts: the commands the script runs, applied one by one."""

from __future__ import annotations

from exaudit.core.errors import InputError
from exaudit.core.model import (
    Issue,
    IssueKind,
    Origin,
)
from exaudit.platforms.iptables.command import parse_command
from exaudit.platforms.iptables.executor import Executor
from exaudit.platforms.iptables.shell import Script
from exaudit.platforms.iptables.state import Structural, TooBig
from exaudit.platforms.iptables.words import RuleError


def read_script(text: str, path: str) -> Executor:
    script = Script(text)
    events = script.events()
    ex = Executor(path, deferred_jumps=False)
    ex.commands_fail = True
    families = {e.family for e in events if e.kind == "iptables"}
    mixed = len(families) > 1
    for ev in events:
        origin = Origin(path, ev.line, ev.text)
        if ev.kind == "issue":
            ex.issues.append(Issue(IssueKind.UNPARSED, origin, ev.message))
            continue
        if ev.kind != "iptables" or ev.words is None:
            continue
        try:
            cmd = parse_command(ev.words, family=ev.family, restore=False)
        except RuleError as exc:
            ex.issues.append(
                Issue(
                    IssueKind.REFUSED,
                    origin,
                    f"iptables refuses this command ({exc}): it fails when run, the "
                    "script goes on, and it changes nothing",
                )
            )
            continue
        if cmd.command in ("L", "S", "Z", "C", "h", "V"):
            continue
        ex.families_used.add(ev.family)
        ex.restrict_family = ev.family if mixed else None
        try:
            table = ex.table(ev.family, cmd.table or "filter", ev.line)
            ex.run(cmd, table, origin)
        except Structural as exc:
            # bash goes on after a failing command, and so does the kernel's state
            ex.issues.append(
                Issue(
                    IssueKind.REFUSED,
                    origin,
                    f"iptables refuses this command ({exc}): it fails when run, the "
                    "script goes on, and it changes nothing",
                )
            )
        except TooBig as exc:
            raise InputError(path, ev.line, str(exc)) from None
    if not ex.families_used:
        ex.families_used.add(4)
    return ex

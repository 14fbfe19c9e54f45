"""EXA004 refused-command

## What it does
Reports every command or line that the firewall's own tool refuses: a script's
`iptables` command that fails when run (a typo in a chain name, an option on the wrong
chain), an iptables-save line that `iptables-restore` would not load, a pf rule `pfctl`
rejects.

## Why is this bad?
A refused command does nothing, so the firewall is not what the file says. A shell
script goes on after a failing `iptables` command: the rules after it load, the refused
one is simply missing (a policy never set, a permit never added). `iptables-restore`
and `pfctl -f` refuse the whole file instead: nothing of it loads. exaudit evaluates what
the device would do where that is known (a failed script command changes nothing) and
keeps a refused line of a file that loads as a whole as undetermined, so every verdict it
could change says so (EXA104).

## Example
    iptables -P OUTUT DROP
    iptables -A INPUT --dport 25 -j ACCEPT

## Use instead
    iptables -P OUTPUT DROP
    iptables -A INPUT -p tcp --dport 25 -j ACCEPT
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.checks._common import issue_findings
from exaudit.checks.api import RulesetContext, Scope, check
from exaudit.checks.tags import RELIABILITY
from exaudit.core.findings import Finding, Severity


def run(ctx: RulesetContext) -> Iterator[Finding]:
    yield from issue_findings(CHECK, ctx)


CHECK = check("EXA004", "refused-command", Severity.ERROR, Scope.RULESET, RELIABILITY, __doc__, run)

"""EXA003 unused-suppression

## What it does
Reports a suppression that matches no finding: an inline `exaudit: ignore[...]`
comment or Cisco `remark` with no finding of the checks it names on its line, or
naming no known check, and a baseline entry whose finding is gone.

It runs after every other check, on what the suppressions actually matched;
suppressions of checks left out by `--select`/`--ignore` are not judged.

## Why is this bad?
A stale suppression hides the next real problem on that line: once the rule is fixed
and later changed again, the comment silently swallows a new finding nobody reviewed.
A baseline entry whose finding is gone means the baseline no longer describes the
configs and should be rewritten.

## Example
    # exaudit: ignore[EXA201] legacy RPC range, ticket NET-42
    -A FORWARD -d 10.1.0.10/32 -p tcp -m multiport --dports 135,5001,5002,5003 -j ACCEPT

## Use instead
    -A FORWARD -d 10.1.0.10/32 -p tcp -m multiport --dports 135,5001,5002,5003 -j ACCEPT
(remove the comment), or rewrite the baseline with `exaudit audit --write-baseline FILE`.
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.core.findings import Finding, Severity

CODE = "EXA003"
NAME = "unused-suppression"
SEVERITY = Severity.WARNING
SCOPE = "audit"


def check(ctx: object) -> Iterator[Finding]:
    """Nothing here: the findings come from ``exaudit.suppress`` once the others are known."""
    return iter(())

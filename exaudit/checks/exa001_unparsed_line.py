"""EXA001 unparsed-line

## What it does
Reports every line of a firewall configuration that exaudit could not understand.

## Why is this bad?
A line exaudit cannot read may permit or deny anything. exaudit does not guess: every
verdict such a line could change is reported as undetermined (EXA104), so the audit is
only as complete as the parse. Fix the line or tell the exaudit developers about it.

## Example
    -A FORWARD -p tcp --dport 995 -j ACCEPT --bogus-option

## Use instead
    -A FORWARD -p tcp --dport 995 -j ACCEPT
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from exaudit.checks._common import issue_findings
from exaudit.core.findings import Finding, Severity
from exaudit.core.model import Ruleset

CODE = "EXA001"
NAME = "unparsed-line"
SEVERITY = Severity.WARNING
SCOPE = "ruleset"


def check_ruleset(ruleset: Ruleset, firewall: str | None) -> Iterator[Finding]:
    yield from issue_findings(sys.modules[__name__], ruleset, firewall)

"""EXA104 required-port-undetermined

## What it does
Reports a required Exchange flow whose verdict on a firewall depends on a line exaudit
could not fully understand (EXA001) or a match it does not model (EXA002), naming that
line.

## Why is this bad?
exaudit will not guess. The flow may work or may not, depending on something only the
live firewall knows (a dynamic address set, a time window, a rate limit, an unknown
option). Until it is checked, the audit is not a proof.

## Example
    -A FORWARD -p tcp --dport 993 -m set --match-set blocked src -j DROP

## Use instead
Check the condition by hand, or express it with matches exaudit models (explicit
addresses, ports, interfaces, connection state).
"""

from __future__ import annotations

from collections.abc import Iterator

from exaudit.analysis.context import AuditContext
from exaudit.checks._common import flow_json, sources_text, union_src
from exaudit.checks.api import Scope, check
from exaudit.checks.tags import AVAILABILITY
from exaudit.core.findings import Finding, Severity
from exaudit.core.model import Origin
from exaudit.engine.evaluate import Part


def run(ctx: AuditContext) -> Iterator[Finding]:
    for fa in ctx.firewalls:
        for cr in fa.results:
            unsure = cr.forward.by_verdict("undetermined")
            groups: dict[Origin | None, list[Part]] = {}
            for p in unsure:
                key = p.depends_on[0] if p.depends_on else p.decided_by
                groups.setdefault(key, []).append(p)
            for origin, parts in sorted(groups.items(), key=lambda g: g[0].line if g[0] else 0):
                src = union_src(parts)
                who = sources_text(src, cr.crossing.src)
                lines = sorted({o.line for p in parts for o in p.depends_on})
                others = [n for n in lines if origin is None or n != origin.line]
                also = f" (and on line {', '.join(map(str, others))})" if others else ""
                if origin is None:
                    message = (
                        f"{cr.crossing.flow.describe()} is undetermined for {who}: "
                        "the question was too complex to evaluate exactly"
                    )
                else:
                    message = (
                        f"{cr.crossing.flow.describe()} is undetermined for {who}: "
                        f"it depends on line {origin.line}, which exaudit does not "
                        f"fully understand{also}"
                    )
                yield CHECK.finding(
                    fa.firewall.name, origin, message, flow_json(cr.crossing.flow, src, cr.crossing)
                )


CHECK = check(
    "EXA104",
    "required-port-undetermined",
    Severity.WARNING,
    Scope.AUDIT,
    AVAILABILITY,
    __doc__,
    run,
)

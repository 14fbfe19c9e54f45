"""``exaudit diff``: audit the topology now and before, report only what changed.

Both versions are audited by the same pipeline; findings are matched by fingerprint
(never by line), required flows by firewall, flow, source, destination and interfaces,
and rules by their text (and rank among identical lines), so moving lines or comments
around changes nothing.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace

from exaudit.analysis.lines import RuleIndex
from exaudit.analysis.status import FlowState
from exaudit.checks._common import flow_json
from exaudit.core import addresses, confine
from exaudit.core.errors import InputError
from exaudit.core.findings import Finding, Location
from exaudit.pipeline.audit import AuditRun, evaluate
from exaudit.pipeline.runner import SERIAL, Runner
from exaudit.report.build import entries
from exaudit.report.model import DiffReport, Entry, FlowChange, FlowSide, Moved, RuleChange
from exaudit.review.before import Before, Remap, relabel
from exaudit.review.suppress import Triage


@dataclass
class Side:
    """One version's audit: what counts, each flow's state, the rules by identity."""

    run: AuditRun
    triage: Triage
    states: dict[tuple[str, ...], FlowState]
    rules: dict[str, RuleIndex]  # firewall -> its rules by identity


def _side(
    topology: str,
    enabled: frozenset[str],
    baseline: str | None,
    runner: Runner,
    remap: Remap | None = None,
) -> Side:
    run = evaluate(topology, enabled, runner, compare=True)
    if remap is not None:
        run.findings = [_moved(f, remap) for f in run.findings]
        run.texts = [replace(t, path=remap(t.path)) for t in run.texts]
    result = run.triage(enabled, baseline)
    states = {s.key: s for o in run.outcomes for s in o.states or ()}
    rules = {o.firewall: o.rules for o in run.outcomes if o.rules is not None}
    return Side(run, result, states, rules)


def _moved(f: Finding, remap: Remap) -> Finding:
    if f.location is None:
        return f
    return Finding(
        f.check,
        f.name,
        f.severity,
        f.firewall,
        Location(remap(f.location.file), f.location.line),
        f.message,
        f.flow,
        f.fix,
        f.text,
    )


def diff(
    topology: str,
    before: str,
    enabled: frozenset[str],
    baseline: str | None = None,
    runner: Runner = SERIAL,
) -> DiffReport:
    topology = os.path.normpath(topology)
    source = Before(before, topology)
    after = _side(topology, enabled, baseline, runner)
    with tempfile.TemporaryDirectory(prefix="exaudit-diff-") as tmp:
        old_topology = source.materialize(tmp)
        old_dir = os.path.dirname(old_topology)
        remap = Remap(tmp, old_dir, os.path.dirname(topology) or ".")
        try:
            with confine.tree(tmp):
                old = _side(old_topology, enabled, baseline, runner, remap)
        except InputError as exc:
            raise relabel(exc, tmp, source) from None
    new_active, _ = entries(after.triage)
    old_active, _ = entries(old.triage)
    new_prints = {e.fingerprint for e in new_active}
    old_prints = {e.fingerprint for e in old_active}
    added = [e for e in new_active if e.fingerprint not in old_prints]
    gone = [e for e in old_active if e.fingerprint not in new_prints]
    changed = _changed(gone, added, old, after)
    paired = {id(e) for pair in changed for e in pair}
    introduced = tuple(Moved(e, _other_line(e, after, old)) for e in added if id(e) not in paired)
    resolved = tuple(Moved(e, _other_line(e, old, after)) for e in gone if id(e) not in paired)
    firewalls = tuple(replace(o.summary, flows=()) for o in after.run.outcomes)
    inputs = tuple(t.path for t in after.run.texts) + ((baseline,) if baseline else ())
    return DiffReport(
        topology,
        before,
        firewalls,
        _flow_changes(old, after),
        introduced,
        resolved,
        _rule_changes(old, after),
        enabled,
        tuple(changed),
        inputs,
    )


def _place(e: Entry, side: Side) -> tuple[object, ...]:
    """What stays of a finding when its rule's text is edited: check, firewall, flow, and
    the rule's place in its chain."""
    f = e.finding
    flow = (
        (f.flow or {}).get("id"),
        (f.flow or {}).get("src"),
        (f.flow or {}).get("dst"),
        (f.flow or {}).get("in"),
        (f.flow or {}).get("out"),
        (f.flow or {}).get("path"),
    )
    where: object = None
    if f.location is not None and f.firewall in side.rules:
        where = side.rules[f.firewall].position.get(f.location.line)
    return (f.check, f.firewall, flow, where)


def _changed(
    gone: list[Entry], added: list[Entry], old: Side, new: Side
) -> list[tuple[Entry, Entry]]:
    """Findings resolved and introduced at the same place: one finding whose rule changed."""
    waiting: dict[tuple[object, ...], list[Entry]] = {}
    for e in gone:
        key = _place(e, old)
        if key[3] is not None:  # only a finding at a rule has a place to keep
            waiting.setdefault(key, []).append(e)
    out = []
    for e in added:
        twins = waiting.get(_place(e, new))
        if twins:
            out.append((twins.pop(0), e))
    return out


def _other_line(e: Entry, this: Side, other: Side) -> int | None:
    """The line the finding's rule has on the other side, if the rule is there."""
    f = e.finding
    if f.firewall is None or f.location is None or f.firewall not in this.rules:
        return None
    ident = this.rules[f.firewall].by_line.get(f.location.line)
    if ident is None or f.firewall not in other.rules:
        return None
    return other.rules[f.firewall].by_id.get(ident)


def _flow_side(state: FlowState | None) -> FlowSide | None:
    if state is None:
        return None
    denied = state.sources.get("deny") if state.status == "partly denied" else None
    replies = state.replies_denied if state.status == "replies denied" else None
    return FlowSide(
        state.status,
        state.lines(),
        tuple(addresses.to_cidrs(denied)) if denied else (),
        tuple(addresses.to_cidrs(replies)) if replies else (),
    )


CHANGE = {
    ("permit", "deny"): "newly blocked",
    ("permit", "partly denied"): "newly partly blocked",
    ("permit", "replies denied"): "replies newly blocked",
}


def _change(before: str | None, after: str | None) -> str:
    if before is None:
        return f"newly required ({after})"
    if after is None:
        return f"no longer required (was {before})"
    if after == "permit":
        return "newly open"
    return CHANGE.get((before, after), f"{before} -> {after}")


def _flow_changes(old: Side, new: Side) -> tuple[FlowChange, ...]:
    out = []
    for key in sorted(set(old.states) | set(new.states)):
        a, b = old.states.get(key), new.states.get(key)
        before, now = _flow_side(a), _flow_side(b)
        if before == now or (
            before is not None
            and now is not None
            and before.status == now.status
            and (before.denied, before.replies_denied) == (now.denied, now.replies_denied)
        ):
            continue
        state = b or a
        assert state is not None
        change = _change(a.status if a else None, b.status if b else None)
        if before is not None and now is not None and before.status == now.status:
            change = (
                "replies denied to other clients"
                if now.status == "replies denied"
                else "denied for other sources"
            )
        out.append(
            FlowChange(
                key[0], flow_json(state.crossing.flow, None, state.crossing), change, before, now
            )
        )
    return tuple(out)


def _decisions(side: Side) -> dict[tuple[str, tuple[str, int]], set[str]]:
    """Per (firewall, rule identity): what it decides, as ``verdict direction flow``."""
    out: dict[tuple[str, tuple[str, int]], set[str]] = {}
    for state in side.states.values():
        index = side.rules[state.firewall]
        c = state.crossing
        what = f"{c.flow.id} {c.flow.src_label} -> {c.flow.dst.name} ({c.path_label()})"
        for direction, verdict, origin, chain in state.decided:
            word = verdict if direction == "forward" else f"{verdict} replies of"
            out.setdefault((state.firewall, index.identity(origin, chain)), set()).add(
                f"{word} {what}"
            )
    return out


def _rule_changes(old: Side, new: Side) -> tuple[RuleChange, ...]:
    before, after = _decisions(old), _decisions(new)
    out = []
    for fw, ident in sorted(set(before) | set(after)):
        was, now = before.get((fw, ident), set()), after.get((fw, ident), set())
        if was == now:
            continue
        old_line = old.rules[fw].by_id.get(ident) if fw in old.rules else None
        new_line = new.rules[fw].by_id.get(ident) if fw in new.rules else None
        out.append(
            RuleChange(
                fw, ident[0], old_line, new_line, tuple(sorted(was - now)), tuple(sorted(now - was))
            )
        )
    return tuple(out)

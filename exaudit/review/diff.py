"""Pre-change review: audit a topology now and before, report only what changed.

"Before" is a git revision (each file read with ``git show REV:path``) or a directory
holding the old files in the layout they have beside the topology. Both versions are
audited the same way; findings are matched by fingerprint (never by line), required
flows by firewall, flow, source, destination and interfaces, and rules by their text
(and rank among identical lines), so moving lines or comments around changes nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from exaudit.analysis.context import (
    AuditContext,
    CrossingResult,
    FirewallAudit,
    run_audit,
)
from exaudit.checks._common import decider_text, flow_json
from exaudit.core.errors import InputError
from exaudit.core.findings import Finding, Location
from exaudit.core.model import Origin
from exaudit.exchange.flows import Crossing
from exaudit.exchange.topology import load_topology
from exaudit.review.suppress import Triage, scan_files, triage

# --- the verdict of each required flow at each firewall ---------------------------------

# Worst first: a flow at a firewall has the first status whose test holds.
STATUSES = ("deny", "partly denied", "replies denied", "undetermined", "permit")


@dataclass
class FlowState:
    """A crossing's verdict and the lines that decided each part (forward and replies)."""

    firewall: str
    crossing: Crossing
    status: str
    decided: list[tuple[str, str, Origin | None, str]]  # (direction, verdict, origin, chain)

    @property
    def key(self) -> tuple[str, ...]:
        c = self.crossing
        return (self.firewall, c.flow.id, c.flow.src_label, c.flow.dst.name,
                c.local or f"{c.in_iface}>{c.out_iface}")

    def lines(self, verdict: str | None = None) -> list[int]:
        return sorted({o.line for _, v, o, _ in self.decided
                       if o is not None and (verdict is None or v == verdict)})

    def to_json(self) -> dict[str, Any]:
        out = flow_json(self.crossing.flow, None, self.crossing)
        out["status"] = self.status
        out["lines"] = {v: self.lines(v) for v in sorted({v for _, v, _, _ in self.decided})}
        return out


def _status(cr: CrossingResult) -> str:
    forward = cr.forward.verdicts
    replies: set[str] = set()
    for r in cr.replies:
        replies |= r.result.verdicts
    tests = {"deny": forward == {"deny"}, "partly denied": "deny" in forward,
             "replies denied": "deny" in replies,
             "undetermined": "undetermined" in forward | replies, "permit": True}
    return next(s for s in STATUSES if tests[s])


def _decided(cr: CrossingResult) -> list[tuple[str, str, Origin | None, str]]:
    out = []
    for direction, result in [("forward", cr.forward)] + [("reply", r.result)
                                                           for r in cr.replies]:
        for p in result.parts:
            chain = f"{p.path[-1].stage} {p.path[-1].chain}" if p.path else ""
            out.append((direction, p.verdict, p.decided_by, chain))
    return out


def flow_states(fa: FirewallAudit) -> list[FlowState]:
    return [FlowState(fa.firewall.name, cr.crossing, _status(cr), _decided(cr))
            for cr in fa.results]


def annotate_firewalls(report: dict[str, Any], ctx: AuditContext) -> None:
    """Add each firewall's topology line and its required flows' verdicts to a report."""
    by_name = {fa.firewall.name: fa for fa in ctx.firewalls}
    for fw in report["firewalls"]:
        fa = by_name.get(fw["name"])
        if fa is not None:
            fw["line"] = fa.firewall.line
            fw["flows"] = [s.to_json() for s in flow_states(fa)]


# --- the old version of the files -------------------------------------------------------


class Before:
    """Where the old files come from: a git revision or a directory."""

    def __init__(self, spec: str, topology: str) -> None:
        self.spec = spec
        absolute = os.path.abspath(topology)
        if os.path.isdir(spec):
            self.git = False
            self.base = os.path.dirname(absolute)
        else:
            from exaudit.review.fingerprint import repo_root

            root = repo_root(absolute)
            if root is None:
                raise InputError(None, None, f"--before {spec!r} is not a directory and "
                                 f"{topology} is not inside a git repository")
            self.git = True
            self.base = root
            if self._git("rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}") is None:
                raise InputError(None, None, f"--before {spec!r} is neither a directory nor "
                                 "a revision of the git repository")
        self.topology = os.path.relpath(absolute, self.base)

    def _git(self, *args: str) -> bytes | None:
        try:
            proc = subprocess.run(["git", "-C", self.base, *args], capture_output=True,
                                  check=False)
        except OSError as exc:
            raise InputError(None, None, f"cannot run git: {exc.strerror}") from None
        return proc.stdout if proc.returncode == 0 else None

    def read(self, rel: str) -> bytes | None:
        if self.git:
            return self._git("show", f"{self.spec}:{rel.replace(os.sep, '/')}")
        try:
            with open(os.path.join(self.spec, rel), "rb") as fh:
                return fh.read()
        except OSError:
            return None

    def label(self, rel: str) -> str:
        if self.git:
            return f"{self.spec}:{rel.replace(os.sep, '/')}"
        return os.path.join(self.spec, rel)

    def materialize(self, tmp: str) -> str:
        """Write the old topology and its configs under ``tmp``; the old topology's path."""
        data = self.read(self.topology)
        if data is None:
            if self.git:
                raise InputError(self.label(self.topology), None,
                                 "the topology does not exist in that revision")
            with open(os.path.join(self.base, self.topology), "rb") as fh:
                data = fh.read()  # the directory holds only configs: same topology
        self._put(tmp, self.topology, data)
        for config in _configs(data):
            rel = os.path.normpath(os.path.join(os.path.dirname(self.topology), config))
            if os.path.isabs(config) or rel.split(os.sep)[0] == "..":
                raise InputError(self.label(self.topology), None,
                                 f"config {config!r} lies outside "
                                 f"{'the repository' if self.git else 'the topology directory'}"
                                 "; diff cannot find its old version")
            old = self.read(rel)
            if old is not None:
                self._put(tmp, rel, old)
        return os.path.join(tmp, self.topology)

    @staticmethod
    def _put(tmp: str, rel: str, data: bytes) -> None:
        path = os.path.join(tmp, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)


def _configs(data: bytes) -> list[str]:
    """The config paths an (old) topology names; a broken one is left to the loader."""
    try:
        doc = yaml.safe_load(data.decode("utf-8", errors="replace"))
    except yaml.YAMLError:
        return []
    firewalls = doc.get("firewalls") if isinstance(doc, dict) else None
    if not isinstance(firewalls, dict):
        return []
    return [fw["config"] for fw in firewalls.values()
            if isinstance(fw, dict) and isinstance(fw.get("config"), str)]


# --- both audits ------------------------------------------------------------------------


@dataclass
class Side:
    ctx: AuditContext
    triage: Triage
    states: dict[tuple[str, ...], FlowState]
    rules: dict[str, RuleIndex]  # firewall -> its rules by identity


@dataclass
class RuleIndex:
    """A ruleset's lines by identity (normalized text and rank among equal texts)."""

    by_line: dict[int, tuple[str, int]] = field(default_factory=dict)
    by_id: dict[tuple[str, int], int] = field(default_factory=dict)

    @classmethod
    def of(cls, fa: FirewallAudit) -> RuleIndex:
        index = cls()
        origins = [r.origin for r in fa.ruleset.rules()]
        origins += [c.default_origin for c in fa.ruleset.chains.values() if c.default_origin]
        seen: dict[str, int] = {}
        for o in sorted(set(origins), key=lambda o: o.line):
            text = " ".join(o.text.split())
            rank = seen.get(text, 0)
            seen[text] = rank + 1
            index.by_line[o.line] = (text, rank)
            index.by_id[(text, rank)] = o.line
        return index

    def identity(self, origin: Origin | None, chain: str) -> tuple[str, int]:
        if origin is None:
            return (f"({decider_text(None, chain)})", 0)
        return self.by_line.get(origin.line, (" ".join(origin.text.split()), 0))


def _side(topology: str, enabled: frozenset[str], baseline: str | None,
          remap: Remap | None = None) -> Side:
    from exaudit.review import baseline as baselines

    topo = load_topology(topology)
    ctx, findings = run_audit(topo)
    files = [(topo.path, "topology", None)] + [(fa.firewall.config, fa.firewall.platform,
                                                 fa.firewall.name) for fa in ctx.firewalls]
    suppressions = scan_files(files)
    if remap is not None:
        findings = [_moved(f, remap) for f in findings]
        for s in suppressions:
            s.file = remap(s.file)
    base = baselines.load(baseline) if baseline else None
    result = triage(findings, enabled, suppressions, base)
    states = {s.key: s for fa in ctx.firewalls for s in flow_states(fa)}
    rules = {fa.firewall.name: RuleIndex.of(fa) for fa in ctx.firewalls}
    return Side(ctx, result, states, rules)


@dataclass(frozen=True)
class Remap:
    """Old files live under a temporary root; show them where their new versions are."""

    root: str  # the temporary root holding the old files
    old_dir: str  # the old topology's directory under it
    new_dir: str  # the current topology's directory, as the user named it

    def __call__(self, path: str) -> str:
        if not os.path.abspath(path).startswith(os.path.abspath(self.root) + os.sep):
            return path
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(self.old_dir))
        return os.path.normpath(os.path.join(self.new_dir, rel))


def _moved(f: Finding, remap: Remap) -> Finding:
    if f.location is None:
        return f
    return Finding(f.check, f.name, f.severity, f.firewall,
                   Location(remap(f.location.file), f.location.line), f.message,
                   f.flow, f.fix, f.text)


@dataclass
class Diff:
    topology: str
    before: str
    introduced: list[tuple[Finding, str, int | None]]  # finding, fingerprint, line before
    resolved: list[tuple[Finding, str, int | None]]  # finding (old lines), fp, line now
    flows: list[dict[str, Any]]
    rules: list[dict[str, Any]]
    after: Side

    @property
    def empty(self) -> bool:
        return not (self.introduced or self.resolved or self.flows or self.rules)


def run_diff(topology: str, before: str, enabled: frozenset[str],
             baseline: str | None = None) -> Diff:
    topology = os.path.normpath(topology)
    source = Before(before, topology)
    after = _side(topology, enabled, baseline)
    with tempfile.TemporaryDirectory(prefix="exaudit-diff-") as tmp:
        old_topology = source.materialize(tmp)
        old_dir = os.path.dirname(old_topology)
        remap = Remap(tmp, old_dir, os.path.dirname(topology) or ".")
        try:
            old = _side(old_topology, enabled, baseline, remap)
        except InputError as exc:
            raise _relabel(exc, tmp, source) from None
    new_prints = {fp for _, fp in after.triage.active}
    old_prints = {fp for _, fp in old.triage.active}
    introduced = [(f, fp, _other_line(f, after, old)) for f, fp in after.triage.active
                  if fp not in old_prints]
    resolved = [(f, fp, _other_line(f, old, after)) for f, fp in old.triage.active
                if fp not in new_prints]
    return Diff(topology, before, introduced, resolved, _flow_changes(old, after),
                _rule_changes(old, after), after)


def _relabel(exc: InputError, tmp: str, source: Before) -> InputError:
    file = exc.file
    if file and os.path.abspath(file).startswith(os.path.abspath(tmp) + os.sep):
        file = source.label(os.path.relpath(os.path.abspath(file), os.path.abspath(tmp)))
    message = re.sub(re.escape(tmp) + r"[/\\]?", "", exc.message)
    return InputError(file, exc.line, f"(before) {message}")


def _other_line(f: Finding, this: Side, other: Side) -> int | None:
    """The line the finding's rule has on the other side, if the rule is there."""
    if f.firewall is None or f.location is None or f.firewall not in this.rules:
        return None
    ident = this.rules[f.firewall].by_line.get(f.location.line)
    if ident is None or f.firewall not in other.rules:
        return None
    return other.rules[f.firewall].by_id.get(ident)


CHANGE = {("permit", "deny"): "newly blocked", ("permit", "partly denied"): "newly partly "
          "blocked", ("permit", "replies denied"): "replies newly blocked"}


def _change(before: str | None, after: str | None) -> str:
    if before is None:
        return f"newly required ({after})"
    if after is None:
        return f"no longer required (was {before})"
    if after == "permit":
        return "newly open"
    return CHANGE.get((before, after), f"{before} -> {after}")


def _flow_changes(old: Side, new: Side) -> list[dict[str, Any]]:
    out = []
    for key in sorted(set(old.states) | set(new.states)):
        a, b = old.states.get(key), new.states.get(key)
        if a is not None and b is not None and a.status == b.status:
            continue
        state = b or a
        assert state is not None
        flow = flow_json(state.crossing.flow, None, state.crossing)
        out.append({"firewall": key[0], "flow": flow,
                    "change": _change(a.status if a else None, b.status if b else None),
                    "before": {"status": a.status, "lines": a.lines()} if a else None,
                    "after": {"status": b.status, "lines": b.lines()} if b else None})
    return out


def _decisions(side: Side) -> dict[tuple[str, tuple[str, int]], set[str]]:
    """Per (firewall, rule identity): what it decides, as ``verdict direction flow``."""
    out: dict[tuple[str, tuple[str, int]], set[str]] = {}
    for key, state in side.states.items():
        index = side.rules[state.firewall]
        c = state.crossing
        what = (f"{c.flow.id} {c.flow.src_label} -> {c.flow.dst.name} "
                f"({c.path_label()})")
        for direction, verdict, origin, chain in state.decided:
            word = verdict if direction == "forward" else f"{verdict} replies of"
            out.setdefault((state.firewall, index.identity(origin, chain)),
                           set()).add(f"{word} {what}")
    return out


def _rule_changes(old: Side, new: Side) -> list[dict[str, Any]]:
    before, after = _decisions(old), _decisions(new)
    out = []
    for fw, ident in sorted(set(before) | set(after)):
        was, now = before.get((fw, ident), set()), after.get((fw, ident), set())
        if was == now:
            continue
        old_line = old.rules[fw].by_id.get(ident) if fw in old.rules else None
        new_line = new.rules[fw].by_id.get(ident) if fw in new.rules else None
        out.append({"firewall": fw, "text": ident[0], "before_line": old_line,
                    "after_line": new_line, "before": sorted(was - now),
                    "after": sorted(now - was)})
    return out


# --- rendering --------------------------------------------------------------------------


def _finding_json(f: Finding, fp: str, other: int | None, key: str) -> dict[str, Any]:
    out = f.to_json()
    out["fingerprint"] = fp
    if f.text:
        out["text"] = f.text
    out[key] = other
    return out


def report(d: Diff) -> dict[str, Any]:
    from exaudit.report.build import TOOL, severity_counts

    introduced = [_finding_json(f, fp, line, "line_before") for f, fp, line in d.introduced]
    resolved = [_finding_json(f, fp, line, "line_after") for f, fp, line in d.resolved]
    summary = {"introduced": severity_counts([f for f, _, _ in d.introduced]),
               "resolved": len(resolved), "flows_changed": len(d.flows),
               "rules_changed": len(d.rules)}
    firewalls = [{"name": fa.firewall.name, "platform": fa.firewall.platform,
                  "config": fa.firewall.config, "line": fa.firewall.line}
                 for fa in d.after.ctx.firewalls]
    return {"schema": "exaudit.diff/1", "tool": TOOL, "topology": d.topology,
            "before": d.before, "summary": summary, "firewalls": firewalls,
            "flows": d.flows, "introduced": introduced, "resolved": resolved,
            "rules": d.rules}


def _line(n: int | None) -> str:
    return "-" if n is None else str(n)


def render_text(data: dict[str, Any]) -> str:
    out = [f"exaudit diff of {data['topology']}: before = {data['before']}, "
           "after = the files as they are now"]
    if not (data["flows"] or data["introduced"] or data["resolved"] or data["rules"]):
        out.append("No change: every required flow has the same verdict and no finding "
                   "was introduced or resolved.")
        return "\n".join(out) + "\n"
    s = data["summary"]
    out.append(f"{s['flows_changed']} flow(s) changed, "
               f"{sum(s['introduced'].values())} finding(s) introduced, "
               f"{s['resolved']} resolved, {s['rules_changed']} rule(s) decide differently")
    out += list(_flow_lines(data["flows"]))
    for title, items, key, label in (("Findings introduced", data["introduced"],
                                      "line_before", "was line"),
                                     ("Findings resolved", data["resolved"], "line_after",
                                      "now line")):
        if not items:
            continue
        out += ["", f"{title}:"]
        for f in items:
            loc = f["location"]
            where = f"{loc['file']}:{loc['line']}" if loc else "-"
            other = f" ({label} {f[key]})" if f.get(key) is not None else ""
            out.append(f"  {where}{other}  {f['check']} {f['severity']}  "
                       f"{f['firewall'] or '(topology)'}: {f['message']}")
    if data["rules"]:
        out += ["", "Rules whose verdicts changed (line before -> line now):"]
        for r in data["rules"]:
            out.append(f"  {r['firewall']}  line {_line(r['before_line'])} -> "
                       f"{_line(r['after_line'])}: {r['text']}")
            out += [f"      no longer: {x}" for x in r["before"]]
            out += [f"      now:       {x}" for x in r["after"]]
    return "\n".join(out) + "\n"


def _flow_lines(flows: list[dict[str, Any]]) -> Iterator[str]:
    if not flows:
        return
    yield ""
    yield "Required flows whose verdict changed:"
    for c in flows:
        f = c["flow"]
        path = f.get("path") or f"{f.get('in')} -> {f.get('out')}"
        side = [f"{x['status']} (lines {', '.join(map(str, x['lines'])) or '-'})"
                if x else "absent" for x in (c["before"], c["after"])]
        yield (f"  {c['firewall']}  {f['id']} tcp/{f['port']} {f['src']} -> {f['dst']} "
               f"({path}): {c['change']}: {side[0]} -> {side[1]}")


def render_sarif(data: dict[str, Any]) -> str:
    from exaudit.reporters import sarif

    as_report = {"topology": data["topology"], "firewalls": data["firewalls"],
                 "findings": data["introduced"]}
    return sarif.render(as_report, baseline_state="new")

"""pf's last-match evaluation, with quick and anchors, turned into first-match chains.

For a flat ruleset, "the first matching ``quick`` rule wins, else the last matching
rule, else the implicit pass" is first match over the quick rules in file order, then
the other rules in reverse order. Anchors are evaluated in place: their rules are the
anchor's conditions and their own; a ``quick`` rule inside an anchor is final for the
whole ruleset; an anchor marked ``quick`` ends evaluation when it is left if any of its
rules matched (pf.conf(5)), so its rules are final too, in last-match order among
themselves. (The kernels differ in corner cases the manual does not describe: OpenBSD
stops only when the last matching rule sits directly in the quick anchor, not in an
anchor nested in it; older FreeBSD forgets a match made before a nested anchor. exaudit
follows the manual.) Hence every statement contributes to two lists: ``final`` (taken in order)
and ``ordinary`` (taken in reverse, after all final ones); each rule keeps the pf line it
came from, so the line a packet is decided by is the pf line that decides it.
``match`` rules never decide and give no rule. What exaudit cannot see (an anchor whose
rules are loaded at run time, a missing include) becomes a pair of uncertain rules, one
passing and one blocking, so every verdict it could change is undetermined.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from exaudit.core.errors import InputError
from exaudit.core.model import Chain, Issue, IssueKind, Match, Origin, Rule, Target, Verb
from exaudit.platforms.pf.context import Context
from exaudit.platforms.pf.expand import Box, Inconsistent, expand, meet_all
from exaudit.platforms.pf.ir import AnchorRule, Conditions, FilterRule, Opaque

DEFAULT = Target(Verb.ACCEPT, name="default pass")
MAX_DEPTH = 32
# Named anchors can be evaluated from many places; a ruleset that expands past these is
# reported as unusable instead of being expanded for ever.
MAX_ANCHOR_VISITS = 20_000
MAX_RULES = 3_000_000
Group = list[Rule]


@dataclass
class Lists:
    final: list[Group] = field(default_factory=list)
    ordinary: list[Group] = field(default_factory=list)


class Builder:
    """Builds the ``in`` or ``out`` chain of one parsed configuration."""

    def __init__(self, ctx: Context, direction: str) -> None:
        self.ctx = ctx
        self.direction = direction
        self._reasons: dict[tuple[Origin, IssueKind], dict[str, None]] = {}  # ordered sets
        self.visits = 0
        self.produced = 0

    def chain(self, items: list[object]) -> Chain:
        rules: list[Rule] = []
        for skip in self.ctx.skips:
            for alt in skip.ifaces:
                match = Match(iif=alt.match) if self.direction == "in" else Match(oif=alt.match)
                unknown = (alt.reason,) if alt.match is None else ()
                rules.append(
                    Rule(skip.origin, match, Target(Verb.ACCEPT, name="set skip"), unknown)
                )
                if unknown:
                    self._problem(skip.origin, IssueKind.UNSUPPORTED, alt.reason)
        for head in self.ctx.head:
            for match, reasons in self._boxes(head.cond, head.origin, None):
                rules.append(
                    Rule(
                        head.origin,
                        match,
                        Target(Verb.ACCEPT, name="pass"),
                        reasons + (head.reason,),
                        stateful=True,
                    )
                )
                self._problem(head.origin, IssueKind.UNSUPPORTED, head.reason)
        lists = self.walk(items, None, 0)
        for group in lists.final:
            rules.extend(group)
        for group in reversed(lists.ordinary):
            rules.extend(group)
        return Chain(self.direction, rules, DEFAULT, None)

    @property
    def problems(self) -> dict[tuple[Origin, IssueKind], str]:
        """(origin, code) -> message, one per line and code."""
        return {key: "; ".join(reasons) for key, reasons in self._reasons.items()}

    def issues(self) -> list[Issue]:
        return [Issue(code, origin, message) for (origin, code), message in self.problems.items()]

    def _problem(self, origin: Origin, code: IssueKind, message: str) -> None:
        reasons = self._reasons.setdefault((origin, code), {})
        for reason in message.split("; "):
            reasons[reason] = None

    def _boxes(self, cond: Conditions, origin: Origin, outer: list[Box] | None) -> list[Box]:
        try:
            boxes = expand(cond, self.direction)
        except Inconsistent as e:
            # pfctl refuses the rule; what it could match without the offending part is
            # an outer bound, kept uncertain
            message = f"pfctl rejects this rule: {e}"
            self._problem(origin, IssueKind.REFUSED, message)
            loose = replace(
                cond, sport=None, dport=None, icmp=None, unknown=cond.unknown + [message]
            )
            try:
                boxes = expand(loose, self.direction)
            except Inconsistent:
                boxes = expand(replace(loose, src=None, dst=None), self.direction)
        if outer is not None:
            boxes = meet_all(outer, boxes)
        self.produced += len(boxes)
        if self.produced > MAX_RULES:
            raise InputError(
                origin.file, origin.line, f"the ruleset expands to more than {MAX_RULES} rules"
            )
        return boxes

    def walk(self, items: list[object], outer: list[Box] | None, depth: int) -> Lists:
        out = Lists()
        for item in items:
            if isinstance(item, FilterRule):
                self._filter(item, outer, out)
            elif isinstance(item, AnchorRule):
                self._anchor(item, outer, depth, out)
            elif isinstance(item, Opaque):
                out.final.append(self._opaque(item.origin, item.cond, outer, item.reason))
        return out

    def _filter(self, rule: FilterRule, outer: list[Box] | None, out: Lists) -> None:
        if rule.action == "match":
            if rule.quick:
                reason = "'match ... quick' ends evaluation with the decision made so far"
                out.final.append(self._opaque(rule.origin, rule.cond, outer, reason))
            return
        group = []
        for match, reasons in self._boxes(rule.cond, rule.origin, outer):
            if rule.broken:
                reasons += (f"line not fully understood: {rule.broken}",)
            elif reasons and not any(r.startswith("pfctl rejects") for r in reasons):
                self._problem(rule.origin, IssueKind.UNSUPPORTED, "; ".join(reasons))
            group.append(Rule(rule.origin, match, rule.target, reasons, rule.stateful))
        if group:
            (out.final if rule.quick else out.ordinary).append(group)

    def _anchor(self, anchor: AnchorRule, outer: list[Box] | None, depth: int, out: Lists) -> None:
        self.visits += 1
        if self.visits > MAX_ANCHOR_VISITS:
            raise InputError(
                anchor.origin.file,
                anchor.origin.line,
                f"anchors are evaluated more than {MAX_ANCHOR_VISITS} times",
            )
        boxes = self._boxes(anchor.cond, anchor.origin, outer)
        if not boxes:
            return
        body, missing = self._content(anchor)
        if body is None or depth >= MAX_DEPTH:
            reason = missing or "anchors nested too deeply"
            out.final.append(self._pair(anchor.origin, boxes, reason))
            return
        for _, reasons in boxes:
            if reasons:
                self._problem(anchor.origin, IssueKind.UNSUPPORTED, "; ".join(reasons))
        inner = self.walk(body, boxes, depth + 1)
        out.final.extend(inner.final)
        if anchor.quick:
            out.final.extend(reversed(inner.ordinary))
        else:
            out.ordinary.extend(inner.ordinary)

    def _content(self, anchor: AnchorRule) -> tuple[list[object] | None, str]:
        if anchor.body is not None:
            return anchor.body, ""
        path = anchor.path or ""
        if anchor.wildcard:
            prefix = path + "/" if path else ""
            children = sorted(
                p for p in self.ctx.anchors if p.startswith(prefix) and "/" not in p[len(prefix) :]
            )
            if not children:
                return None, (
                    f'anchor "{path}/*" has no rules in the config; they are loaded at run time'
                )
            body: list[object] = []
            for child in children:
                body.append(
                    AnchorRule(
                        self.ctx.anchor_origin.get(child, anchor.origin), child, False, Conditions()
                    )
                )
            return body, ""
        if path in self.ctx.anchors:
            return self.ctx.anchors[path], ""
        return None, f'anchor "{path}" has no rules in the config; they are loaded at run time'

    def _opaque(
        self, origin: Origin, cond: Conditions, outer: list[Box] | None, reason: str
    ) -> Group:
        return self._pair(origin, self._boxes(cond, origin, outer), reason)

    def _pair(self, origin: Origin, boxes: list[Box], reason: str) -> Group:
        self._problem(origin, IssueKind.UNSUPPORTED, reason)
        group = []
        for match, reasons in boxes:
            unknown = reasons + (reason,)
            group.append(
                Rule(
                    origin, match, Target(Verb.ACCEPT, name="unknown rules"), unknown, stateful=True
                )
            )
            group.append(Rule(origin, match, Target(Verb.DROP, name="unknown rules"), unknown))
        return group

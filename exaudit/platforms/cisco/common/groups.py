"""Named objects and object-groups, resolved with nesting, cycles and undefined names."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from exaudit.core.intervals import IntervalSet
from exaudit.platforms.cisco.common.addr import Addr, Service
from exaudit.platforms.cisco.common.context import Context
from exaudit.platforms.cisco.common.tokens import ParseError


@dataclass
class Group:
    """An object or object-group: its own members, nested groups, and where it is."""

    kind: str  # network | service | protocol | icmp | port
    name: str
    index: int  # 0-based line of its definition
    members: list = field(default_factory=list)
    nested: list[tuple[str, int]] = field(default_factory=list)  # (name, line index)
    subtype: str | None = None  # ASA service port-group protocol: tcp, udp, tcp-udp
    # why a later line may have removed or replaced it: every use is then undetermined
    doubt: str | None = None


class Groups:
    """Named objects and groups, resolved with nesting, cycles and undefined names flagged."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.by_name: dict[str, Group] = {}
        self._cache: dict[str, list] = {}
        self._active: set[str] = set()
        self.used: set[str] = set()

    def define(self, group: Group) -> Group:
        existing = self.by_name.get(group.name)
        if existing is not None and existing.kind == group.kind:
            return existing  # re-entering a group's block adds members to it
        if existing is not None:
            # Which of the two the device keeps is not documented: both readings stay
            # possible, so the name's uses are undetermined and the new block is read
            # into a group nothing refers to (its lines are still checked).
            self.ctx.not_understood(
                group.index,
                f"{group.name} is already a {existing.kind} "
                f"group (line {existing.index + 1}): redefining it as "
                f"a {group.kind} group is not modelled",
            )
            self.doubt(
                group.name,
                group.index,
                f"line {group.index + 1} redefines "
                f"{group.name} as a {group.kind} group (not modelled)",
            )
            return group
        self.by_name[group.name] = group
        return group

    def doubt(self, name: str, index: int, why: str) -> bool:
        """Line ``index`` may have removed or replaced ``name``: only a group defined above
        that line is affected (removing a name not yet defined changes nothing)."""
        group = self.by_name.get(name)
        if group is None or group.index > index:
            return False
        if group.doubt is None:
            group.doubt = why
        return True

    def kind_of(self, name: str) -> str | None:
        group = self.by_name.get(name)
        return group.kind if group is not None else None

    def members(self, name: str, kind: str, undefined: Callable[[str], object]) -> list:
        """Every member of ``name`` (a ``kind`` group), nested groups expanded.

        An undefined or wrongly typed name yields ``undefined(description)``.
        """
        self.used.add(name)
        group = self.by_name.get(name)
        if group is None:
            return [undefined(f"object-group {name} is not defined")]
        if group.kind != kind:
            return [undefined(f"{name} is a {group.kind} group, not a {kind} one")]
        if name in self._cache:
            return self._cache[name]
        if name in self._active:
            return [undefined(f"object-group {name} contains itself")]
        self._active.add(name)
        out = list(group.members)
        for child, _index in group.nested:
            out.extend(self.members(child, kind, undefined))
        self._active.discard(name)
        if group.doubt is not None:
            out = [doubtful_member(kind, m, group.doubt) for m in out] or [
                unresolved_member(kind, group.doubt)
            ]
        self._cache[name] = out
        return out


def union_addr(parts: Iterable[Addr]) -> Addr:
    spans = IntervalSet()
    unknown: list[str] = []
    for part in parts:
        spans = spans | part.spans
        unknown.extend(part.unknown)
    return Addr(spans, tuple(dict.fromkeys(unknown)))


def unresolved_member(kind: str, why: str) -> object:
    """A group member that could not be read, kept so every use of the group is flagged:
    an empty address set or a service with an unknown condition, or the error itself for
    port and ICMP groups (their readers report it)."""
    if kind == "network":
        return Addr(IntervalSet(), (why,))
    if kind == "port":
        return ParseError(why)
    if kind == "icmp":
        return why
    return Service(None, None, None, (why,))


def doubtful_member(kind: str, member: object, why: str) -> object:
    """A member of a group that may be gone: what it matches becomes uncertain.

    A service keeps its box as an outer bound; an address set cannot carry an uncertain
    part, so it becomes the whole space, uncertain; port and ICMP members become errors
    their readers report (the entries using them are then not understood).
    """
    if isinstance(member, Service):
        return Service(
            member.proto, member.sport, member.dport, tuple(dict.fromkeys(member.unknown + (why,)))
        )
    if isinstance(member, Addr):
        return Addr(IntervalSet(), tuple(dict.fromkeys(member.unknown + (why,))))
    if kind == "protocol" and isinstance(member, IntervalSet):
        return Service(member, None, None, (why,))
    return unresolved_member(kind, why)

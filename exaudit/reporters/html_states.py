"""A flow's state in a matrix cell: its ``data-state``, label, symbol and how bad it is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from exaudit.reporters.html_markup import Markup, el, slug


@dataclass(frozen=True)
class State:
    """How a cell shows a verdict; the symbol and label carry it without colour."""

    slug: str  # the cell's data-state and CSS class
    label: str
    symbol: str
    rank: int  # higher is worse; below 0: no verdict at all

    def badge(self, short: bool = False) -> Markup:
        """The symbol and the label (the label hidden visually when ``short``)."""
        label = el("span", self.label, class_="sr" if short else "label")
        return el(
            "span",
            el("span", self.symbol, class_="sym", aria_hidden="true"),
            label,
            class_=f"state st-{self.slug}",
        )


PERMIT = State("permit", "permit", "\u2713", 0)
DENIED = State("denied", "denied", "\u2717", 5)
PARTLY = State("partly-denied", "partly denied", "\u25d0", 4)
REPLIES = State("replies-denied", "replies denied", "\u21a9", 3)
UNDETERMINED = State("undetermined", "undetermined", "?", 2)
OFF_PATH = State("not-on-path", "not on the path", "\u2013", -1)
ABSENT = State("not-required", "not required", "\u2205", -1)  # a diff side without the flow
UNCHANGED = State("unchanged", "unchanged", "=", -2)  # a diff cell with no change

BY_STATUS = {
    "permit": PERMIT,
    "deny": DENIED,
    "partly denied": PARTLY,
    "replies denied": REPLIES,
    "undetermined": UNDETERMINED,
}
LEGEND = (PERMIT, DENIED, PARTLY, REPLIES, UNDETERMINED, OFF_PATH)
BLOCKED = frozenset({DENIED.slug, PARTLY.slug, REPLIES.slug})


def of(status: str | None) -> State:
    """The state of a ``FlowVerdict`` status (None: the flow is not there)."""
    if status is None:
        return ABSENT
    return BY_STATUS.get(status) or State(slug(status), status, "\u2022", 1)


def combined(statuses: Iterable[str]) -> State:
    """One cell for the parts of a flow (its sources split over interfaces).

    Equal parts keep their state; otherwise the worst part decides, except that a
    flow denied in one part and not in another is partly denied.
    """
    states = {of(s) for s in statuses}
    if not states:
        return OFF_PATH
    if len(states) == 1:
        return next(iter(states))
    worst = max(states, key=lambda s: s.rank)
    return PARTLY if worst is DENIED else worst

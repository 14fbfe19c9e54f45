"""One file being parsed: its lines, the ruleset being filled, and its diagnostics."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from exaudit.core.model import Issue, IssueKind, Note, Origin, Ruleset


@dataclass
class Context:
    """One file being parsed: its lines, the ruleset being filled, and diagnostics."""

    path: str
    lines: list[str]
    ruleset: Ruleset
    ace_lines: set[int] = field(default_factory=set)  # 0-based indexes of ACE lines
    _reported: set[Issue] = field(default_factory=set)

    def origin(self, index: int) -> Origin:
        return Origin(self.path, index + 1, self.lines[index].strip())

    def issue(self, code: IssueKind, index: int, message: str) -> None:
        issue = Issue(code, self.origin(index), message)
        if issue not in self._reported:  # a line read for several interfaces, say once
            self._reported.add(issue)
            self.ruleset.issues.append(issue)

    def note(self, index: int | None, message: str) -> None:
        origin = self.origin(index) if index is not None else None
        self.ruleset.notes.append(Note(origin, message))

    @contextmanager
    def quiet(self) -> Iterator[list[Issue]]:
        """Read something only to compare it: what reading it reports is collected in the
        list yielded, and dropped from the ruleset."""
        issues, notes = self.ruleset.issues, self.ruleset.notes
        marks = len(issues), len(notes)
        said: list[Issue] = []
        try:
            yield said
        finally:
            said.extend(issues[marks[0] :])
            self._reported.difference_update(said)
            del issues[marks[0] :], notes[marks[1] :]

    def not_understood(self, index: int, message: str) -> None:
        self.issue(IssueKind.UNPARSED, index, message)

    def not_modelled(self, index: int, message: str) -> None:
        self.issue(IssueKind.UNSUPPORTED, index, message)

    def coverage(self) -> dict[str, int]:
        """ACE lines, and how many of them are fully modelled / partly / not understood."""
        by_line: dict[int, set[IssueKind]] = {}
        for issue in self.ruleset.issues:
            by_line.setdefault(issue.origin.line - 1, set()).add(issue.kind)
        bad = sum(1 for i in self.ace_lines if IssueKind.UNPARSED in by_line.get(i, ()))
        partial = sum(
            1
            for i in self.ace_lines
            if IssueKind.UNSUPPORTED in by_line.get(i, ()) and IssueKind.UNPARSED not in by_line[i]
        )
        return {
            "ace_lines": len(self.ace_lines),
            "understood": len(self.ace_lines) - bad,
            "partial": partial,
            "not_understood": bad,
        }

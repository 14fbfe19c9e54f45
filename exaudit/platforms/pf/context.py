"""What one pf configuration shares while it is read: macros, tables, anchors, issues."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from exaudit.core import confine
from exaudit.core.model import Issue, IssueKind, Note, Origin
from exaudit.platforms.pf.addr import Table
from exaudit.platforms.pf.ir import HeadPass, Skip


@dataclass
class TableRef:
    """``<name>`` in a rule, resolved once every table of the file set is known."""

    name: str
    anchor: str
    negated: bool = False


@dataclass
class Context:
    """Everything one configuration (main file, includes, loaded anchors) shares."""

    path: str
    base_dir: str
    macros: dict[str, str] = field(default_factory=dict)
    tables: dict[tuple[str, str], Table] = field(default_factory=dict)
    anchors: dict[str, list[object]] = field(default_factory=dict)
    anchor_origin: dict[str, Origin] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    head: list[HeadPass] = field(default_factory=list)
    block_policy: str = "drop"
    statements: int = 0
    not_understood: int = 0
    translations: list[Origin] = field(default_factory=list)
    pending_loads: list[tuple[str, str, Origin, str]] = field(default_factory=list)
    include_depth: int = 0
    includes: int = 0
    read_file: Callable[[str], str | None] | None = None
    # every file read besides the main one (includes, loaded anchors, table files), with
    # its text: the result depends on them, and suppressions are written there too
    files_read: dict[str, str] = field(default_factory=dict)
    # why a named file was not read although it exists (outside the repository, a device)
    refused: dict[str, str] = field(default_factory=dict)

    def issue(self, code: IssueKind, origin: Origin, message: str) -> None:
        self.issues.append(Issue(code, origin, message))

    def read(self, path: str) -> str | None:
        """The text of a file the config names (None: not available)."""
        text = self.read_file(path) if self.read_file else None
        if text is not None:
            self.files_read[path] = text
        return text

    def find_file(self, name: str, near: str) -> str | None:
        """A file a config names, looked for where a copied config tree would keep it."""
        root = confine.allowed_root(self.base_dir)
        for candidate in candidates(name, near, self.path):
            if os.path.lexists(candidate):
                reason = confine.refusal(candidate, root)
                if reason is None:
                    return candidate
                self.refused.setdefault(name, f"{candidate} {reason}")
        return None

    def unavailable(self, name: str) -> str:
        """Why the file ``name`` could not be used, in words following its name."""
        reason = self.refused.get(name)
        return f"is not available ({reason})" if reason else "is not available"


def candidates(name: str, near: str, main: str) -> list[str]:
    """Where ``name`` may be: as given, beside the naming file, re-rooted at the config.

    pf.conf lives in /etc, so ``/etc/pf.anchors/x`` of a copied tree is ``pf.anchors/x``
    beside the copy; collections that flatten a tree into one folder fold the path into
    the file name with ``__`` after the source's prefix.
    """
    here = os.path.dirname(near) or "."
    root = os.path.dirname(main) or "."
    out = []
    if not os.path.isabs(name):
        out.append(os.path.join(here, name))
        out.append(os.path.join(root, name))
    else:
        rel = name.lstrip("/")
        under_etc = rel[4:] if rel.startswith("etc/") else rel
        out += [
            os.path.join(root, under_etc),
            os.path.join(root, rel),
            os.path.join(root, os.path.basename(name)),
        ]
        stem = os.path.basename(main)
        if "__" in stem:
            prefix = stem[: stem.rindex("__") + 2]
            out.append(os.path.join(root, prefix + under_etc.replace("/", "__")))
            out.append(os.path.join(root, prefix + os.path.basename(name)))
    return out

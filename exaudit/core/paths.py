"""Paths as CI tools show them: relative to the git top-level holding the file."""

from __future__ import annotations

import os
from functools import lru_cache


@lru_cache(maxsize=256)
def _repo_root(directory: str) -> str | None:
    """The git top-level holding ``directory`` (a ``.git`` dir, or file for worktrees)."""
    current = directory
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def repo_root(path: str) -> str | None:
    absolute = os.path.abspath(path)
    start = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
    return _repo_root(start)


def repo_path(path: str) -> str:
    """``path`` relative to its git top-level, else to the working directory, with ``/``.

    GitHub and GitLab place annotations by repository-relative paths; a path shown the
    same way from any working directory also keeps fingerprints of lint findings stable.
    """
    absolute = os.path.abspath(path)
    root = repo_root(absolute) or os.getcwd()
    return os.path.relpath(absolute, root).replace(os.sep, "/")

"""Which files an input may make exaudit read: regular files inside the repository.

exaudit runs in CI on pull-request content, so a topology's ``config:`` and a pf
``include`` are written by whoever opens the pull request. Left free, they could make
exaudit read ``/etc/shadow`` or ``/proc/self/environ`` and echo its lines into annotations.
A path must resolve (symlinks followed) inside the *allowed tree*: the directory of the
file naming it or its git top-level, whichever is higher. ``--allow-outside-paths`` (the
settings key ``allow-outside-paths``, ``EXAUDIT_ALLOW_OUTSIDE_PATHS=1``) lifts the tree,
never the regular-file rule.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager

from exaudit.core.paths import repo_root

# "1" lifts the tree; the command line sets it for the run (worker processes inherit it)
ALLOW_OUTSIDE_ENV = "EXAUDIT_ALLOW_OUTSIDE_PATHS"
# trees that stand for a repository without being one: ``diff`` writes the files of
# ``--before`` to a temporary directory; a file there may name any other file there
TREES_ENV = "EXAUDIT_TREES"

# kernel pseudo-file systems: their "regular files" are generated on reading
_PSEUDO = ("/proc", "/sys", "/dev")


def allowed_root(directory: str) -> str:
    """The tree a file in ``directory`` may send exaudit into (resolved, no trailing /)."""
    here = os.path.realpath(directory or ".")
    for tree in filter(None, os.environ.get(TREES_ENV, "").split(os.pathsep)):
        tree = os.path.realpath(tree)
        if os.path.commonpath([here, tree]) == tree:
            return tree
    top = repo_root(here)
    return os.path.realpath(top) if top else here


def refusal(path: str, root: str) -> str | None:
    """Why ``path`` may not be read (None: it may), in words for ``FILE:LINE: ...``."""
    real = os.path.realpath(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        return _os_reason(exc)
    if any(real == top or real.startswith(top + "/") for top in _PSEUDO):
        return "is not a regular file (a kernel pseudo-file)"
    if stat.S_ISDIR(info.st_mode):
        return "is a directory, not a file"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file (a device, FIFO or socket)"
    if os.environ.get(ALLOW_OUTSIDE_ENV) != "1" and os.path.commonpath([real, root]) != root:
        return f"is outside the repository ({root}); --allow-outside-paths reads it"
    return None


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "is a symlink loop"
    if exc.errno == errno.EACCES:
        return "cannot be read: permission denied"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "is missing"
    return f"cannot be read: {exc.strerror or exc}"


@contextmanager
def tree(root: str) -> Iterator[None]:
    """While inside, ``root`` stands for a repository top-level."""
    before = os.environ.get(TREES_ENV)
    os.environ[TREES_ENV] = os.pathsep.join(filter(None, [before, root]))
    try:
        yield
    finally:
        if before is None:
            del os.environ[TREES_ENV]
        else:
            os.environ[TREES_ENV] = before

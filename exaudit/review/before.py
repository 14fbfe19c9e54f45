"""Where ``exaudit diff`` finds the old files: a git revision or a directory of them.

"Before" is a git revision (each file read with ``git show REV:path``) or a directory
holding the old files in the layout they have beside the topology. The old files are
written under a temporary root, and paths there are shown as their current versions.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass

import yaml

from exaudit.core.errors import InputError
from exaudit.core.paths import repo_root


class Before:
    """Where the old files come from: a git revision or a directory."""

    def __init__(self, spec: str, topology: str) -> None:
        self.spec = spec
        absolute = os.path.abspath(topology)
        if os.path.isdir(spec):
            self.git = False
            self.base = os.path.dirname(absolute)
        else:
            root = repo_root(absolute)
            if root is None:
                raise InputError(
                    None,
                    None,
                    f"--before {spec!r} is not a directory and "
                    f"{topology} is not inside a git repository",
                )
            self.git = True
            self.base = root
            if self._git("rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}") is None:
                raise InputError(
                    None,
                    None,
                    f"--before {spec!r} is neither a directory nor "
                    "a revision of the git repository",
                )
        self.topology = os.path.relpath(absolute, self.base)

    def _git(self, *args: str) -> bytes | None:
        try:
            proc = subprocess.run(["git", "-C", self.base, *args], capture_output=True, check=False)
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
                raise InputError(
                    self.label(self.topology), None, "the topology does not exist in that revision"
                )
            with open(os.path.join(self.base, self.topology), "rb") as fh:
                data = fh.read()  # the directory holds only configs: same topology
        self._put(tmp, self.topology, data)
        for config in _configs(data):
            rel = os.path.normpath(os.path.join(os.path.dirname(self.topology), config))
            if os.path.isabs(config) or rel.split(os.sep)[0] == "..":
                raise InputError(
                    self.label(self.topology),
                    None,
                    f"config {config!r} lies outside "
                    f"{'the repository' if self.git else 'the topology directory'}"
                    "; diff cannot find its old version",
                )
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
    return [
        fw["config"]
        for fw in firewalls.values()
        if isinstance(fw, dict) and isinstance(fw.get("config"), str)
    ]


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


def relabel(exc: InputError, tmp: str, source: Before) -> InputError:
    """An error about an old file, with the file named as the user knows it."""
    file = exc.file
    if file and os.path.abspath(file).startswith(os.path.abspath(tmp) + os.sep):
        file = source.label(os.path.relpath(os.path.abspath(file), os.path.abspath(tmp)))
    message = re.sub(re.escape(tmp) + r"[/\\]?", "", exc.message)
    return InputError(file, exc.line, f"(before) {message}")

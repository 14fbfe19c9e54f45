"""The result cache: a firewall's audit (or a file's lint) kept under the hash of its inputs.

A key hashes everything the result depends on: exaudit's version and its code (two
commits of one version, as pre-commit pins them, must not share entries), this cache's format,
the platform, the config's path and text, the topology's text and the catalogue's, and
the checks that run. The files the parse read besides the config (pf includes, anchor
files) are only known after a parse: an entry lists them with the hash of their text and
is used only while they are unchanged. Entries are JSON, never pickles (a cache directory
restored in CI must not be a way to run code), written whole or not at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from functools import lru_cache
from typing import Any

from exaudit import __version__

FORMAT = "1"
MAX_AGE_DAYS = 30


def default_dir() -> str:
    """``$EXAUDIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/exaudit``, else ``~/.cache/exaudit``."""
    explicit = os.environ.get("EXAUDIT_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "exaudit")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The fingerprint of the running exaudit's own files."""
    return tree_fingerprint(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tree_fingerprint(package: str) -> str:
    """The name, size and modification time of every source and data file under a tree."""
    h = hashlib.sha256()
    for top, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".yaml")):
                info = os.stat(os.path.join(top, name))
                h.update(f"{top}/{name}:{info.st_size}:{info.st_mtime_ns}\n".encode())
    return h.hexdigest()


def digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in (__version__, code_fingerprint(), FORMAT, *parts):
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Cache:
    """Entries under one directory; a cache that cannot be used is no cache, not an error."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], key + ".json")

    def get(self, key: str) -> tuple[dict[str, Any], list[tuple[str, str]]] | None:
        """The entry and the text of each file it depends on, if all are unchanged."""
        try:
            with open(self._path(key), encoding="utf-8") as fh:
                entry = json.load(fh)
        except (OSError, ValueError):
            self.misses += 1
            return None
        deps = entry.get("deps") if isinstance(entry, dict) else None
        if not isinstance(deps, list) or not all(
            isinstance(d, list) and len(d) == 2 and isinstance(d[0], str) for d in deps
        ):
            self.misses += 1
            return None
        found = [(d[0], _unchanged(d)) for d in deps]
        if any(text is None for _, text in found):
            self.misses += 1
            return None
        self.hits += 1
        return entry, [(path, text) for path, text in found if text is not None]

    def put(self, key: str, entry: dict[str, Any]) -> None:
        path = self._path(key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, path)  # readers see the old entry or the new one, whole
        except OSError:
            return  # a read-only or full disk: the run goes on without the cache
        if int(key[:4], 16) % 64 == 0:  # now and then, forget what nobody asked for
            self.prune()

    def prune(self, max_age_days: int = MAX_AGE_DAYS) -> None:
        cutoff = time.time() - max_age_days * 86400
        for root, _, files in os.walk(self.directory):
            for name in files:
                path = os.path.join(root, name)
                try:
                    if os.stat(path).st_mtime < cutoff:
                        os.remove(path)
                except OSError:
                    pass


def _unchanged(dep: Any) -> str | None:
    """The text of a file the cached parse read, if it is still the text it was."""
    path, expected = dep
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read().removeprefix("\ufeff")
    except OSError:
        return None
    return text if text_digest(text) == expected else None

"""Each input read once: its text goes to the parser and to the suppression scanner."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from exaudit import platforms
from exaudit.core.errors import InputError
from exaudit.core.model import Ruleset
from exaudit.core.textfile import read_text, shown
from exaudit.platforms.api import CommentSyntax, Platform
from exaudit.review.suppress import Suppression, scan_text


@dataclass(frozen=True)
class Config:
    """A firewall config as read: its text and which platform reads it."""

    path: str
    text: str
    platform: Platform
    guessed: bool  # the platform was detected from the content

    def parse(self) -> Ruleset:
        return self.platform.parse(self.text, self.path)

    def commented(self, ruleset: Ruleset, firewall: str | None) -> list[Commented]:
        """This config's text and the files its parse read (pf includes), to scan."""
        files = [(self.path, self.text), *ruleset.sources.items()]
        return [Commented(path, text, self.platform.comments, firewall) for path, text in files]


def read_config(path: str, platform: str | None) -> Config:
    """A config read once (``-``: standard input), with its platform, given or guessed."""
    text = read_text(path)
    path = shown(path)
    name = platform or platforms.detect(text, path)
    return Config(path, text, platforms.get(name), platform is None)


@dataclass(frozen=True)
class Commented:
    """A text read for the run, with the comment syntax its suppressions are written in."""

    path: str
    text: str
    syntax: CommentSyntax
    firewall: str | None = None


def suppressions(texts: Iterable[Commented]) -> list[Suppression]:
    """Fresh suppressions of every text (triage marks which ones were used)."""
    return [s for t in texts for s in scan_text(t.text, t.path, t.syntax, t.firewall)]


def refuse_overwrite(option: str, target: str, inputs: Iterable[str]) -> None:
    """An output that is one of the inputs (by any path, a symlink too) is an error."""
    for path in inputs:
        if path != "<stdin>" and _same(target, path):
            raise InputError(None, None, f"{option} would overwrite an input ({path})")


def _same(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): not the same file
        return False

"""Cisco block structure: exaudit's own reading (indentation alone, and folded comment
runs before the library) gives exactly ciscoconfparse's parents and children."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, corpus_dir
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exaudit.core.errors import InputError
from exaudit.platforms.cisco.common import text
from exaudit.platforms.cisco.common.indent import needs_library

Shape = tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]


def _library(lines: list[str], syntax: str) -> Shape | None:
    """ciscoconfparse on every line, nothing folded: the top level and each line's
    children (each once, in file order); None when it refuses the input."""
    parser = text._ciscoconfparse()
    try:
        conf = parser(lines, syntax=syntax, ignore_blank_lines=False, factory=False)
    except Exception:
        return None
    objs = conf.ConfigObjs
    top = tuple(o.linenum for o in objs if o.parent is o)
    return top, tuple(tuple(sorted({c.linenum for c in o.children})) for o in objs)


def _shape(blocks: text.Blocks) -> Shape:
    return (
        tuple(b.linenum for b in blocks.top),
        tuple(tuple(c.linenum for c in b.children) for b in blocks.lines),
    )


def _ours(lines: list[str], syntax: str, library: bool) -> Shape | None:
    try:
        if library:
            return _shape(text._library_blocks(lines, "x", syntax))
        return _shape(text.load_blocks(lines, "x", syntax))
    except InputError:
        return None


def _check(lines: list[str], syntax: str) -> None:
    expected = _library(lines, syntax)
    assert _ours(lines, syntax, library=True) == expected
    assert _ours(lines, syntax, library=False) == expected
    if expected is not None:
        blocks = text.load_blocks(lines, "x", syntax)
        assert [b.text for b in blocks.lines] == [line.rstrip() for line in lines]


EXAMPLES = {
    "nested": ["interface Gi0/0", " ip access-group A in", "  sub", " back", "top"],
    "comments are no parents": ["interface Gi0/0", " ! x", "  deeper", "!", " after bang"],
    "comment below a deeper line": ["a", "  b", " ! c", " d", "! e", "   f"],
    "blank lines": ["a", " b", "", " c", "", "", "", " d"],
    "stale cache": ["a", "   b", "  c", " d", "   e", "x", "   y", " z", "  w"],
    "tabs and odd spaces": ["a", "\tb", "\t c", " \td", "e\t", "  f  "],
    "indented first": ["   a", "  b", " c", "d"],
    "comment runs": ["a", " b", *(["!"] * 7), " c", *([" !"] * 5), "  d", *([""] * 4), " e"],
    "banner": ["banner motd ^C", "hello", "!", "!", "!", "! ^C", " x", "y", "!", "!", "!"],
    "banner one line": ["banner exec #hi#", " a", "!", "!", "!", "b"],
    "fail message": ["aaa authentication fail-message ^", "no", "^", "!", "!", "!"],
    "macro": ["macro name m", " a", "!", "!", "!", "@", "x"],
    "braces": ["a {", " b", "!", "!", "!", "}", "c"],
    "unbalanced brace": ["a", "}", "!", "!", "!"],
    "brace comments": ["! a {", "! a {", "! a {", "b", "}", "}", "}"],
}


@pytest.mark.parametrize("syntax", ["ios", "asa"])
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_blocks_match_the_library(name: str, syntax: str) -> None:
    _check(EXAMPLES[name], syntax)


def test_the_library_is_asked_only_for_what_only_it_reads() -> None:
    assert not needs_library("interface Gi0/0\n ip access-group A in\n!\n")
    for line in ["banner motd ^C", "macro name x", "a {", " }", "aaa authentication fail-message"]:
        assert needs_library(f"hostname r\n{line}\n")


_WORDS = ["interface Gi0/1", "permit ip any any", "!", "! note", "", "x {", "}", "@"]
_WORDS += ["banner motd ^C", "^C", "banner login #", "#", "macro name m", "ip access-list A"]
_LINE = st.tuples(st.sampled_from(["", " ", "  ", "   ", "\t", " \t"]), st.sampled_from(_WORDS))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, min_size=1, max_size=40), st.sampled_from(["ios", "asa"]))
def test_random_configurations_match_the_library(parts: list, syntax: str) -> None:
    _check([indent + word for indent, word in parts], syntax)


def _configs() -> list[Path]:
    files = [p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix in (".cfg", ".conf")]
    for parts in (("cisco-ios",), ("cisco-asa",)):
        files += sorted(p for p in corpus_dir(*parts).rglob("*") if p.is_file())
    return files


@pytest.mark.corpus
def test_corpus_blocks_match_the_library() -> None:
    checked = 0
    for path in _configs():
        raw = path.read_bytes().decode("utf-8", errors="replace")
        lines = [line[:-1] if line.endswith("\r") else line for line in raw.split("\n")]
        syntax = "asa" if "asa" in str(path).lower() else "ios"
        _check(lines, syntax)
        checked += 1
    assert checked >= 40

"""Real pf.conf files, aerleon's pf output, and fuzzing: no traceback, lines accounted for.

Run with ``-s`` to see the coverage figures and the lines exaudit does not understand.
"""

from __future__ import annotations

import contextlib
import random
from pathlib import Path

import pytest
from conftest import corpus_dir
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exaudit.core.errors import InputError
from exaudit.platforms import pf
from exaudit.platforms.pf.model import TableContents

# Files that may refuse to load, and why (never a real pf.conf without a reason).
JUSTIFIED_INPUT_ERRORS = {
    "bluhm_pf_forward__pf.conf": "a regress template: its macros ($PF_IN...) are given on "
    "the pfctl command line with -D",
}
# Data files of the pf corpus that are not pf.conf syntax: loaded by a config instead.
TABLE_FILES = {
    "BourgeoisBear_OpenBSDFirewall__pf_tables__fullbogons-ipv4.txt": (
        "BourgeoisBear_OpenBSDFirewall__pf.conf",
        "bogons",
    ),
}
# Lines of the corpus exaudit does not understand (EXA001), as (file name, line): none.
KNOWN_NOT_UNDERSTOOD: set[tuple[str, int]] = set()


def _configs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in TABLE_FILES)


@pytest.mark.corpus
def test_every_pf_file_parses():
    folder = corpus_dir("pf")
    totals = {"files": 0, "statements": 0, "understood": 0, "rules": 0, "exa002": 0}
    not_understood = []
    refused = {}
    for path in _configs(folder):
        text = path.read_text(errors="replace")
        try:
            rs = pf.parse(text, str(path))
        except InputError as e:
            refused[path.name] = str(e)
            continue
        totals["files"] += 1
        totals["statements"] += rs.statements
        bad = {(i.origin.file, i.origin.line) for i in rs.issues if i.code == "EXA001"}
        totals["understood"] += rs.statements - len(bad)
        totals["rules"] += rs.rule_count
        totals["exa002"] += sum(1 for i in rs.issues if i.code == "EXA002")
        not_understood += [
            (Path(i.origin.file).name, i.origin.line, i.origin.text, i.message)
            for i in rs.issues
            if i.code == "EXA001"
        ]
    print(
        f"\npf corpus: {totals['files']} files parsed, {len(refused)} refused "
        f"({', '.join(refused)}); statements understood {totals['understood']}/"
        f"{totals['statements']}; {totals['rules']} normalized rules; "
        f"{totals['exa002']} EXA002 (conditions exaudit cannot know)"
    )
    for name, line, text, message in not_understood:
        print(f"  not understood: {name}:{line}: {text}  ({message})")
    assert set(refused) == set(JUSTIFIED_INPUT_ERRORS), refused
    assert {(n, line) for n, line, _, _ in not_understood} == KNOWN_NOT_UNDERSTOOD


@pytest.mark.corpus
def test_table_files_are_loaded_by_their_config():
    folder = corpus_dir("pf")
    for table_file, (config, table) in TABLE_FILES.items():
        path = folder / config
        rs = pf.parse(path.read_text(), str(path))
        entries = sum(
            1
            for line in (folder / table_file).read_text().splitlines()
            if line.strip() and not line.startswith("#")
        )
        assert rs.tables[table] == TableContents(entries, ())


@pytest.mark.corpus
def test_loaded_anchors_are_followed():
    folder = corpus_dir("pf", "o0-o_pf-chad")
    path = folder / "pf.conf"
    rs = pf.parse(path.read_text(), str(path))
    files = {Path(r.origin.file).name for r in rs.rules()}
    assert {
        "filter-00",
        "filter-10-adm",
        "filter-70-bad-routes",
        "proxy-ftp",
        "filter-80-allow-spamd",
        "filter-20-user-pbuild",
    } <= files
    # filter-00's "block" is the last resort; the anchors loaded at run time are unknown
    assert rs.chains["in"].rules[-1].origin.text == "block"
    assert "filter2/lo" in rs.anchors
    assert any("filter2/lo" in n.message and "no anchor rule" in n.message for n in rs.notes)


@pytest.mark.corpus
def test_aerleon_packetfilter_output_parses():
    folder = corpus_dir("aerleon")
    files = sorted((folder / "sample_packetfilter" / "generated").glob("*.pf"))
    files += sorted((folder / "unit-test-refs" / "packetfilter").glob("*.ref"))
    assert files
    rules = 0
    for path in files:
        rs = pf.parse(path.read_text(), str(path))
        assert not [i for i in rs.issues if i.code == "EXA001"], (path, rs.issues)
        rules += rs.rule_count
    print(f"\naerleon pf output: {len(files)} files, {rules} normalized rules, no EXA001")


# --- fuzzing ----------------------------------------------------------------------------

PF_WORDS = [
    "pass",
    "block",
    "match",
    "in",
    "out",
    "quick",
    "on",
    "em0",
    "from",
    "to",
    "any",
    "all",
    "port",
    "proto",
    "tcp",
    "udp",
    "{",
    "}",
    "(",
    ")",
    "<",
    ">",
    "!",
    "=",
    "!=",
    "<>",
    "><",
    ":",
    "/",
    ",",
    "-",
    "$x",
    "x",
    "=",
    '"',
    "'",
    "\\\n",
    "\n",
    "#",
    "anchor",
    "table",
    "<t>",
    "set",
    "skip",
    "flags",
    "S/SA",
    "keep",
    "state",
    "10.0.0.0/8",
    "::1",
    "self",
    "(em0)",
    "icmp-type",
    "code",
    "label",
    "include",
    "load",
    "user",
    "antispoof",
    "for",
    "nat",
    "rdr",
    "->",
    "queue",
    "altq",
    "scrub",
]


def _safe_parse(text: str) -> None:
    with contextlib.suppress(InputError):
        pf.parse(text, "fuzz.conf")


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_raise_only_input_error(data):
    _safe_parse(data.decode("utf-8", errors="replace"))


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PF_WORDS), max_size=120))
def test_random_pf_words_raise_only_input_error(words):
    _safe_parse(" ".join(words))


def _corpus_texts() -> list[str]:
    try:
        folder = corpus_dir("pf")
    except pytest.skip.Exception:
        return []
    return [p.read_text(errors="replace") for p in _configs(folder)]


CORPUS_TEXTS = _corpus_texts()


@pytest.mark.corpus
@settings(max_examples=200, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_corpus_files_raise_only_input_error(data):
    if not CORPUS_TEXTS:
        corpus_dir("pf")
    text = data.draw(st.sampled_from(CORPUS_TEXTS))
    rnd = random.Random(data.draw(st.integers(0, 2**32)))
    chars = list(text)
    for _ in range(data.draw(st.integers(1, 8))):
        if not chars:
            break
        at = rnd.randrange(len(chars))
        op = rnd.randrange(4)
        if op == 0:  # delete a slice
            del chars[at : at + rnd.randrange(1, 40)]
        elif op == 1:  # duplicate a slice
            chars[at:at] = chars[at : at + rnd.randrange(1, 80)]
        elif op == 2:  # insert punctuation pf cares about
            chars[at:at] = list(
                rnd.choice(
                    [
                        "{",
                        "}",
                        "(",
                        ")",
                        "<",
                        ">",
                        "!",
                        "$",
                        '"',
                        "\\\n",
                        "#",
                        ",",
                        "/",
                        "-",
                        " ",
                        "\n",
                        "anchor {\n",
                    ]
                )
            )
        else:  # swap two characters
            other = rnd.randrange(len(chars))
            chars[at], chars[other] = chars[other], chars[at]
    _safe_parse("".join(chars))

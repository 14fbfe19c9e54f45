"""Real nftables files: Debian's examples lint without a traceback, and no corpus file of any
platform makes the nftables reader fail other than with a one-line input error."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, corpus_dir

from exaudit import platforms
from exaudit.cli import main
from exaudit.core.errors import InputError
from exaudit.platforms import nftables

EXAMPLES = sorted((FIXTURES / "nftables" / "debian-examples").glob("*.nft"))
# what each example holds that exaudit evaluates: (tables, filter base chains)
EXPECTED = {
    "all-in-one.nft": (10, 15),  # the nat tables count; their chains are notes
    "workstation.nft": (1, 1),
    "inet-filter.nft": (1, 3),
    "bridge-filter.nft": (0, 0),
    "arp-filter.nft": (0, 0),
    "netdev-ingress.nft": (0, 0),
}


def test_the_examples_are_there() -> None:
    assert len(EXAMPLES) >= 20


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_debian_example_lints(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["lint", "--platform", "nftables", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code in (0, 1), err
    ruleset = nftables.parse(path.read_text(), str(path))
    assert platforms.detect(path.read_text(), str(path)) == "nftables"
    if path.name in EXPECTED:
        assert (len(ruleset.tables), len(ruleset.base_chains)) == EXPECTED[path.name]


def test_all_in_one_reads_its_includes_and_names_what_it_does_not_evaluate() -> None:
    path = FIXTURES / "nftables" / "debian-examples" / "all-in-one.nft"
    ruleset = nftables.parse(path.read_text(), str(path))
    assert len(ruleset.sources) == 13
    notes = [n.message for n in ruleset.notes]
    for family in ("arp", "bridge", "netdev"):
        assert any(f"the {family} family is read but not evaluated" in n for n in notes)
    assert sum("is a nat chain" in n for n in notes) == 12


@pytest.mark.corpus
def test_no_corpus_file_breaks_the_nftables_reader() -> None:
    folder = corpus_dir()
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    read = refused = 0
    claimed = []
    for path in files:
        text = path.read_text(errors="replace")
        try:
            nftables.parse(text, str(path))
            read += 1
        except InputError as exc:
            refused += 1
            assert exc.file  # this file, or one it includes
        if nftables.looks_like(text) >= 0.3:
            claimed.append(path.name)
    print(f"\ncorpus through the nftables reader: {read} read, {refused} refused with a line")
    # the corpus holds no nftables file: detection must claim none of them
    assert not claimed

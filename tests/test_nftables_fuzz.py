"""Mangled nftables input: a ruleset or a one-line error with its line, never an internal error."""

from __future__ import annotations

import random

import pytest
from conftest import FIXTURES

from exaudit.core.errors import InputError
from exaudit.platforms import nftables

SOURCES = sorted((FIXTURES / "nftables" / "debian-examples").glob("*.nft")) + sorted(
    (FIXTURES / "cases" / "nftables-exchange-edge" / "configs").glob("*.nft")
)
PIECES = [
    "{",
    "}",
    ";",
    "\n",
    '"',
    "$x",
    "@s",
    "jump",
    "vmap",
    ":",
    ".",
    "!=",
    "-",
    "/",
    "#",
    "\\\n",
]


def _mangle(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(chars) + 1)
        r = rng.random()
        if r < 0.4 and chars:
            del chars[at : at + rng.randint(1, 8)]
        elif r < 0.8:
            chars[at:at] = list(rng.choice(PIECES))
        else:
            other = rng.randrange(len(chars) + 1)
            chars[at:at] = chars[other : other + rng.randint(1, 30)]
    return "".join(chars)


@pytest.mark.parametrize("seed", range(40))
def test_mangled_input_never_breaks_the_reader(seed: int) -> None:
    rng = random.Random(seed)
    for source in SOURCES:
        text = _mangle(rng, source.read_text())
        try:
            ruleset = nftables.parse(text, "mangled.nft")
        except InputError as exc:
            assert "internal error" not in exc.message, (text, exc.message)
            assert exc.file is not None and exc.line is None or exc.line >= 1
            continue
        nftables.stages(ruleset, in_iface="eth0", out_iface="eth1")

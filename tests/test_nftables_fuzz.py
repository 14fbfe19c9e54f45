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


def test_a_definition_bomb_is_refused_at_its_line() -> None:
    lines = ["define a0 = { " + ", ".join(str(i) for i in range(10)) + " }"]
    for level in range(1, 9):
        uses = ", ".join(f"$a{level - 1}" for _ in range(10))
        lines.append(f"define a{level} = {{ {uses} }}")
    with pytest.raises(InputError) as err:
        nftables.parse("\n".join(lines) + "\n", "bomb.nft")
    # a4 (line 5) would be 10**5 elements with their commas and braces: over 200,000 tokens
    assert err.value.line == 5 and "more than" in err.value.message

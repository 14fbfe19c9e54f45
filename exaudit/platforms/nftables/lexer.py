"""Splitting nftables text into tokens: words, quoted strings, operators and line ends."""

from __future__ import annotations

import re
from typing import NamedTuple

from exaudit.core.errors import InputError

WORD, STRING, PUNCT, NEWLINE = "word", "string", "punct", "nl"

# A word is anything nft reads as one symbol or value: names, numbers, addresses with
# prefixes and ranges (``10.0.0.0/8``, ``1.2.3.4-1.2.3.9``, ``fe80::/10``), ``@set``,
# ``$var``. Operators and braces stand alone. Blanks before a token are part of its match.
_TOKEN = re.compile(
    r"""[ \t\r\f\v]*(?:
    (?P<cont>\\\r?\n)
    |(?P<word>[^\s{}();,&|^<>=!"'\#]+)
    |(?P<punct>==|!=|<=|>=|[{}();,&|^<>=!])
    |(?P<nl>\n)
    |(?P<comment>\#[^\n]*)
    |(?P<string>"(?:[^"\\\n]|\\.)*"|'[^'\n]*')
    |(?P<end>$)
    )""",
    re.VERBOSE,
)


class Token(NamedTuple):
    """One token, with the file and 1-based line it starts on."""

    kind: str
    text: str
    line: int
    file: str

    def is_(self, *texts: str) -> bool:
        return self.kind in (WORD, PUNCT) and self.text in texts


def tokenize(text: str, path: str) -> list[Token]:
    """Every token of ``text``; comments and continuations vanish, line ends stay."""
    out: list[Token] = []
    line = 1
    pos = 0
    append = out.append
    match = _TOKEN.match
    size = len(text)
    while pos < size:
        m = match(text, pos)
        if m is None:
            snippet = text[pos : pos + 20].split("\n")[0]
            raise InputError(path, line, f"cannot read {snippet!r} (an unterminated string?)")
        kind = m.lastgroup
        if kind == "word":
            append(Token(WORD, m.group(kind), line, path))
        elif kind == "punct":
            append(Token(PUNCT, m.group(kind), line, path))
        elif kind == "nl":
            append(Token(NEWLINE, "\n", line, path))
            line += 1
        elif kind == "string":
            value = m.group(kind)
            append(Token(STRING, value[1:-1].replace('\\"', '"'), line, path))
        elif kind == "cont":
            line += 1
        elif kind == "end":
            break
        pos = m.end()
    append(Token(NEWLINE, "\n", line, path))
    return out

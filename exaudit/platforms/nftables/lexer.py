"""Splitting nftables text into tokens: words, quoted strings, operators and line ends."""

from __future__ import annotations

import re
from dataclasses import dataclass

from exaudit.core.errors import InputError

WORD, STRING, PUNCT, NEWLINE = "word", "string", "punct", "nl"

# A word is anything nft reads as one symbol or value: names, numbers, addresses with
# prefixes and ranges (``10.0.0.0/8``, ``1.2.3.4-1.2.3.9``, ``fe80::/10``), ``@set``,
# ``$var``. Operators and braces stand alone.
_TOKEN = re.compile(
    r"""(?P<ws>[ \t\r\f\v]+)
    |(?P<cont>\\\r?\n)
    |(?P<nl>\n)
    |(?P<comment>\#[^\n]*)
    |(?P<string>"(?:[^"\\\n]|\\.)*"|'[^'\n]*')
    |(?P<punct>==|!=|<=|>=|[{}();,&|^<>=!])
    |(?P<word>[^\s{}();,&|^<>=!"'\#]+)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
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
    while pos < len(text):
        m = match(text, pos)
        if m is None:
            snippet = text[pos : pos + 20].split("\n")[0]
            raise InputError(path, line, f"cannot read {snippet!r} (an unterminated string?)")
        kind = m.lastgroup
        value = m.group()
        if kind == "word":
            append(Token(WORD, value, line, path))
        elif kind == "punct":
            append(Token(PUNCT, value, line, path))
        elif kind == "string":
            append(Token(STRING, value[1:-1].replace('\\"', '"'), line, path))
        elif kind == "nl":
            append(Token(NEWLINE, "\n", line, path))
            line += 1
        elif kind == "cont":
            line += 1
        pos = m.end()
    append(Token(NEWLINE, "\n", line, path))
    return out

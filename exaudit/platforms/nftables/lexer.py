"""Splitting nftables text into tokens: words, quoted strings, operators and line ends."""

from __future__ import annotations

import re
from collections.abc import Callable
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


# a line without comments, continuations or odd quotes is split by this alone (most are)
_PLAIN_TOKEN = re.compile(
    r"""[^\s{}();,&|^<>=!"'\#\\]+|==|!=|<=|>=|[{}();,&|^<>=!]"""
    r'|"[^"\n]*"'
)
_SPECIAL = re.compile(r"""['\#\\]""")
_PUNCT_START = frozenset("{}();,&|^<>=!")


def tokenize(text: str, path: str) -> list[Token]:
    """Every token of ``text``; comments and continuations vanish, line ends stay."""
    out: list[Token] = []
    append = out.append
    special = _SPECIAL.search
    plain = _PLAIN_TOKEN.findall
    for number, line in enumerate(text.split("\n"), 1):
        if special(line) is None and line.count('"') % 2 == 0:
            for word in plain(line):
                first = word[0]
                if first == '"':
                    append(Token(STRING, word[1:-1], number, path))
                else:
                    append(Token(PUNCT if first in _PUNCT_START else WORD, word, number, path))
            append(Token(NEWLINE, "\n", number, path))
        elif _line(line + "\n", number, path, append):
            append(Token(NEWLINE, "\n", number, path))
    return out


def _line(text: str, number: int, path: str, append: Callable[[Token], None]) -> bool:
    """One line with quotes, comments or a continuation; False when it continues."""
    pos = 0
    match = _TOKEN.match
    while pos < len(text):
        m = match(text, pos)
        if m is None:
            snippet = text[pos : pos + 20].split("\n")[0]
            raise InputError(path, number, f"cannot read {snippet!r} (an unterminated string?)")
        kind = m.lastgroup
        if kind == "word":
            append(Token(WORD, m.group(kind), number, path))
        elif kind == "punct":
            append(Token(PUNCT, m.group(kind), number, path))
        elif kind == "string":
            value = m.group(kind)
            append(Token(STRING, value[1:-1].replace('\\"', '"'), number, path))
        elif kind == "cont":
            return False
        elif kind in ("nl", "end"):
            return True
        pos = m.end()
    return True

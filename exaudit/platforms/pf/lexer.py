"""pf.conf tokens, read the way pfctl's lexer reads them: continuations, comments, macros.

pfctl (``parse.y``, ``yylex``/``lgetc``) removes backslash-newline pairs before anything
else (so a comment ending in ``\\`` swallows the next line), compresses blanks, drops
newlines inside quoted strings, and expands ``$macro`` *textually* at the start of a token:
the macro's text is read as if it stood in the file, and its last word runs on into the
characters that follow (``$ext_if:network``). Words end at ``(){}<>!=/#,`` and blanks.
Keywords are only recognised in unquoted words, so ``kind`` keeps the two apart.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from functools import lru_cache

WORD, QUOTED, PUNCT, NEWLINE, EOF = "w", "q", "p", "nl", "eof"

# Characters pfctl's allowed_in_string() accepts after the first one of a word.
_WORD_REST = r"""[A-Za-z0-9"$%&'*+\-.:;?@\[\\\]^_`|~]"""
# Blanks and comments (taken atomically: a lookahead's capture matched back, since
# Python 3.10 has no possessive quantifiers), then one token: 2 newline, 3 quoted,
# 4 macro, 5 word, 6 operator, 7 any other character, 8 the end of the text (so that
# blanks and a comment at the very end are consumed, not searched through).
_TOKEN = re.compile(
    r"(?=((?:[ \t\r\f\v]+|\#[^\n]*)*))\1"
    r"(?:(\n)|(\"[^\"]*\"|'[^']*')|(\$[A-Za-z0-9_]*)|([A-Za-z0-9:_]" + _WORD_REST + r"*)"
    r"|(!=|<>|><|<=|>=|->)|(.)|(\Z))",
    re.S,
)
_KINDS = (None, None, "nl", "q", "macro", "w", "p", "p", "eof")
_WORD_TAIL = re.compile(_WORD_REST + "*")
# A backslash ending a line joins it to the next; pfctl complains about blanks between
# the two but real files have them, so they are tolerated.
_CONTINUATION = re.compile(r"\\[ \t]*\r?\n")
_SIMPLE = re.compile(r"[#\n\"']")
MAX_TEXT = 1000


class LexError(Exception):
    """Input the lexer cannot turn into tokens (an unterminated quote, a missing macro)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class Token:
    """A token; ``start``/``end`` locate it (or the ``$macro`` that produced it) in the source."""

    __slots__ = ("kind", "value", "start", "end")

    def __init__(self, kind: str, value: str, start: int, end: int) -> None:
        self.kind = kind
        self.value = value
        self.start = start
        self.end = end

    def __repr__(self) -> str:
        return f"Token({self.kind}, {self.value!r}, {self.start})"


class Source:
    """One file's text with continuations removed and a map back to physical lines."""

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.original = text
        pieces = []
        removed_at: list[int] = []  # offsets (in the joined text) where a newline vanished
        pos = 0
        length = 0
        for m in _CONTINUATION.finditer(text):
            pieces.append(text[pos : m.start()])
            length += m.start() - pos
            removed_at.append(length)
            pos = m.end()
        pieces.append(text[pos:])
        self.text = "".join(pieces)
        self._removed = removed_at
        self._newlines = [m.start() for m in re.finditer("\n", self.text)]

    def line_of(self, offset: int) -> int:
        return 1 + bisect_right(self._newlines, offset - 1) + bisect_right(self._removed, offset)

    def logical_text(self, start: int, end: int) -> str:
        """The statement's own words: comments dropped, blanks and newlines squeezed.

        A statement of many lines (a big table) is cut after ``MAX_TEXT`` characters.
        """
        cut = end - start > MAX_TEXT
        chunk = self.text[start : min(end, start + MAX_TEXT)]
        if cut:
            return self._squeeze(chunk) + " ..."
        return self._squeeze(chunk)

    @staticmethod
    def _squeeze(chunk: str) -> str:
        if _SIMPLE.search(chunk) is None:
            return " ".join(chunk.split())
        out = []
        for m in _TOKEN.finditer(chunk):
            if m.lastindex == 8:
                break
            out.append(" " if m.lastindex == 2 else m.group(m.lastindex or 0))
        return " ".join(" ".join(out).split())


MacroLookup = Callable[[str], "str | None"]


class Lexer:
    """Pulls tokens from a Source on demand, expanding macros with the table of the moment."""

    def __init__(self, source: Source, macros: MacroLookup) -> None:
        self.source = source
        self.macros = macros
        self.pending: list[Token] = []
        self.seek(0)

    def seek(self, pos: int) -> None:
        """Continue reading the source at ``pos`` (after a run-on macro, a fast-read table)."""
        self.pos = pos
        self._matches = _TOKEN.finditer(self.source.text, pos)

    @staticmethod
    def _token(m: re.Match[str]) -> Token:
        i = m.lastindex
        if i == 3:
            return Token(QUOTED, m.group(3)[1:-1].replace("\n", ""), m.start(3), m.end())
        value = m.group(i)  # type: ignore[arg-type]
        if i == 7 and value in "\"'":
            raise LexError(0, "unterminated quoted string")
        return Token(_KINDS[i], value, m.start(i), m.end())  # type: ignore[arg-type, index]

    def next(self) -> Token:
        if self.pending:
            return self.pending.pop()
        m = next(self._matches, None)
        if m is None or m.lastindex == 8:
            end = len(self.source.text)
            self.pos = end
            self._matches = iter(())
            return Token(EOF, "", end, end)
        self.pos = m.end()
        i = m.lastindex
        if i == 5 or i == 2 or i == 6:  # word, newline, operator: the common cases
            return Token(_KINDS[i], m.group(i), m.start(i), self.pos)  # type: ignore[arg-type]
        try:
            token = self._token(m)
        except LexError as e:
            raise LexError(self.source.line_of(m.start()), e.message) from None
        if token.kind != "macro":
            return token
        return self._expand(token)

    def _expand(self, ref: Token) -> Token:
        name = ref.value[1:]
        value = self.macros(name)
        if value is None:
            raise LexError(self.source.line_of(ref.start), f"macro '{name}' is not defined")
        words = _macro_words(value)
        if words is None:
            raise LexError(
                self.source.line_of(ref.start), f"macro '{name}' holds an unterminated quote"
            )
        tokens = [Token(kind, word, ref.start, ref.end) for kind, word in words]
        text = self.source.text
        if tokens and tokens[-1].kind == WORD and value and not value[-1].isspace():
            # the macro's last word runs on into the characters after the reference
            tail = _WORD_TAIL.match(text, self.pos)
            if tail and tail.end() > self.pos:
                tokens[-1].value += tail.group()
                tokens[-1].end = tail.end()
                self.seek(tail.end())
        if not tokens:
            return self.next()
        first = tokens[0]
        self.pending.extend(reversed(tokens[1:]))
        return first

    def push(self, token: Token) -> None:
        self.pending.append(token)


@lru_cache(maxsize=4096)
def _macro_words(value: str) -> tuple[tuple[str, str], ...] | None:
    """A macro's text as (kind, value) tokens, read once however often it is used; None
    when it holds an unterminated quote."""
    out: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(value):
        if m.lastindex == 8:
            break
        try:
            tok = Lexer._token(m)
        except LexError:
            return None
        # pfctl does not expand a ``$`` met while reading a macro's own text
        out.append((PUNCT if tok.kind == "macro" else tok.kind, tok.value))
    return tuple(out)

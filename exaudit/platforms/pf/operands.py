"""Reading pf tokens, and the operands of rules: hosts, ports, ICMP types, interfaces."""

from __future__ import annotations

from exaudit.core.errors import InputError
from exaudit.core.intervals import IntervalSet
from exaudit.core.model import IfaceMatch, Origin
from exaudit.platforms.pf import addr as pf_addr
from exaudit.platforms.pf.addr import AddrItem
from exaudit.platforms.pf.context import Context, TableRef
from exaudit.platforms.pf.ir import Conditions, IcmpItem, IfaceAlt
from exaudit.platforms.pf.lexer import (
    EOF,
    NEWLINE,
    PUNCT,
    QUOTED,
    WORD,
    Lexer,
    LexError,
    Source,
    Token,
)
from exaudit.platforms.pf.names import ICMP6_CODES, ICMP6_TYPES, ICMP_CODES, ICMP_TYPES, SERVICES
from exaudit.platforms.pf.values import BINARY, UNARY, Syntax, iface, number

MAX_LIST_DEPTH = 16


class Reader:
    """One file's tokens, with the operand readers every statement shares."""

    def __init__(self, ctx: Context, source: Source, anchor: str) -> None:
        self.ctx = ctx
        self.src = source
        self.anchor = anchor  # path of the ruleset being read ("" for the main one)
        self.lx = Lexer(source, self._macro)
        self.buf: list[Token] = []
        self.last: Token | None = None
        self.depth = 0  # open braces since the start of the file
        self.block_depth = 0  # of which inline anchor blocks
        self.cur = self._pull()

    def _macro(self, name: str) -> str | None:
        return self.ctx.macros.get(name)

    # token access ------------------------------------------------------------------

    def _pull(self) -> Token:
        try:
            return self.lx.next()
        except LexError as e:
            raise InputError(self.src.path, e.line, e.message) from None

    def line(self, tok: Token) -> int:
        return self.src.line_of(tok.start)

    def peek(self, k: int = 0) -> Token:
        if k == 0:
            return self.cur
        while len(self.buf) < k:
            self.buf.append(self._pull())
        return self.buf[k - 1]

    def next(self) -> Token:
        tok = self.cur
        if self.buf:
            self.cur = self.buf.pop(0)
        else:  # _pull, inlined: this runs once per token of the file
            try:
                self.cur = self.lx.next()
            except LexError as e:
                raise InputError(self.src.path, e.line, e.message) from None
        kind = tok.kind
        if kind == PUNCT:
            if tok.value == "{":
                self.depth += 1
            elif tok.value == "}":
                self.depth -= 1
        elif kind == EOF:
            self.cur = tok
            return tok
        self.last = tok
        return tok

    def at(self, *values: str) -> bool:
        tok = self.cur
        return tok.value in values and (tok.kind == WORD or tok.kind == PUNCT)

    def accept(self, *values: str) -> Token | None:
        tok = self.cur
        if tok.value in values and (tok.kind == WORD or tok.kind == PUNCT):
            return self.next()
        return None

    def expect(self, value: str) -> Token:
        if not self.at(value):
            raise Syntax(f"expected '{value}', found {self.describe(self.peek())}")
        return self.next()

    def string(self) -> str:
        tok = self.cur
        if tok.kind != WORD and tok.kind != QUOTED:
            raise Syntax(f"expected a name or value, found {self.describe(tok)}")
        return self.next().value

    @staticmethod
    def describe(tok: Token) -> str:
        return "end of line" if tok.kind in (NEWLINE, EOF) else f"'{tok.value}'"

    def end_of_statement(self) -> bool:
        tok = self.cur
        return tok.kind == NEWLINE or tok.kind == EOF or (tok.kind == PUNCT and tok.value == "}")

    def list_end(self) -> bool:
        """Inside ``{ ... }``: skip commas and newlines; True (and consume) at ``}``."""
        while True:
            tok = self.peek()
            if tok.kind == NEWLINE or (tok.kind == PUNCT and tok.value == ","):
                self.next()
            elif tok.kind == PUNCT and tok.value == "}":
                self.next()
                return True
            elif tok.kind == EOF:
                raise Syntax("a list is never closed")
            else:
                return False

    def skip_newlines(self) -> None:
        while self.peek().kind == NEWLINE:
            self.next()

    def skip_statement(self, depth: int) -> None:
        """Drop tokens up to the end of the statement that started at brace depth ``depth``."""
        while True:
            tok = self.peek()
            if tok.kind == EOF:
                return
            if tok.kind == NEWLINE and self.depth <= depth:
                return
            if tok.kind == PUNCT and tok.value == "}" and self.depth <= depth:
                return
            self.next()

    def balanced(self) -> None:
        """Consume a parenthesised or braced group, or a single token."""
        tok = self.next()
        if tok.kind != PUNCT or tok.value not in "({":
            return
        close = ")" if tok.value == "(" else "}"
        level = 1
        while level:
            t = self.next()
            if t.kind == EOF:
                raise Syntax(f"'{tok.value}' is never closed")
            if t.kind == PUNCT and t.value == tok.value:
                level += 1
            elif t.kind == PUNCT and t.value == close:
                level -= 1

    def origin(self, first: Token) -> Origin:
        end = self.last.end if self.last is not None and self.last.end >= first.start else first.end
        return Origin(self.src.path, self.line(first), self.src.logical_text(first.start, end))

    # rule parts ----------------------------------------------------------------------

    def iface_list(self) -> list[IfaceAlt]:
        if self.accept("{"):
            alts: list[IfaceAlt] = []
            names: list[str] = []
            while not self.list_end():
                negated = bool(self.accept("!"))
                alt = iface(self.string(), negated)
                if alt.match is not None and not negated:
                    names.extend(alt.match.patterns)
                else:
                    alts.append(alt)
            if names:
                alts.insert(0, IfaceAlt(IfaceMatch(tuple(dict.fromkeys(names)))))
            return alts
        negated = bool(self.accept("!"))
        return [iface(self.string(), negated)]

    def nested(self) -> None:
        """Guard for lists in lists (pfctl allows them; a thousand levels is not a config)."""
        if self.depth > MAX_LIST_DEPTH + self.block_depth:
            raise Syntax("lists nested too deeply")

    def hosts(self, cond: Conditions) -> list[AddrItem | TableRef]:
        if self.accept("{"):
            self.nested()
            out: list[AddrItem | TableRef] = []
            while not self.list_end():
                out.extend(self.hosts(cond))
            return out
        negated = bool(self.accept("!"))
        items = self.host()
        if negated:
            items = [
                i.negated()
                if isinstance(i, AddrItem)
                else TableRef(i.name, i.anchor, not i.negated)
                for i in items
            ]
        return items

    def host(self) -> list[AddrItem | TableRef]:
        tok = self.next()
        if tok.kind == PUNCT and tok.value == "<":
            name = self.string()
            self.expect(">")
            return [TableRef(name, self.anchor)]
        if tok.kind == PUNCT and tok.value == "(":
            word = self.string()
            self.expect(")")
            return [*pf_addr.dynamic(word, self.mask())]
        if tok.kind not in (WORD, QUOTED):
            if tok.value.startswith("$"):
                raise Syntax(
                    f"'{tok.value}' is not expanded: pfctl does not expand a macro "
                    "written inside another macro's quoted value"
                )
            raise Syntax(f"expected an address, found {self.describe(tok)}")
        word = tok.value
        if word == "any":
            return [pf_addr.ANY]
        if word in ("no-route", "urpf-failed"):
            return [pf_addr.unknown(f"'{word}' depends on the routing table")]
        if self.at("-"):
            self.next()
            last = self.string()
            item = pf_addr.address_range(word, last)
            if item is None:
                raise Syntax(f"bad address range '{word} - {last}'")
            return [item]
        return [*pf_addr.resolve(word, self.mask())]

    def mask(self) -> int | None:
        if not self.accept("/"):
            return None
        value = self.string()
        if not value.isdigit():
            raise Syntax(f"bad mask '/{value}'")
        return int(value)

    def ports(self) -> IntervalSet:
        if self.accept("{"):
            self.nested()
            out = IntervalSet()
            while not self.list_end():
                out = out | self.ports()
            return out
        tok = self.peek()
        if tok.kind == PUNCT and tok.value in UNARY:
            op = self.next().value
            value = self.port_value(self.string())
            return UNARY[op](value)
        low_text = self.string()
        if self.peek().kind == PUNCT and self.peek().value in BINARY:
            op = self.next().value
            high = self.port_value(self.string())
            return BINARY[op](self.port_value(low_text), high)
        if ":" in low_text:
            a, _, b = low_text.partition(":")
            return IntervalSet.span(self.port_value(a), self.port_value(b))
        return IntervalSet.point(self.port_value(low_text))

    def port_value(self, text: str) -> int:
        value = number(text)
        if value is None:
            value = SERVICES.get(text)
        if value is None:
            raise Syntax(f"unknown service name '{text}' (not in exaudit's services table)")
        if not 0 <= value <= 65535:
            raise Syntax(f"port {value} is out of range")
        return value

    def icmp_items(self, proto: int) -> list[IcmpItem]:
        if self.accept("{"):
            self.nested()
            out: list[IcmpItem] = []
            while not self.list_end():
                out.extend(self.icmp_items(proto))
            return out
        types, codes = (ICMP_TYPES, ICMP_CODES) if proto == 1 else (ICMP6_TYPES, ICMP6_CODES)
        text = self.string()
        value = number(text)
        icmp_type = value if value is not None else types.get(text)
        if icmp_type is None or not 0 <= icmp_type <= 255:
            raise Syntax(f"unknown ICMP type '{text}'")
        code = None
        if self.accept("code"):
            text = self.string()
            value = number(text)
            code = value if value is not None else codes.get((icmp_type, text))
            if code is None or not 0 <= code <= 255:
                raise Syntax(f"unknown ICMP code '{text}'")
        return [IcmpItem(proto, icmp_type, code)]

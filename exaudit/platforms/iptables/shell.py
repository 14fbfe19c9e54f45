"""Shell scripts of iptables commands, read without running them.

Only straight-line shell is followed: simple ``NAME=value`` assignments, ``$NAME`` and
``${NAME}`` expansion with word splitting, quoting, comments, line continuations,
``;``/``&&``/``||``/``|`` lists. Whatever exaudit cannot know statically (a command inside
``if``/``for``/``while``/``case`` or a function, a variable whose value comes from a
command or the environment) is reported, never guessed.
"""

from __future__ import annotations

from exaudit.platforms.iptables.shell_words import (
    ASSIGN,
    CLOSERS,
    DEFAULT,
    HARMLESS,
    HEREDOC,
    IPTABLES_PROGRAMS,
    NAME,
    OPENERS,
    RESTORE_PROGRAMS,
    WHICH,
    Event,
    Word,
)


class Script:
    """Walks a script line by line and yields the events the firewall reader needs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.vars: dict[str, str | None] = {}  # None: assigned, value unknown
        self.functions: dict[str, bool] = {}  # name -> its body runs iptables
        self.sourced = False

    # --- logical lines -------------------------------------------------------------------
    def logical_lines(self) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        start = None
        parts: list[str] = []
        heredoc: tuple[str, bool] | None = None  # (delimiter, tabs stripped)
        for number, raw in enumerate(self.text.splitlines(), 1):
            if heredoc is not None:  # a here-document body is data, not commands
                word, strip = heredoc
                if (raw.lstrip("\t") if strip else raw) == word:
                    heredoc = None
                continue
            if start is None:
                start = number
            stripped = raw.rstrip()
            if (
                stripped.endswith("\\")
                and not stripped.endswith("\\\\")
                and not stripped.lstrip().startswith("#")
            ):
                parts.append(stripped[:-1])
                continue
            parts.append(raw)
            line = " ".join(p.strip() for p in parts)
            out.append((start, line))
            m = HEREDOC.search(line)
            if m and not line.lstrip().startswith("#"):
                heredoc = (m.group(2), bool(m.group(1)))
            parts = []
            start = None
        if parts and start is not None:
            out.append((start, " ".join(p.strip() for p in parts)))
        return out

    # --- words ---------------------------------------------------------------------------
    def split(self, line: str) -> list[list[Word | str]]:
        """Split a line into simple commands (lists of words); operators separate them."""
        commands: list[list[Word | str]] = []
        words: list[Word | str] = []
        i = 0
        n = len(line)
        while i < n:
            ch = line[i]
            if ch in " \t":
                i += 1
                continue
            if ch == "#":
                break
            if ch in ";&|":
                op = line[i : i + 2] if line[i : i + 2] in ("&&", "||", ";;") else ch
                commands.append(words)
                words = []
                i += len(op)
                continue
            if ch in "<>" or (ch.isdigit() and line[i + 1 : i + 2] in ("<", ">")):
                # a redirection: skip it and its target
                i = self._skip_redirect(line, i)
                continue
            if ch in "()":
                words.append(ch)
                i += 1
                continue
            word, i = self._word(line, i)
            words.extend(word)
        commands.append(words)
        return [c for c in commands if c]

    def _skip_redirect(self, line: str, i: int) -> int:
        n = len(line)
        while i < n and (line[i].isdigit() or line[i] in "<>&"):
            i += 1
        while i < n and line[i] in " \t":
            i += 1
        while i < n and line[i] not in " \t;|&":
            i += 1
        return i

    def _word(self, line: str, i: int) -> tuple[list[Word], int]:
        """One shell word at ``i``: quotes, escapes and expansions; unquoted expansions are
        split on blanks (so ``$IPT -A`` with ``IPT="iptables -w"`` gives three words)."""
        n = len(line)
        pieces: list[str] = []  # current word being built
        out: list[Word] = []
        unknown: str | None = None
        quoted_any = False
        while i < n and line[i] not in " \t;&|<>()":
            ch = line[i]
            if ch == "\\" and i + 1 < n:
                pieces.append(line[i + 1])
                i += 2
            elif ch == "'":
                end = line.find("'", i + 1)
                if end < 0:
                    end = n
                pieces.append(line[i + 1 : end])
                quoted_any = True
                i = end + 1
            elif ch == '"':
                i += 1
                quoted_any = True
                while i < n and line[i] != '"':
                    if line[i] == "\\" and i + 1 < n and line[i + 1] in '"\\$`':
                        pieces.append(line[i + 1])
                        i += 2
                    elif line[i] in "$`":
                        value, i, why = self._expand(line, i)
                        unknown = unknown or why
                        pieces.append(value)
                    else:
                        pieces.append(line[i])
                        i += 1
                i += 1
            elif ch in "$`":
                value, i, why = self._expand(line, i)
                unknown = unknown or why
                # unquoted: field splitting
                fields = value.split()
                if not fields:
                    if why:  # keep a trace: the command using it must be reported
                        out.append(Word("", why))
                    continue
                if value[:1].isspace() and pieces:
                    out.append(Word("".join(pieces), unknown))
                    pieces = []
                pieces.append(fields[0])
                for f in fields[1:]:
                    out.append(Word("".join(pieces), unknown))
                    pieces = [f]
                if value[-1:].isspace():
                    out.append(Word("".join(pieces), unknown))
                    pieces = []
            else:
                pieces.append(ch)
                i += 1
        if pieces or quoted_any:
            out.append(Word("".join(pieces), unknown))
        return out, i

    def _expand(self, line: str, i: int) -> tuple[str, int, str | None]:
        """Expand ``$NAME``, ``${NAME}``, ``$(...)``, backquotes at ``i``."""
        n = len(line)
        if line[i] == "`":
            end = line.find("`", i + 1)
            end = n if end < 0 else end
            return self._command_value(line[i + 1 : end], end + 1)
        if line.startswith("$((", i):
            end = line.find("))", i)
            end = n - 2 if end < 0 else end
            return "", end + 2, "an arithmetic expansion"
        if line.startswith("$(", i):
            depth = 0
            j = i + 1
            while j < n:
                if line[j] == "(":
                    depth += 1
                elif line[j] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            return self._command_value(line[i + 2 : j], j + 1)
        if line.startswith("${", i):
            end = line.find("}", i)
            end = n if end < 0 else end
            inner = line[i + 2 : end]
            m = NAME.fullmatch(inner)
            dm = DEFAULT.fullmatch(inner)
            if m is None and dm is not None and self.vars.get(dm.group(1)) is not None:
                # ${NAME:-word} / ${NAME-word} of a variable the script set
                value = self.vars[dm.group(1)] or ""
                if not value and dm.group(2) == ":-":
                    value = dm.group(3)
                return value, end + 1, None
            if m is None:
                return "", end + 1, f"the expansion ${{{inner}}}"
            value, why = self._lookup(inner)
            return value, end + 1, why
        m = NAME.match(line, i + 1)
        if m is None:
            nxt = line[i + 1 : i + 2]
            if nxt and (nxt.isdigit() or nxt in "@*#?$!-"):
                return "", i + 2, f"the shell parameter ${nxt}"
            return "$", i + 1, None
        value, why = self._lookup(m.group())
        return value, m.end(), why

    def _command_value(self, inner: str, end: int) -> tuple[str, int, str | None]:
        m = WHICH.match(inner)
        if m:
            return m.group(1), end, None
        return "", end, f"the command substitution $({inner.strip()})"

    def _lookup(self, name: str) -> tuple[str, str | None]:
        if name in self.vars:
            value = self.vars[name]
            if value is None:
                return "", f"${name}, whose value is only known when the script runs"
            return value, None
        # Never set by the script: it comes from the environment or a sourced file, and
        # only the running shell knows it (an empty value is a guess too).
        return "", f"${name}, which the script never sets"

    def assign(self, name: str, value: str | None, append: bool = False) -> None:
        if append and value is not None:
            old = self.vars.get(name, "")
            value = None if old is None else old + value
        self.vars[name] = value

    # --- statements ----------------------------------------------------------------------
    def events(self) -> list[Event]:
        out: list[Event] = []
        blocks: list[str] = []  # expected closers, innermost last
        function: str | None = None  # the function whose body we are in
        function_depth = 0
        for number, line in self.logical_lines():
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            for words in self.split(line):
                texts = [w if isinstance(w, str) else w.text for w in words]
                # function definitions: NAME () {  /  function NAME {
                name = None
                if len(texts) >= 3 and texts[1:3] == ["(", ")"] and NAME.fullmatch(texts[0] or ""):
                    name = texts[0]
                elif texts[0] == "function" and len(texts) >= 2:
                    name = texts[1].removesuffix("()")
                if name is not None:
                    function, function_depth = name, len(blocks)
                    self.functions[function] = False
                    blocks.append("}")
                    if name in IPTABLES_PROGRAMS:
                        out.append(
                            Event(
                                "issue",
                                number,
                                stripped,
                                message=(
                                    f"defines a shell function named {name}: later {name} "
                                    "commands may run it instead of the real program"
                                ),
                            )
                        )
                    if texts[-1] == "}":
                        blocks.pop()
                        function = None
                    continue
                while (
                    words
                    and isinstance(words[0], Word)
                    and words[0].text in ("then", "do", "else", "elif", "{", "!")
                    and not words[0].unknown
                ):
                    head = words.pop(0)
                    assert isinstance(head, Word)
                    if head.text == "{" and (
                        not blocks
                        or blocks[-1] != "}"
                        or function is None
                        or len(blocks) != function_depth + 1
                    ):
                        blocks.append("}")
                    texts = texts[1:]
                if not words:
                    continue
                head = texts[0]
                if head in OPENERS and isinstance(words[0], Word):
                    blocks.append(OPENERS[head])
                    words = words[1:] if head in ("if", "while", "until") else []
                    texts = texts[1:] if words else []
                    if not words:
                        continue
                    head = texts[0]
                if head in CLOSERS and isinstance(words[0], Word):
                    if blocks:
                        blocks.pop()
                    if function is not None and len(blocks) <= function_depth:
                        function = None
                    continue
                if head.endswith(")") and blocks and blocks[-1] == "esac":
                    continue  # a case pattern
                out.extend(self._simple(number, stripped, words, texts, bool(blocks), function))
                if out and out[-1].kind == "exit":
                    out.pop()
                    return out
        return out

    def _simple(
        self,
        number: int,
        line: str,
        words: list[Word | str],
        texts: list[str],
        nested: bool,
        function: str | None,
    ) -> list[Event]:
        plain = [w for w in words if isinstance(w, Word)]
        if not plain:
            return []
        # assignments (alone they set variables; before a command they only set its env)
        assigns = []
        while plain and ASSIGN.match(plain[0].text):
            assigns.append(plain.pop(0))
        if any(isinstance(w, str) for w in words) and assigns and not plain:
            # NAME=( ... ): an array
            for a in assigns:
                self.assign(ASSIGN.match(a.text).group(1), None)  # type: ignore[union-attr]
            return []
        if not plain:
            for a in assigns:
                m = ASSIGN.match(a.text)
                assert m is not None
                value = None if nested or a.unknown else m.group(3)
                self.assign(m.group(1), value, bool(m.group(2)))
            return []
        for a in list(plain):
            if a.text in ("sudo", "command", "exec", "nice", "nohup", "time", "builtin"):
                plain.pop(0)
                while plain and plain[0].text.startswith("-"):
                    plain.pop(0)
                continue
            break
        if not plain:
            return []
        name_word = plain[0]
        if name_word.unknown:
            return [
                Event(
                    "issue",
                    number,
                    line,
                    message=(
                        f"runs a command named by {name_word.unknown}; exaudit cannot tell "
                        "whether it changes the firewall"
                    ),
                )
            ]
        program = name_word.text.rsplit("/", 1)[-1]
        if program in ("export", "readonly", "local", "declare", "typeset"):
            for a in plain[1:]:
                m = ASSIGN.match(a.text)
                if m:
                    value = None if nested or a.unknown else m.group(3)
                    self.assign(m.group(1), value, bool(m.group(2)))
            return []
        if program in ("source", "."):
            self.sourced = True
            return []
        if program in IPTABLES_PROGRAMS:
            if function is not None:
                self.functions[function] = True
            if nested:
                where = f"function {function}" if function else "an if/for/while/case block"
                return [
                    Event(
                        "issue",
                        number,
                        line,
                        message=(
                            f"iptables command inside {where}: exaudit does not run shell control "
                            "flow, so whether (and how often) it runs is unknown"
                        ),
                    )
                ]
            bad = next((w.unknown for w in plain[1:] if w.unknown), None)
            if bad:
                return [
                    Event(
                        "issue",
                        number,
                        line,
                        message=(f"iptables command uses {bad}: exaudit cannot read it"),
                    )
                ]
            return [
                Event(
                    "iptables",
                    number,
                    line,
                    IPTABLES_PROGRAMS[program],
                    [w.text for w in plain[1:]],
                )
            ]
        if program in RESTORE_PROGRAMS:
            return [
                Event(
                    "issue",
                    number,
                    line,
                    message=(f"{program} loads rules exaudit does not see; give exaudit that file"),
                )
            ]
        if program in self.functions:
            if self.functions[program] and not nested:
                return [
                    Event(
                        "issue",
                        number,
                        line,
                        message=(
                            f"calls function {program}, which runs iptables commands exaudit "
                            "does not follow"
                        ),
                    )
                ]
            return []
        if program == "exit" and not nested:
            return [Event("exit", number, line)]
        if program in HARMLESS or nested:
            return []
        return [
            Event(
                "issue",
                number,
                line,
                message=(
                    f"runs {program!r}, which exaudit does not follow (it could change the "
                    "firewall)"
                ),
            )
        ]

"""Safe YAML reading that keeps line numbers, so every topology error names its line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from exaudit.core.errors import InputError


@dataclass(frozen=True)
class Node:
    """A YAML value with the file and 1-based line it starts on."""

    file: str
    line: int
    value: Any  # dict[str, Node] | list[Node] | str | int | float | bool | None

    def error(self, message: str) -> InputError:
        return InputError(self.file, self.line, message)

    def mapping(self, what: str) -> dict[str, Node]:
        if not isinstance(self.value, dict):
            raise self.error(f"{what} must be a mapping")
        return self.value

    def sequence(self, what: str) -> list[Node]:
        if not isinstance(self.value, list):
            raise self.error(f"{what} must be a list")
        return self.value

    def items(self, what: str) -> list[Node]:
        """A list, or a single value taken as a list of one."""
        if isinstance(self.value, list):
            return self.value
        if isinstance(self.value, dict):
            raise self.error(f"{what} must be a name, an address or a list of those")
        return [self]

    def text(self, what: str) -> str:
        if isinstance(self.value, bool) or not isinstance(self.value, (str, int, float)):
            raise self.error(f"{what} must be a string")
        return str(self.value)

    def integer(self, what: str, lo: int, hi: int) -> int:
        v = self.value
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.error(f"{what} must be a whole number, not {v!r}")
        if not lo <= v <= hi:
            raise self.error(f"{what} {v} is out of range ({lo}-{hi})")
        return v

    def boolean(self, what: str) -> bool:
        if not isinstance(self.value, bool):
            raise self.error(f"{what} must be true or false, not {self.value!r}")
        return self.value


_constructor = yaml.constructor.SafeConstructor()


def _convert(node: yaml.Node, file: str) -> Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, file)
            if isinstance(key.value, (dict, list)) or key.value is None:
                raise InputError(file, key.line, "a mapping key must be a plain name")
            name = str(key.value)
            if name == "<<":
                raise InputError(file, key.line, "YAML merge keys are not supported")
            if name in out:
                raise InputError(file, key.line, f"duplicate key {name!r} "
                                 f"(first on line {out[name].line})")
            value = _convert(value_node, file)
            # a value is reported at its key's line: 'firewall x: ...' points at 'x:'
            out[name] = Node(file, key.line, value.value)
        return Node(file, line, out)
    if isinstance(node, yaml.SequenceNode):
        return Node(file, line, [_convert(n, file) for n in node.value])
    try:
        scalar = _constructor.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise InputError(file, line, f"bad value: {exc}") from None
    if not isinstance(scalar, (str, int, float, bool, type(None))):
        scalar = str(node.value)  # a date, binary...: the text as written
    return Node(file, line, scalar)


# PyYAML's problems in a person's words: (problem starts with, context starts with or "",
# message; {opened} is the line the context mark points at, where the construct began)
_PROBLEMS = (
    ("expected ',' or '}'", "while parsing a flow mapping",
     "the '{' opened on line {opened} is never closed (or lacks a ',' between items)"),
    ("expected ',' or ']'", "while parsing a flow sequence",
     "the '[' opened on line {opened} is never closed (or lacks a ',' between items)"),
    ("found unexpected end of stream", "while scanning a quoted scalar",
     "the quote opened on line {opened} is never closed"),
    ("found character '\\t' that cannot start any token", "",
     "a tab character: YAML indents with spaces"),
    ("mapping values are not allowed here", "",
     "a ':' where no key can start (quote a value that holds ': ', or put the key on a "
     "line of its own)"),
    ("could not find expected ':'", "",
     "a line that is neither 'key: value' nor a list item: a ':' is missing"),
    ("expected <block end>, but found '-'", "",
     "a list item ('- ...') where a key was expected: check the indentation"),
    ("expected <block end>", "",
     "the indentation does not match the lines above"),
)


def syntax_error(exc: yaml.MarkedYAMLError, file: str) -> InputError:
    """A PyYAML error as one line in exaudit's words, at the line that explains it."""
    problem = str(exc.problem or exc)
    context = str(exc.context or "")
    for start, ctx, words in _PROBLEMS:
        if problem.startswith(start) and context.startswith(ctx):
            opened = exc.context_mark.line + 1 if exc.context_mark else None
            mark = exc.context_mark if ctx and exc.context_mark else exc.problem_mark
            return InputError(file, mark.line + 1 if mark else None,
                              "YAML: " + words.replace("{opened}", str(opened)))
    mark = exc.problem_mark or exc.context_mark
    return InputError(file, mark.line + 1 if mark else None, f"YAML syntax: {problem}")


def load(text: str, file: str) -> Node:
    """Parse ``text`` as one YAML document with the safe schema."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise syntax_error(exc, file) from None
    except yaml.YAMLError as exc:
        raise InputError(file, None, f"YAML: {exc}") from None
    if root is None:
        raise InputError(file, None, "the file is empty")
    return _convert(root, file)


def read(path: str) -> Node:
    """Read and parse a YAML file; unreadable or binary input is an ``InputError``."""
    from exaudit.core.textfile import read_text

    return load(read_text(path), path)

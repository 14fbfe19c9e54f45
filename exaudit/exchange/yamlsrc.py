"""Safe YAML reading that keeps line numbers, so every topology error names its line."""

from __future__ import annotations

import os

import yaml

from exaudit.core.errors import InputError
from exaudit.exchange.node import Node

_constructor = yaml.constructor.SafeConstructor()

# A topology is written by whoever opens a pull request: what it may cost is bounded.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
LIMIT_VARIABLE = "EXAUDIT_MAX_YAML_BYTES"
MIN_NODE_BUDGET = 10_000  # values an alias-free file of any sane size may hold anyway
ALIAS_FACTOR = 10  # aliases may make a file stand for this many times its own values


def max_bytes() -> int:
    try:
        return int(os.environ.get(LIMIT_VARIABLE, DEFAULT_MAX_BYTES))
    except ValueError:
        return DEFAULT_MAX_BYTES


def _distinct(root: yaml.Node) -> int:
    """How many nodes the document holds, each counted once however often it is aliased."""
    seen: set[int] = set()
    todo = [root]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            todo += [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            todo += node.value
    return len(seen)


class _Converter:
    """PyYAML nodes to ``Node``s, within a budget of nodes written out.

    An alias is the node it names, so a few anchors that alias each other nine times a
    level ("billion laughs") stand for more nodes than there are atoms on earth; the
    budget refuses such a file in milliseconds, at the alias that breaks it.
    """

    def __init__(self, file: str, distinct: int) -> None:
        self.file = file
        self.left = max(MIN_NODE_BUDGET, ALIAS_FACTOR * distinct)

    def convert(self, node: yaml.Node) -> Node:
        self.left -= 1
        line = node.start_mark.line + 1
        if self.left < 0:
            raise InputError(
                self.file,
                line,
                "too many aliases: the file stands for more "
                f"than {ALIAS_FACTOR} times the values it writes out",
            )
        if isinstance(node, yaml.MappingNode):
            return Node(self.file, line, self._mapping(node))
        if isinstance(node, yaml.SequenceNode):
            return Node(self.file, line, [self.convert(n) for n in node.value])
        try:
            scalar = _constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise InputError(self.file, line, f"bad value: {exc}") from None
        if not isinstance(scalar, (str, int, float, bool, type(None))):
            scalar = str(node.value)  # a date, binary...: the text as written
        return Node(self.file, line, scalar)

    def _mapping(self, node: yaml.MappingNode) -> dict[str, Node]:
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = self.convert(key_node)
            if isinstance(key.value, (dict, list)) or key.value is None:
                raise InputError(self.file, key.line, "a mapping key must be a plain name")
            name = str(key.value)
            if name == "<<":
                raise InputError(self.file, key.line, "YAML merge keys are not supported")
            if name in out:
                raise InputError(
                    self.file, key.line, f"duplicate key {name!r} (first on line {out[name].line})"
                )
            value = self.convert(value_node)
            # a value is reported at its key's line: 'firewall x: ...' points at 'x:'
            out[name] = Node(self.file, key.line, value.value)
        return out


# PyYAML's problems in a person's words: (problem starts with, context starts with or "",
# message; {opened} is the line the context mark points at, where the construct began)
_PROBLEMS = (
    (
        "expected ',' or '}'",
        "while parsing a flow mapping",
        "the '{' opened on line {opened} is never closed (or lacks a ',' between items)",
    ),
    (
        "expected ',' or ']'",
        "while parsing a flow sequence",
        "the '[' opened on line {opened} is never closed (or lacks a ',' between items)",
    ),
    (
        "found unexpected end of stream",
        "while scanning a quoted scalar",
        "the quote opened on line {opened} is never closed",
    ),
    (
        "found character '\\t' that cannot start any token",
        "",
        "a tab character: YAML indents with spaces",
    ),
    (
        "mapping values are not allowed here",
        "",
        "a ':' where no key can start (quote a value that holds ': ', or put the key on a "
        "line of its own)",
    ),
    (
        "could not find expected ':'",
        "",
        "a line that is neither 'key: value' nor a list item: a ':' is missing",
    ),
    (
        "expected <block end>, but found '-'",
        "",
        "a list item ('- ...') where a key was expected: check the indentation",
    ),
    ("expected <block end>", "", "the indentation does not match the lines above"),
)


def syntax_error(exc: yaml.MarkedYAMLError, file: str) -> InputError:
    """A PyYAML error as one line in exaudit's words, at the line that explains it."""
    problem = str(exc.problem or exc)
    context = str(exc.context or "")
    for start, ctx, words in _PROBLEMS:
        if problem.startswith(start) and context.startswith(ctx):
            opened = exc.context_mark.line + 1 if exc.context_mark else None
            mark = exc.context_mark if ctx and exc.context_mark else exc.problem_mark
            return InputError(
                file,
                mark.line + 1 if mark else None,
                "YAML: " + words.replace("{opened}", str(opened)),
            )
    mark = exc.problem_mark or exc.context_mark
    return InputError(file, mark.line + 1 if mark else None, f"YAML syntax: {problem}")


def load(text: str, file: str) -> Node:
    """Parse ``text`` as one YAML document with the safe schema."""
    limit = max_bytes()
    if len(text) > limit:
        raise InputError(
            file,
            None,
            f"larger than {limit:,} bytes, the limit for a YAML "
            f"file ({LIMIT_VARIABLE} sets another)",
        )
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise syntax_error(exc, file) from None
    except yaml.YAMLError as exc:
        raise InputError(file, None, f"YAML: {exc}") from None
    if root is None:
        raise InputError(file, None, "the file is empty")
    return _Converter(file, _distinct(root)).convert(root)


def read(path: str) -> Node:
    """Read and parse a YAML file; unreadable or binary input is an ``InputError``."""
    from exaudit.core.textfile import read_text

    return load(read_text(path), path)

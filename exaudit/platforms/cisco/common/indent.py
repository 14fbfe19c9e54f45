"""Block structure from indentation alone, as ciscoconfparse builds it, in linear time.

ciscoconfparse (the declared dependency for Cisco block structure) costs about 40 us a
line and walks back over every earlier line for an indented line with no parent, so a
large ACL or a file of comments takes it seconds to minutes. For a configuration with
nothing but indentation to go by (no banner, no macro, no braces: ``needs_library``
says), this module computes the same parents and children with the same rules:

* a line's indent is what ``rstrip().lstrip()`` takes off; a comment starts with ``!``;
  comments and blank lines are never parents;
* an indented line's parent is the one cached for its indent, else the nearest earlier
  configuration line with a smaller indent (then cached), where the cache loses the
  indents at or above a configuration line that goes back below the deepest indent
  seen since the last top-level configuration line;
* a comment right below a deeper line is nobody's child.

The nearest earlier line with a smaller indent is kept on a stack of strictly
increasing indents (a later line at or below an entry's indent hides it for good), so
each line costs O(log depth). tests/test_cisco_blocks.py checks the result against
ciscoconfparse on the corpus and on generated configurations.
"""

from __future__ import annotations

import re
from bisect import bisect_left

# What ciscoconfparse reads beyond indentation: banners (and the AAA fail message, read
# like one), macros, and brace pairs. Any of them anywhere sends the file to the library.
_NEEDS_LIBRARY = re.compile(r"banner|fail-message|macro|\{\s*$|^\s*\}", re.M)


def needs_library(text: str) -> bool:
    """Whether the text has a construct only ciscoconfparse's own code reads."""
    return _NEEDS_LIBRARY.search(text) is not None


def parents(lines: list[str]) -> list[int | None]:
    """For each line, the index of its parent (None: top level)."""
    out: list[int | None] = []
    indents: list[int] = []
    cache: dict[int, int] = {}  # indent -> the parent a line at that indent takes
    stack_indent: list[int] = []  # configuration lines that may still be a parent
    stack_line: list[int] = []
    max_indent = 0
    for idx, raw in enumerate(lines):
        text = raw.rstrip()
        stripped = text.lstrip()
        indent = len(text) - len(stripped)
        config = bool(stripped) and stripped[0] != "!"
        parent: int | None = None
        if indent < max_indent and config:
            for stale in [k for k in cache if k >= indent]:
                del cache[stale]
        else:
            parent = cache.get(indent)
        if indent > 0 and parent is None:
            # the nearest earlier configuration line with a smaller indent
            at = bisect_left(stack_indent, indent)
            if at:
                parent = stack_line[at - 1]
                cache[indent] = parent
        if parent is not None and not config and indents[idx - 1] > indent and stripped:
            parent = None  # ciscoconfparse: a comment below a deeper line is not a child
        out.append(parent if indent > 0 else None)
        if indent == 0 and config:
            max_indent = 0
        elif indent > max_indent:
            max_indent = indent
        if config:
            at = bisect_left(stack_indent, indent)
            del stack_indent[at:], stack_line[at:]
            stack_indent.append(indent)
            stack_line.append(idx)
        indents.append(indent)
    return out

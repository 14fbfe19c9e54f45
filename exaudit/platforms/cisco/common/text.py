"""The configuration's lines and their block structure (parents and children)."""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.core.errors import InputError
from exaudit.core.textfile import refuse_binary
from exaudit.platforms.cisco.common.indent import needs_library, parents


@dataclass(eq=False, slots=True)  # a file of a million lines makes a million of them
class Block:
    """One line of the configuration and the lines indented under it, in file order."""

    text: str
    linenum: int  # 0-based
    children: list[Block] = field(default_factory=list)


@dataclass
class Blocks:
    """Every line of a configuration as a block, and the top-level ones among them."""

    lines: list[Block]
    top: list[Block]


def split_lines(text: str, path: str) -> list[str]:
    """The configuration's lines (``\\n`` only, so numbers match editors); unusable input raises."""
    if not isinstance(text, str):
        raise InputError(path, None, "configuration is not text")
    refuse_binary(text, path)
    if not text.strip():
        raise InputError(path, None, "the configuration is empty")
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def _ciscoconfparse() -> type:
    """ciscoconfparse's parser class, imported on first use (it pulls in ``dns.resolver``
    and ``asyncio``: a CLI that reads no Cisco file should not pay for them)."""
    # ciscoconfparse logs through loguru at import and on odd input; exaudit prints its
    # own diagnostics, so that logger is silenced before the first import.
    try:  # pragma: no cover - loguru is a dependency of ciscoconfparse
        from loguru import logger

        logger.remove()
        logger.disable("ciscoconfparse")
    except ImportError:  # pragma: no cover
        pass
    from ciscoconfparse import CiscoConfParse

    parser: type = CiscoConfParse
    return parser


def load_blocks(lines: list[str], path: str, syntax: str) -> Blocks:
    """The block structure (parents and children) of exactly these lines, as ciscoconfparse
    gives it: computed from indentation where nothing else matters, else by the library."""
    if needs_library("\n".join(lines)):
        return _library_blocks(lines, path, syntax)
    blocks = [Block(line.rstrip(), n) for n, line in enumerate(lines)]
    top = []
    for block, parent in zip(blocks, parents(lines), strict=True):
        if parent is None:
            top.append(block)
        else:
            blocks[parent].children.append(block)
    return Blocks(blocks, top)


def _repeats(lines: list[str]) -> list[int]:
    """Lines the library need not see: the third and later of a run of equal comment or
    blank lines (each is read exactly as the second one of its run: same parent, same
    lists; never a parent, never a banner's end that the first did not already end)."""
    out = []
    for n in range(2, len(lines)):
        line = lines[n]
        if line == lines[n - 1] == lines[n - 2]:
            stripped = line.strip()
            if (not stripped or stripped[0] == "!") and not stripped.endswith("{"):
                out.append(n)
    return out


def _library_blocks(lines: list[str], path: str, syntax: str) -> Blocks:
    """ciscoconfparse's block structure, comment and blank runs folded before it reads."""
    dropped = set(_repeats(lines))
    kept = [n for n in range(len(lines)) if n not in dropped]
    parser = _ciscoconfparse()
    try:
        conf = parser(
            [lines[n] for n in kept], syntax=syntax, ignore_blank_lines=False, factory=False
        )
    except Exception as exc:  # the library's own errors on input it cannot structure
        raise InputError(path, None, f"cannot read the configuration's structure: {exc}") from None
    objs = conf.ConfigObjs
    if len(objs) != len(kept):
        raise InputError(
            path, None, "cannot read the configuration's structure (line count mismatch)"
        )
    # each kept line, and the folded lines that repeat it
    same_as: dict[int, list[int]] = {}
    rep = 0
    for n in range(len(lines)):
        if n in dropped:
            same_as.setdefault(rep, []).append(n)
        else:
            rep = n
    blocks = [Block(line.rstrip(), n) for n, line in enumerate(lines)]
    top = []
    for obj in objs:
        here = kept[obj.linenum]
        if obj.parent is obj:
            top.append(blocks[here])
            top.extend(blocks[n] for n in same_as.get(here, ()))
        # each child once (banners repeat some), in file order
        wanted: set[int] = set()
        for child in obj.children:
            wanted.add(kept[child.linenum])
            wanted.update(same_as.get(kept[child.linenum], ()))
        blocks[here].children = [blocks[n] for n in sorted(wanted)]
    return Blocks(blocks, top)

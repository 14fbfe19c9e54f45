"""The configuration's lines and their block structure (parents and children)."""

from __future__ import annotations

from dataclasses import dataclass, field

from exaudit.core.errors import InputError


@dataclass(eq=False)
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
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError(path, line, "binary data (NUL byte), not a text configuration")
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 9 or 13 < ord(ch) < 32 or ord(ch) == 127)
    if controls * 20 > max(len(sample), 1):
        raise InputError(path, None, "binary data (control bytes), not a text configuration")
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
    """ciscoconfparse's block structure (parents and children) over exactly these lines."""
    parser = _ciscoconfparse()
    try:
        conf = parser(lines, syntax=syntax, ignore_blank_lines=False, factory=False)
    except Exception as exc:  # the library's own errors on input it cannot structure
        raise InputError(path, None, f"cannot read the configuration's structure: {exc}") from None
    objs = conf.ConfigObjs
    if len(objs) != len(lines):
        raise InputError(
            path, None, "cannot read the configuration's structure (line count mismatch)"
        )
    blocks = [Block(obj.text, obj.linenum) for obj in objs]
    top = []
    for obj, block in zip(objs, blocks, strict=True):
        if obj.parent is obj:
            top.append(block)
        # each child once (banners repeat some), in file order
        block.children = [blocks[n] for n in sorted({child.linenum for child in obj.children})]
    return Blocks(blocks, top)

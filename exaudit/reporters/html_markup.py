"""HTML built safely: every value is escaped unless it is already ``Markup``."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

# elements without an end tag
_VOID = frozenset({"br", "col", "hr", "img", "input", "meta", "wbr"})
# attributes naming a resource: the page fetches nothing, so only in-page anchors
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "poster", "data"})


class Markup(str):
    """Text that is HTML already: built by ``el`` or escaped by ``esc``."""

    __slots__ = ()


def esc(value: object) -> Markup:
    """``value`` as HTML text: strings escaped (quotes too), sequences joined, None empty."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("")
    if isinstance(value, str):
        return Markup(html.escape(value, quote=True))
    if isinstance(value, Iterable):
        return Markup("".join(esc(v) for v in value))
    return Markup(html.escape(str(value), quote=True))


def attribute(name: str, value: object) -> str:
    """`` name="value"`` with the value escaped; ``True`` a bare name, None/False nothing."""
    if value is None or value is False:
        return ""
    if value is True:
        return f" {name}"
    text = str(value)
    if name in _URL_ATTRIBUTES and not text.startswith("#"):
        raise ValueError(f"{name}={text!r}: the report links only within itself")
    return f' {name}="{html.escape(text, quote=True)}"'


def el(tag: str, *children: object, **attrs: object) -> Markup:
    """``<tag attrs>children</tag>``; ``class_`` is ``class``, ``data_x`` is ``data-x``."""
    opening = "".join(attribute(k.rstrip("_").replace("_", "-"), v) for k, v in attrs.items())
    if tag in _VOID:
        return Markup(f"<{tag}{opening}>")
    return Markup(f"<{tag}{opening}>{esc(children)}</{tag}>")


def join(parts: Iterable[object], sep: str = "") -> Markup:
    """The parts, escaped where needed, with ``sep`` (plain text) between them."""
    return Markup(esc(sep).join(esc(p) for p in parts))


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """``text`` as an id fragment: lower-case letters, digits and single dashes."""
    return _SLUG.sub("-", text.lower()).strip("-") or "x"


class Ids:
    """Unique element ids: a readable slug, with ``-2``, ``-3``... on a repeat."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def new(self, prefix: str, name: str) -> str:
        base = f"{prefix}-{slug(name)}"
        candidate, n = base, 1
        while candidate in self._taken:
            n += 1
            candidate = f"{base}-{n}"
        self._taken.add(candidate)
        return candidate

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


_EMPTY = Markup("")
_escape = html.escape


def esc(value: object) -> Markup:
    """``value`` as HTML text: strings escaped (quotes too), sequences joined, None empty."""
    if isinstance(value, str):
        return value if isinstance(value, Markup) else Markup(_escape(value, quote=True))
    if value is None:
        return _EMPTY
    if isinstance(value, Iterable):
        return Markup("".join([v if type(v) is Markup else esc(v) for v in value]))
    return Markup(_escape(str(value), quote=True))


def attribute(name: str, value: object) -> str:
    """`` name="value"`` with the value escaped; ``True`` a bare name, None/False nothing."""
    if value is None or value is False:
        return ""
    if value is True:
        return f" {name}"
    text = str(value)
    if name in _URL_ATTRIBUTES and not text.startswith("#"):
        raise ValueError(f"{name}={text!r}: the report links only within itself")
    return f' {name}="{_escape(text, quote=True)}"'


def el(tag: str, *children: object, **attrs: object) -> Markup:
    """``<tag attrs>children</tag>``; ``class_`` is ``class``, ``data_x`` is ``data-x``."""
    opening = "".join([attribute(_NAMES.get(k) or _name(k), v) for k, v in attrs.items()])
    if tag in _VOID:
        return Markup(f"<{tag}{opening}>")
    inner = "".join([c if type(c) is Markup else esc(c) for c in children])
    return Markup(f"<{tag}{opening}>{inner}</{tag}>")


_NAMES: dict[str, str] = {}


def _name(key: str) -> str:
    """The attribute a keyword names (remembered: the same few come back all the time)."""
    name = _NAMES[key] = key.rstrip("_").replace("_", "-")
    return name


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

"""Each check's documentation inside the page, so a finding's docs are one click away offline."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from exaudit.checks import ALL, BY_CODE
from exaudit.reporters.html_markup import Markup, el, esc

_CODE = re.compile(r"`([^`]+)`")


def doc_id(code: str) -> str:
    """The id of a check's embedded documentation."""
    return f"check-{code.lower()}"


def doc_link(code: str, text: str = "documentation") -> Markup:
    return el("a", text, href=f"#{doc_id(code)}", class_="doc-link")


def _inline(text: str) -> Markup:
    """Escaped text with `code` spans."""
    return Markup(_CODE.sub(r"<code>\1</code>", esc(text)))


def markdown(text: str) -> Markup:
    """The docstrings' small markdown: paragraphs and code blocks indented four spaces."""
    blocks: list[Markup] = []
    para: list[str] = []
    code: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(el("p", _inline(" ".join(para))))
            para.clear()
        if code:
            blocks.append(el("pre", el("code", "\n".join(code))))
            code.clear()

    for line in text.splitlines():
        if line.startswith("    "):
            if para:
                flush()
            code.append(line[4:])
        elif not line.strip():
            flush()
        else:
            if code:
                flush()
            para.append(line.strip())
    flush()
    return Markup("".join(blocks))


def check_docs(codes: Iterable[str], counts: Mapping[str, int]) -> Markup:
    """A ``<details>`` per check (in registry order), open where it has findings."""
    wanted = set(codes)
    items = []
    for c in ALL:
        if c.code not in wanted:
            continue
        n = counts.get(c.code, 0)
        sections = [
            el("section", el("h4", title), markdown(body)) for title, body in c.sections().items()
        ]
        where = el(
            "p",
            "In the exaudit repository: ",
            el("code", f"docs/checks.md#{c.anchor}"),
            f" (or run exaudit explain {c.code})",
            class_="muted",
        )
        summary = el(
            "summary",
            el("span", c.code, class_="code"),
            " ",
            el("span", c.name, class_="name"),
            " ",
            el("span", c.severity.value, class_=f"sev sev-{c.severity.value}"),
            " ",
            el("span", f"{n} finding{'s' if n != 1 else ''}", class_="muted"),
            el("span", c.summary, class_="summary-text"),
        )
        items.append(
            el(
                "details",
                summary,
                el("div", *sections, where, class_="doc-body"),
                id=doc_id(c.code),
                class_="check-doc",
                open=n > 0,
            )
        )
    unknown = sorted(wanted - set(BY_CODE))
    if unknown:
        items.append(el("p", "Also ran: ", ", ".join(unknown), class_="muted"))
    return Markup("".join(items))

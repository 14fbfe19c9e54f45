"""The page around every HTML report: head, sticky bar, sections, and the summary parts."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

from exaudit import __version__
from exaudit.report.model import FirewallSummary
from exaudit.reporters.html_markup import Markup, el
from exaudit.reporters.html_styles import CSS

# Nothing may load: no script, font, image, frame or connection; only the inline styles.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def counts_pills(counts: Mapping[str, int]) -> Markup:
    pills = [
        el("span", plural(counts.get(k, 0), k), class_=f"pill {k}")
        for k in ("error", "warning", "info")
        if counts.get(k)
    ]
    return el("span", *(pills or [el("span", "no findings", class_="pill ok")]), class_="counts")


def bar(what: str, counts: Mapping[str, int], nav: Sequence[tuple[str, str]]) -> Markup:
    return el(
        "header",
        el("span", "exaudit", class_="brand"),
        el("span", what, class_="what"),
        counts_pills(counts),
        el(
            "nav",
            *(el("a", label, href=f"#{target}") for target, label in nav),
            aria_label="sections",
        ),
        class_="bar",
    )


def block(section_id: str, title: str, *content: object) -> Markup:
    return el("section", el("h2", title), *content, id=section_id, class_="block")


def stats(items: Iterable[tuple[object, str, str]]) -> Markup:
    """Big numbers: ``(value, what, css class)``."""
    return el(
        "div",
        *(
            el("div", el("span", n, class_="n"), el("span", k, class_="k"), class_=f"stat {c}")
            for n, k, c in items
        ),
        class_="stats",
    )


def facts(items: Iterable[tuple[str, object]]) -> Markup:
    return el("dl", *(Markup(el("dt", k) + el("dd", v)) for k, v in items), class_="facts")


def firewall_table(
    firewalls: Sequence[FirewallSummary],
    fw_ids: Mapping[str, str],
    findings: Mapping[str, int],
    with_flows: bool = True,
) -> Markup:
    head = ["firewall", "platform", "config", "rules", "lines not understood"]
    if with_flows:
        head.append("flow crossings")
    head.append("findings")
    rows = []
    for fw in firewalls:
        cells = [
            el("a", fw.name, href=f"#{fw_ids[fw.name]}"),
            fw.platform,
            el("code", fw.config),
            fw.rules,
            fw.lines_unparsed,
        ]
        if with_flows:
            cells.append(fw.crossings)
        cells.append(findings.get(fw.name, 0))
        rows.append(el("tr", *(el("td", c) for c in cells)))
    return el(
        "table",
        el("thead", el("tr", *(el("th", h, scope="col") for h in head))),
        el("tbody", *rows),
        class_="plain",
    )


def catalogue_name(path: str) -> str:
    """The catalogue's file name: its directory is where exaudit happens to be installed."""
    return os.path.basename(path) or path


def document(title: str, header: Markup, *sections: Markup) -> str:
    """The whole self-contained page."""
    head = el(
        "head",
        el("meta", charset="utf-8"),
        el("meta", http_equiv="Content-Security-Policy", content=CSP),
        el("meta", name="viewport", content="width=device-width, initial-scale=1"),
        el("meta", name="generator", content=f"exaudit {__version__}"),
        el("title", title),
        el("style", Markup(CSS)),
    )
    body = el("body", header, el("main", *sections))
    return "<!DOCTYPE html>\n" + el("html", head, body, lang="en") + "\n"

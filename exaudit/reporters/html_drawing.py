"""The topology section: a Graphviz drawing, or tables when Graphviz is not there."""

from __future__ import annotations

from collections.abc import Iterable

from exaudit.reporters import html_graphviz
from exaudit.reporters.html_markup import Markup, el, esc
from exaudit.reporters.html_scene import Scene

LEGEND = (
    "Grey lines: what sits behind each firewall interface, and the network of each "
    "server. Red: a required flow a firewall blocks (solid: denied for every source; "
    "dashed: denied for some sources, or its replies denied). Amber dotted: a verdict "
    "exaudit cannot decide. Click a firewall or a red line for its finding."
)


def _table(head: Iterable[str], rows: Iterable[Iterable[object]], caption: str) -> Markup:
    return el(
        "table",
        el("caption", caption),
        el("thead", el("tr", *(el("th", h, scope="col") for h in head))),
        el("tbody", *(el("tr", *(el("td", c) for c in row)) for row in rows)),
        class_="plain",
    )


def tables(scene: Scene) -> Markup:
    """The topology as tables: sites and servers, firewalls and interfaces, problems."""
    view = scene.view
    hosts = {fw.host: fw.name for fw in view.firewalls if fw.host}
    servers = [
        (
            s.site,
            el("strong", s.name),
            el("code", s.address),
            scene.home.get(s.name, ""),
            hosts.get(s.name, ""),
        )
        for s in view.servers
    ]
    firewalls = []
    for fw in view.firewalls:
        section = scene.fw_ids.get(fw.name)
        name: object = el("a", fw.name, href=f"#{section}") if section else fw.name
        if fw.host:
            firewalls.append((name, fw.platform, "(host)", f"on server {fw.host}"))
        for iface, behind in fw.interfaces:
            firewalls.append((name, fw.platform, el("code", iface), ", ".join(behind)))
    networks = [(el("strong", n), el("code", ", ".join(c))) for n, c in view.networks]
    problems = [
        (
            p.firewall,
            el("a", p.what, href=p.href) if p.href else p.what,
            f"{p.src} \u2192 {p.dst}",
            p.state.badge(),
        )
        for p in scene.problems
    ]
    return esc(
        [
            _table(
                ("site", "server", "address", "network", "host firewall"),
                servers,
                "Sites and servers",
            ),
            _table(("network", "addresses"), networks, "Networks"),
            _table(("firewall", "platform", "interface", "behind it"), firewalls, "Firewalls"),
            _table(
                ("firewall", "flow", "source \u2192 server", "state"),
                problems,
                "Required flows not let through",
            )
            if problems
            else "",
        ]
    )


def section(scene: Scene | None) -> Markup:
    """The drawing (inline SVG) with its legend, or the tables and why."""
    if scene is None:
        return el("p", "This report carries no view of the topology.", class_="muted")
    try:
        svg = html_graphviz.svg(scene)
    except html_graphviz.Unavailable as exc:
        note = el("p", f"Drawn as tables: {exc}.", class_="note", data_drawing="table")
        return esc([note, el("div", tables(scene), class_="drawing-tables")])
    figure = el(
        "figure",
        el("div", Markup(svg), class_="svg-wrap"),
        el("figcaption", LEGEND),
        class_="drawing",
        data_drawing="svg",
    )
    return esc(
        [
            figure,
            el(
                "details",
                el("summary", "The topology as tables"),
                tables(scene),
                class_="drawing-tables",
            ),
        ]
    )

"""The topology drawn by Graphviz ``dot`` as inline SVG (the ``graphviz`` package, lazily)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

from exaudit.reporters import html_states as states
from exaudit.reporters.html_scene import Problem, Scene

FONT = "Helvetica,Arial,sans-serif"
RED, AMBER, GREY, INK = "#c62828", "#b26a00", "#9aa5b1", "#1f2933"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\\\"]")


class Unavailable(Exception):
    """Graphviz cannot draw here; the message says why (the page says it too)."""


def _text(value: object) -> str:
    """Text inside an HTML-like label: escaped, so a name is never markup or DOT."""
    return html.escape(str(value), quote=True)


def _label(*lines: str) -> str:
    """An HTML-like label of already escaped lines (DOT passes ``<...>`` through)."""
    return "<" + "<br/>".join(lines) + ">"


def _tooltip(value: str) -> str:
    """A DOT string with nothing DOT or its escapes read specially."""
    return _CONTROL.sub(" ", value)


class _Graph:
    """Synthetic node names (``n0``...), so names from the inputs never reach DOT syntax."""

    def __init__(self, graphviz: Any) -> None:
        self.dot = graphviz.Digraph("topology", engine="dot")
        self.dot.attr(
            rankdir="LR",
            bgcolor="transparent",
            fontname=FONT,
            fontsize="11",
            nodesep="0.3",
            ranksep="0.8",
            pad="0.15",
            newrank="true",
        )
        self.dot.attr(
            "node",
            fontname=FONT,
            fontsize="11",
            shape="box",
            style="rounded,filled",
            fillcolor="#ffffff",
            color=GREY,
            fontcolor=INK,
            penwidth="1.2",
            margin="0.12,0.06",
        )
        self.dot.attr("edge", fontname=FONT, fontsize="9", color=GREY, arrowsize="0.6", dir="none")
        self.nodes: dict[tuple[str, str], str] = {}

    def node(self, kind: str, name: str, where: Any = None, **attrs: str) -> str:
        key = (kind, name)
        if key not in self.nodes:
            self.nodes[key] = f"n{len(self.nodes)}"
            (where or self.dot).node(self.nodes[key], **attrs)
        return self.nodes[key]


def _network(g: _Graph, name: str, cidrs: Iterable[str], where: Any = None) -> str:
    shown = list(cidrs)
    lines = [f"<b>{_text(name)}</b>"]
    lines += [f'<font point-size="9">{_text(c)}</font>' for c in shown[:3]]
    if len(shown) > 3:
        lines.append(f'<font point-size="9">+{len(shown) - 3} more</font>')
    return g.node(
        "net",
        name,
        where,
        label=_label(*lines),
        fillcolor="#eef2ff",
        color="#8da2fb",
        tooltip=_tooltip(f"network {name}"),
    )


def _firewall(
    g: _Graph,
    scene: Scene,
    name: str,
    platform: str,
    interfaces: Iterable[tuple[str, tuple[str, ...]]],
    host: str | None,
    where: Any = None,
) -> str:
    rows = [
        f'<tr><td bgcolor="#9a3412"><font color="#ffffff"><b>{_text(name)}</b></font>'
        f'<br/><font color="#ffffff" point-size="9">{_text(platform)}'
        f"{' host firewall' if host else ''}</font></td></tr>"
    ]
    rows += [
        f'<tr><td port="p{i}" bgcolor="#fff7ed">{_text(iface)}</td></tr>'
        for i, (iface, _) in enumerate(interfaces)
    ]
    table = (
        '<table border="0" cellborder="1" cellspacing="0" cellpadding="4" '
        f'color="#c2410c">{"".join(rows)}</table>'
    )
    href = scene.fw_ids.get(name)
    return g.node(
        "fw",
        name,
        where,
        shape="plain",
        label=f"<{table}>",
        tooltip=_tooltip(f"firewall {name}: its findings"),
        **({"href": f"#{href}"} if href else {}),
    )


def _end(g: _Graph, scene: Scene, label: str) -> str:
    """The node of a name behind an interface or at a flow's end (a literal: a new node)."""
    for kind in ("srv", "net"):
        if (kind, label) in g.nodes:
            return g.nodes[(kind, label)]
    return g.node(
        "lit",
        label,
        label=_label(_text(label)),
        fillcolor="#f5f7fa",
        style="rounded,filled,dashed",
        tooltip=_tooltip(label),
    )


def _problems(g: _Graph, scene: Scene) -> None:
    grouped: dict[tuple[str, str, bool], list[Problem]] = {}
    for p in scene.problems:
        blocked = p.state.slug in states.BLOCKED
        grouped.setdefault((p.src, p.dst, blocked), []).append(p)
    for (src, dst, blocked), found in grouped.items():
        items = sorted(found, key=lambda p: -p.state.rank)  # the worst first, and linked
        colour = RED if blocked else AMBER
        solid = all(p.state is states.DENIED for p in items)
        style = "solid" if solid else ("dashed" if blocked else "dotted")
        lines = [f"{_text(p.what)} {_text(p.state.label)} at {_text(p.firewall)}" for p in items]
        href = next((p.href for p in items if p.href), None)
        g.dot.edge(
            _end(g, scene, src),
            _end(g, scene, dst),
            label=_label(*lines),
            color=colour,
            fontcolor=colour,
            penwidth="2",
            style=style,
            dir="forward",
            constraint="false",
            tooltip=_tooltip(f"{src} to {dst}"),
            **({"href": href} if href else {}),
        )


def build(graphviz: Any, scene: Scene) -> _Graph:
    g = _Graph(graphviz)
    view = scene.view
    hosts = {fw.host: fw for fw in view.firewalls if fw.host}
    networks = dict(view.networks)
    homes = set(scene.home.values())
    sites = scene.sites
    by_name = {s.name: s for s in view.servers}
    for i, (site, names) in enumerate(sites.items()):
        with g.dot.subgraph(name=f"cluster_{i}") as c:
            c.attr(
                label=_label(f"site <b>{_text(site)}</b>"),
                style="rounded,filled",
                fillcolor="#f8fafc",
                color="#cbd5e1",
                fontcolor="#52606d",
                margin="12",
            )
            local = {scene.home[n] for n in names if n in scene.home}
            shared = {
                n
                for n in local
                if any(scene.home.get(s.name) == n and s.site != site for s in view.servers)
            }
            for net in sorted(local - shared):
                _network(g, net, networks.get(net, ()), c)
            for n in names:
                s = by_name[n]
                g.node(
                    "srv",
                    n,
                    c,
                    label=_label(f"<b>{_text(n)}</b>", _text(s.address)),
                    fillcolor="#e0f2fe",
                    color="#38bdf8",
                    tooltip=_tooltip(f"server {n}"),
                )
                fw = hosts.get(n)
                if fw is not None:
                    _firewall(g, scene, fw.name, fw.platform, fw.interfaces, fw.host, c)
    for name, cidrs in view.networks:
        if ("net", name) not in g.nodes and (name in homes or _behind_any(view, name)):
            _network(g, name, cidrs)
    for s in view.servers:  # a server in its network, through its host firewall if any
        server = g.nodes[("srv", s.name)]
        fw = hosts.get(s.name)
        inner = g.nodes[("fw", fw.name)] if fw is not None else None
        if s.name in scene.home:
            g.dot.edge(g.nodes[("net", scene.home[s.name])], inner or server)
        if inner is not None:
            g.dot.edge(inner, server, style="bold", color="#c2410c")
    for fw in view.firewalls:
        if fw.host:
            continue
        node = _firewall(g, scene, fw.name, fw.platform, fw.interfaces, None)
        for i, (_, behind) in enumerate(fw.interfaces):
            for label in behind:
                end = _end(g, scene, label)
                if scene.server_side(label):
                    g.dot.edge(f"{node}:p{i}", end)
                else:
                    g.dot.edge(end, f"{node}:p{i}")
    _problems(g, scene)
    return g


def _behind_any(view: Any, name: str) -> bool:
    return any(name in behind for fw in view.firewalls for _, behind in fw.interfaces)


_BEFORE_SVG = re.compile(r"\A.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_DROP = re.compile(r'\s+xmlns(?::xlink)?="[^"]*"|<title>[^<]*</title>')


def svg(scene: Scene) -> str:
    """The drawing as an ``<svg>`` element to inline (no XML prolog, comments or titles)."""
    try:
        import graphviz
    except ImportError:
        raise Unavailable(
            "the graphviz Python package is not installed (pip install 'exaudit[html]')"
        ) from None
    g = build(graphviz, scene)
    try:
        out = g.dot.pipe(format="svg", encoding="utf-8", quiet=True)
    except graphviz.ExecutableNotFound:
        raise Unavailable(
            "Graphviz's dot program was not found (Debian: apt-get install graphviz)"
        ) from None
    except graphviz.CalledProcessError as exc:
        raise Unavailable(f"Graphviz's dot failed (exit {exc.returncode})") from None
    return _DROP.sub("", _COMMENT.sub("", _BEFORE_SVG.sub("", out, count=1))).strip()

"""The HTML report: the flow matrix's states and links, self-containment, escaping, drawing.

The page is parsed with the standard library here; ``test_html_browser.py`` loads it in
Chromium.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FIXTURES

from exaudit import checks, platforms
from exaudit.cli import main
from exaudit.reporters import FORMATS, html_docs, names_for

EXAMPLE = FIXTURES / "example"
VOID = {"br", "col", "hr", "img", "input", "meta", "wbr"}


def iptables_ready() -> bool:
    try:
        return hasattr(platforms.get("iptables"), "parse")
    except Exception:  # the parser is still being written
        return False


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Every element below (and including) this one with the tag and attributes."""
        found = []
        if (tag is None or self.tag == tag) and all(self._has(k, v) for k, v in attrs.items()):
            found.append(self)
        for child in self.children:
            found += child.find(tag, **attrs)
        return found

    def _has(self, key: str, value: str) -> bool:
        """``class_`` matches one of the classes; ``data_x`` is ``data-x``."""
        if key == "class_":
            return value in self.attrs.get("class", "").split()
        return self.attrs.get(key.replace("_", "-")) == value


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        for node in self.stack:
            node.text += data


def parse(page: str) -> Element:
    tree = _Tree()
    tree.feed(page)
    tree.close()
    return tree.root


def run(case: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(case)
    try:
        code = main([*args, "--isolated"])
    finally:
        os.chdir(old)
    return code, capsys.readouterr().out


@pytest.fixture
def example(capsys: pytest.CaptureFixture[str]) -> tuple[str, dict[str, object]]:
    """The bundled example's HTML report and its JSON report."""
    if not iptables_ready():
        pytest.skip("the iptables parser is not in the tree yet")
    code, page = run(EXAMPLE, capsys, "audit", "topology.yaml", "--format", "html")
    assert code == 1
    _, text = run(EXAMPLE, capsys, "audit", "topology.yaml", "--format", "json")
    return page, json.loads(text)


def cell(root: Element, firewall: str, flow: str, src: str, dst: str) -> Element:
    (found,) = root.find("td", data_firewall=firewall, data_flow=flow, data_src=src, data_dst=dst)
    return found


STATE = {
    "EXA101": "denied",
    "EXA102": "partly-denied",
    "EXA103": "replies-denied",
    "EXA104": "undetermined",
}


def test_html_is_a_format_of_audit_and_diff_only() -> None:
    assert FORMATS["html"].kinds == ("audit", "diff")
    assert "html" in names_for("audit") and "html" in names_for("diff")
    assert "html" not in names_for("lint")


def test_lint_with_html_configured_writes_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``format = "html"`` in exaudit.toml is for audit and diff: lint says so, writes text."""
    if not iptables_ready():
        pytest.skip("the iptables parser is not in the tree yet")
    shutil.copy(EXAMPLE / "configs" / "hq-edge.rules", tmp_path / "fw.rules")
    (tmp_path / "exaudit.toml").write_text('format = "html"\n', encoding="utf-8")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        code = main(["lint", "fw.rules", "--platform", "iptables"])
    finally:
        os.chdir(old)
    out, err = capsys.readouterr()
    assert code == 0 and "lint has no html format; writing text" in err
    assert out.startswith("fw.rules: iptables")


def test_example_matrix_has_the_expected_states(example: tuple[str, dict[str, object]]) -> None:
    """Each flow finding the example expects is a cell in its state, linking to it."""
    page, report = example
    root = parse(page)
    expected = json.loads((EXAMPLE / "expected.json").read_text(encoding="utf-8"))
    flows = [f for f in expected["findings"] if f["check"] in STATE]
    assert {f["check"] for f in flows} == set(STATE)  # every blocking state is exercised
    findings = report["findings"]
    assert isinstance(findings, list)
    for want in flows:
        got = next(
            f
            for f in findings
            if f["check"] == want["check"]
            and f["firewall"] == want["firewall"]
            and all(f["flow"].get(k) == v for k, v in want["flow"].items() if k != "blocked")
        )
        flow = got["flow"]
        td = cell(root, got["firewall"], flow["id"], flow["src"], flow["dst"])
        assert td.attrs["data-state"] == STATE[want["check"]], want
        assert td.find("span", class_="label")[0].text == td.attrs["data-state"].replace("-", " ")
        href = td.find("a")[0].attrs["href"]
        (article,) = root.find("article", id=href[1:])
        assert want["check"] in article.text and flow["id"] in article.text
        # and the finding links back to its cell, and to its check's documentation
        links = {a.attrs["href"] for a in article.find("a")}
        assert f"#{td.attrs['id']}" in links
        assert f"#{html_docs.doc_id(want['check'])}" in links


def test_example_known_cells(example: tuple[str, dict[str, object]]) -> None:
    root = parse(example[0])
    # the deliberate mistake of the README's query example: IMAP4/SSL to ex-hq-2 denied
    td = cell(root, "hq-edge", "imap4-ssl", "hq-lan", "ex-hq-2")
    assert td.attrs["data-state"] == "denied" and "line 20" not in td.attrs["title"]
    assert "deny 20" in td.attrs["title"]
    assert cell(root, "hq-edge", "imap4-ssl", "hq-lan", "ex-hq-1").attrs["data-state"] == "permit"
    # intrasite flows do not cross the edge firewall
    off = cell(root, "hq-edge", "intrasite-mta", "ex-hq-2", "ex-hq-1")
    assert off.attrs["data-state"] == "not-on-path" and not off.find("a")
    assert "not on the path" in off.text
    # a permitted cell has no finding to link to
    assert not cell(root, "ex-hq-1-local", "smtp", "internet", "ex-hq-1").find("a")
    rows = root.find("tr", data_ok="false")
    assert len(rows) == 9  # flows with a problem somewhere; the toggle hides the others


def test_example_summary_and_checks(example: tuple[str, dict[str, object]]) -> None:
    page, report = example
    root = parse(page)
    summary = root.find("section", id="summary")[0].text
    for needle in (
        "2firewalls",
        "30required flows",
        "9errors",
        "11warnings",
        "1infos",
        "exchange-5.5.yaml",
        "Exchange 5.5",
        "topology.yaml",
    ):
        assert needle in summary, needle
    assert re.search(r"topology sha256[0-9a-f]{64}", summary)
    # findings per firewall, then per check: every finding once, in its firewall's section
    findings = report["findings"]
    assert isinstance(findings, list)
    assert len(root.find("article")) == len(findings)
    edge = root.find("section", id="firewall-hq-edge")[0]
    assert len(edge.find("article")) == sum(f["firewall"] == "hq-edge" for f in findings)
    # each check that ran is documented in the page; those with findings are open
    docs = root.find("details", class_="check-doc")
    assert len(docs) == len(checks.ALL)  # one explanation per check
    opened = {d.attrs["id"] for d in docs if "open" in d.attrs}
    assert opened == {html_docs.doc_id(c) for c in {f["check"] for f in findings}}


def test_page_is_self_contained(example: tuple[str, dict[str, object]]) -> None:
    """Nothing to fetch: no URL at all, links only to anchors of the page, no script."""
    page = example[0]
    assert "http://" not in page and "https://" not in page
    root = parse(page)
    ids = {e.attrs["id"] for e in root.find() if "id" in e.attrs}
    assert len(ids) == len([e for e in root.find() if "id" in e.attrs]), "duplicate ids"
    for e in root.find():
        for name in ("href", "xlink:href", "src", "action", "srcset"):
            if name in e.attrs:
                target = e.attrs[name]
                assert target.startswith("#") and target[1:] in ids, (e.tag, name, target)
    assert not root.find("script") and not root.find("link") and not root.find("img")
    assert not root.find("iframe") and "@import" not in page and "url(" not in page
    csp = root.find("meta", http_equiv="Content-Security-Policy")[0].attrs["content"]
    assert "default-src 'none'" in csp


HOSTILE_FW = "fw<script>alert(1)</script>\"'&\\"
HOSTILE_NET = "lan<script>alert('n')</script>"
HOSTILE_SERVER = 'ex"1<b>'


def hostile_case(tmp_path: Path) -> Path:
    """A topology and config whose names and rule text are markup, quotes and escapes."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "topology.yaml").write_text(
        f"""\
version: 1
exchange: "5.5"
networks:
  {json.dumps(HOSTILE_NET)}: [10.10.0.0/16]
  servers: [10.1.0.0/24]
servers:
  {json.dumps(HOSTILE_SERVER)}:
    address: 10.1.0.10
    site: "HQ<i onmouseover=alert(4)>x</i>"
    rpc_ports: {{directory: 5001, information_store: 5002, mta: 5003}}
clients:
  - from: {json.dumps(HOSTILE_NET)}
    to: [{json.dumps(HOSTILE_SERVER)}]
    protocols: [pop3]
firewalls:
  {json.dumps(HOSTILE_FW)}:
    platform: iptables
    config: fw.rules
    interfaces:
      "eth1<svg onload=alert(1)>": [{json.dumps(HOSTILE_NET)}]
      eth2: [servers]
""",
        encoding="utf-8",
    )
    (tmp_path / "fw.rules").write_text(
        "*filter\n:FORWARD DROP [0:0]\n"
        '-A FORWARD -p tcp --dport 110 -m comment --comment "</pre><script>alert(2)</script>'
        '<a href=\\"http://evil.example/\\">x</a>" -j DROP\n'
        '-A FORWARD -p tcp --dport 111 --bogus "<img src=x onerror=alert(3)>" -j ACCEPT\n'
        "COMMIT\n",
        encoding="utf-8",
    )
    return tmp_path


def assert_inert(page: str) -> Element:
    root = parse(page)
    assert "<script" not in page.lower() and "<img" not in page.lower()
    for e in root.find():
        assert e.tag not in ("script", "img", "iframe", "object", "embed"), e.tag
        handlers = [k for k in e.attrs if k.startswith("on")]
        assert not handlers, (e.tag, handlers)
        for name in ("href", "xlink:href", "src"):
            assert e.attrs.get(name, "#").startswith("#"), (e.tag, e.attrs)
    # the hostile text is there, as text
    assert HOSTILE_FW in root.text and HOSTILE_NET in root.text and HOSTILE_SERVER in root.text
    assert "</pre><script>alert(2)</script>" in root.text
    return root


def test_hostile_names_and_rule_text_are_inert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not iptables_ready():
        pytest.skip("the iptables parser is not in the tree yet")
    case = hostile_case(tmp_path)
    code, page = run(case, capsys, "audit", "topology.yaml", "--format", "html")
    assert code == 1
    root = assert_inert(page)
    td = cell(root, HOSTILE_FW, "pop3", HOSTILE_NET, HOSTILE_SERVER)
    assert td.attrs["data-state"] == "denied"
    drawing = root.find(None, data_drawing="svg") or root.find(None, data_drawing="table")
    assert drawing
    if shutil.which("dot"):  # the names went through DOT and came back as text
        svg = root.find("svg")[0]
        assert HOSTILE_FW in svg.text and HOSTILE_NET in svg.text


def without_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PATH with no ``dot`` (the graphviz package runs it from PATH)."""
    empty = tmp_path / "no-dot"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_drawing_is_inline_svg_from_graphviz(example: tuple[str, dict[str, object]]) -> None:
    if not shutil.which("dot"):
        if os.environ.get("CI"):
            pytest.fail("Graphviz's dot is missing in CI (.ci/run installs graphviz)")
        pytest.skip("Graphviz's dot is not installed")
    root = parse(example[0])
    (figure,) = root.find("figure", data_drawing="svg")
    (svg,) = figure.find("svg")
    for name in (
        "hq-edge",
        "ex-hq-1-local",
        "ex-hq-1",
        "ex-br-1",
        "hq-lan",
        "eth3",
        "HQ",
        "BRANCH",
        "imap4-ssl tcp/993 denied at hq-edge",
    ):
        assert name in svg.text, name
    red = [p for p in svg.find("path") if p.attrs.get("stroke") == "#c62828"]
    assert red, "blocked flows are drawn in red"
    links = {a.attrs.get("xlink:href") for a in svg.find("a")}
    assert "#firewall-hq-edge" in links
    assert any(h and h.startswith("#finding-") for h in links)


def test_drawing_falls_back_to_tables_without_dot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("graphviz")
    if not iptables_ready():
        pytest.skip("the iptables parser is not in the tree yet")
    without_dot(monkeypatch, tmp_path)
    _, page = run(EXAMPLE, capsys, "audit", "topology.yaml", "--format", "html")
    root = parse(page)
    assert not root.find("svg")
    (note,) = root.find("p", data_drawing="table")
    assert "dot program was not found" in note.text
    tables = root.find("div", class_="drawing-tables")[0]
    assert "eth3" in tables.text and "branch-servers, branch-lan" in tables.text
    assert "imap4-ssl tcp/993" in tables.text and "ex-hq-1-local" in tables.text


def test_drawing_falls_back_without_the_graphviz_package(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if not iptables_ready():
        pytest.skip("the iptables parser is not in the tree yet")
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz: ImportError
    _, page = run(EXAMPLE, capsys, "audit", "topology.yaml", "--format", "html")
    (note,) = parse(page).find("p", data_drawing="table")
    assert "graphviz Python package is not installed" in note.text


def test_hostile_names_are_inert_in_the_fallback_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if not iptables_ready():
        pytest.skip("the iptables parser is not in the tree yet")
    case = hostile_case(tmp_path / "case")
    monkeypatch.setitem(sys.modules, "graphviz", None)
    _, page = run(case, capsys, "audit", "topology.yaml", "--format", "html")
    root = assert_inert(page)
    assert HOSTILE_FW in root.find("div", class_="drawing-tables")[0].text


def test_docs_markdown() -> None:
    out = html_docs.markdown(
        "Reports `-m recent` <rules>.\n\n    -A FORWARD -j DROP\n    COMMIT\nbefore the line.\n"
    )
    assert out == (
        "<p>Reports <code>-m recent</code> &lt;rules&gt;.</p>"
        "<pre><code>-A FORWARD -j DROP\nCOMMIT</code></pre>"
        "<p>before the line.</p>"
    )


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=exaudit",
            "-c",
            "user.email=exaudit@example.org",
            "-c",
            "commit.gpgsign=false",
            "-C",
            str(repo),
            *args,
        ],
        check=True,
        capture_output=True,
    )


def changed_example(tmp_path: Path) -> Path:
    """The example in a git repository, then edited: IMAP4/SSL opened, LDAP blocked."""
    if not iptables_ready():
        pytest.skip("the iptables parser is not in the tree yet")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo / "net")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "as deployed")
    rules = repo / "net" / "configs" / "hq-edge.rules"
    text = rules.read_text(encoding="utf-8")
    text = text.replace("-A HQ-CLIENTS -d 10.1.0.11/32 -p tcp --dport 993 -j DROP\n", "")
    text = text.replace(
        "-A HQ-CLIENTS -p tcp -m multiport --dports 25,389 -j ACCEPT\n",
        "-A HQ-CLIENTS -p tcp --dport 389 -j DROP\n"
        "-A HQ-CLIENTS -p tcp -m multiport --dports 25,389 -j ACCEPT\n",
    )
    rules.write_text(text, encoding="utf-8")
    return repo


def diff_page(repo: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    return run(repo, capsys, "diff", "net/topology.yaml", "--before", "HEAD", "--format", "html")


def test_diff_shows_before_and_after(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = changed_example(tmp_path)
    code, page = diff_page(repo, capsys)
    assert code == 1  # the change blocks LDAP: an error introduced
    root = parse(page)
    opened = cell(root, "hq-edge", "imap4-ssl", "hq-lan", "ex-hq-2")
    assert (opened.attrs["data-before"], opened.attrs["data-state"]) == ("denied", "permit")
    assert "newly open" in opened.text
    for dst in ("ex-hq-1", "ex-hq-2"):
        blocked = cell(root, "hq-edge", "ldap", "hq-lan", dst)
        assert (blocked.attrs["data-before"], blocked.attrs["data-state"]) == ("permit", "denied")
        assert "newly blocked" in blocked.text
        (article,) = root.find("article", id=blocked.find("a")[0].attrs["href"][1:])
        assert "EXA101" in article.text and "LDAP" in article.text
        assert root.find("section", id="introduced")[0].find("article", id=article.attrs["id"])
    resolved = root.find("section", id="resolved")[0]
    assert len(resolved.find("article")) == 2 and "IMAP4 over SSL" in resolved.text
    rules = root.find("section", id="rules")[0]
    assert "-A HQ-CLIENTS -p tcp --dport 389 -j DROP" in rules.text
    assert "- \u2192 22" in rules.text
    assert "http://" not in page and "https://" not in page
    assert not root.find("script")


def test_diff_without_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = changed_example(tmp_path)
    git(repo, "commit", "-q", "-am", "the change")
    code, page = diff_page(repo, capsys)
    assert code == 0
    root = parse(page)
    assert "No change" in root.find("section", id="summary")[0].text
    assert not root.find("td", class_="cell")

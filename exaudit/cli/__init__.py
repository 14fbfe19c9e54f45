"""The command line: audit, requirements, lint, query, explain, diff and config."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

from tabulate import tabulate

from exaudit import __version__, platforms
from exaudit.core.errors import InputError
from exaudit.core.findings import FAIL_ON, Finding, fails
from exaudit.reporters.style import PLAIN, Style

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"exaudit: error: {message}\n")
        raise SystemExit(EXIT_INPUT)


def _common(p: argparse.ArgumentParser, fail_on: bool = True) -> None:
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    if fail_on:
        p.add_argument("--fail-on", choices=list(FAIL_ON), default="error",
                       help="exit 1 when a finding is at or above this level (default error)")


REPORT_FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab")
# The settings each command takes from the command line, else the configuration file.
SETTINGS = {
    "audit": ("topology", "format", "fail-on", "exit-zero", "select", "ignore", "baseline"),
    "lint": ("format", "fail-on", "exit-zero", "select", "ignore", "baseline"),
    "diff": ("topology", "format", "fail-on", "exit-zero", "select", "ignore", "baseline"),
    "requirements": ("topology",),
}


def _config_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="settings from FILE instead of the "
                   "nearest exaudit.toml or pyproject.toml [tool.exaudit]")
    p.add_argument("--isolated", action="store_true", help="ignore configuration files")


def _ci_options(p: argparse.ArgumentParser, formats: Sequence[str] = REPORT_FORMATS,
                baseline: bool = True) -> None:
    """Options of the commands that report findings; ``None`` defers to the settings."""
    p.add_argument("--format", choices=formats, default=None, help="report format "
                   "(default text)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    p.add_argument("--fail-on", choices=list(FAIL_ON), default=None,
                   help="exit 1 when a finding is at or above this level (default error)")
    p.add_argument("--exit-zero", action="store_const", const=True, default=None,
                   help="exit 0 even with failing findings (2 still means unusable input)")
    p.add_argument("--select", action="append", metavar="CHECKS",
                   help="only these checks: codes, prefixes (EXA1) or names, comma-separated")
    p.add_argument("--ignore", action="append", metavar="CHECKS",
                   help="leave out these checks: codes, prefixes or names, comma-separated")
    if baseline:
        p.add_argument("--baseline", metavar="FILE",
                       help="findings listed in this baseline file do not count")
    _config_options(p)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="exaudit", description="Audit firewall rulesets against the ports "
                     "Microsoft Exchange needs.")
    parser.add_argument("--version", action="version", version=f"exaudit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("audit", help="audit every firewall of a topology (the main job)")
    p.add_argument("topology", nargs="?", help="the topology file (default: the "
                   "configuration's topology)")
    _ci_options(p)
    p.add_argument("--write-baseline", metavar="FILE",
                   help="write the findings that count to FILE as the new baseline")

    p = sub.add_parser("requirements", help="the required flows per firewall")
    p.add_argument("topology", nargs="?")
    _common(p, fail_on=False)
    _config_options(p)

    p = sub.add_parser("lint", help="topology-free checks of rulesets")
    p.add_argument("configs", nargs="+", metavar="CONFIG")
    p.add_argument("--platform", choices=platforms.NAMES)
    _ci_options(p)

    p = sub.add_parser("diff", help="what a change to the configs or topology changes")
    p.add_argument("topology", nargs="?")
    p.add_argument("--before", required=True, metavar="REV_OR_DIR",
                   help="a git revision (HEAD, main, a commit) or a directory of old files")
    _ci_options(p, ("text", "json", "sarif"))

    p = sub.add_parser("config", help="the effective settings and where each comes from")
    p.add_argument("--format", choices=["text", "json"], default="text")
    _config_options(p)

    p = sub.add_parser("query", help="the verdict for one packet and the line that decides")
    p.add_argument("config")
    p.add_argument("--platform", choices=platforms.NAMES)
    p.add_argument("--src")
    p.add_argument("--dst")
    p.add_argument("--dport", type=int)
    p.add_argument("--sport", type=int, help="source port (default: any client port >= 1024)")
    p.add_argument("--proto", default="tcp")
    p.add_argument("--in", dest="in_iface", metavar="IF")
    p.add_argument("--out", dest="out_iface", metavar="IF")
    p.add_argument("--chain", help="iptables: the chain to start in")
    p.add_argument("--established", action="store_true",
                   help="ask about a packet of an established connection (ACK set)")
    p.add_argument("--queries", metavar="FILE.jsonl", help="many packets, one JSON per line")
    _common(p, fail_on=False)

    p = sub.add_parser("explain", help="the documentation of a check")
    p.add_argument("check", nargs="?", help="a check code (EXA201) or name")
    p.add_argument("--all", action="store_true",
                   help="every check, as the Markdown of docs/checks.md")
    return parser


def _write(args: argparse.Namespace, text: str) -> None:
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise InputError(args.output, None, f"cannot write: {exc.strerror}") from None
    else:
        sys.stdout.write(text)


def _style(args: argparse.Namespace) -> Style:
    return PLAIN if args.output else Style.for_stream(sys.stdout)


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _exit(findings: list[Finding], fail_on: str) -> int:
    return EXIT_FINDINGS if fails(findings, fail_on) else EXIT_OK


def _settings(args: argparse.Namespace, command: str) -> None:
    """Fill the options left unset from the configuration file, else the defaults."""
    from exaudit.cli import settings

    keys = SETTINGS[command]
    given = {k: getattr(args, k.replace("-", "_"), None) for k in keys}
    found = settings.resolve(given, config=args.config, isolated=args.isolated, keys=keys)
    settings.warn(found)
    for key in keys:
        setattr(args, key.replace("-", "_"), found[key])


def _topology(args: argparse.Namespace) -> str:
    if not args.topology:
        raise InputError(None, None, "no topology given: pass TOPOLOGY or set topology "
                         "in exaudit.toml or [tool.exaudit] of pyproject.toml")
    return str(args.topology)


def _finish(args: argparse.Namespace, findings: list[Finding]) -> int:
    return EXIT_OK if args.exit_zero else _exit(findings, args.fail_on)


def _render(args: argparse.Namespace, report: dict[str, Any], text: Any) -> str:
    """The report in the chosen format; ``text`` makes the text one when asked for."""
    if args.format == "json":
        return _json(report)
    if args.format == "text":
        return str(text())
    module = importlib.import_module(f"exaudit.reporters.{args.format}")
    return str(module.render(report))


def _suppressed_note(report: dict[str, Any]) -> str:
    n = report["summary"].get("suppressed", 0)
    return (f"{n} finding(s) suppressed by inline comments or the baseline "
            "(--format json lists them)\n" if n else "")


def cmd_audit(args: argparse.Namespace) -> int:
    from exaudit.analysis.context import run_audit
    from exaudit.exchange.topology import load_topology
    from exaudit.report.build import audit_report
    from exaudit.reporters import audit_text
    from exaudit.review import baseline as baselines
    from exaudit.review.diff import annotate_firewalls
    from exaudit.review.suppress import annotate, enabled_checks, scan_files, triage

    _settings(args, "audit")
    enabled = enabled_checks(args.select, args.ignore)
    topo = load_topology(_topology(args))
    ctx, findings = run_audit(topo)
    files = [(topo.path, "topology", None)] + [(fa.firewall.config, fa.firewall.platform,
                                                 fa.firewall.name) for fa in ctx.firewalls]
    base = baselines.load(args.baseline) if args.baseline and not args.write_baseline else None
    result = triage(findings, enabled, scan_files(files), base)
    if args.write_baseline:
        kept = [(f, fp) for f, fp in result.active if f.check != "EXA003"]
        baselines.write(args.write_baseline, kept)
        print(f"exaudit: wrote {len(kept)} finding(s) to the baseline "
              f"{args.write_baseline}", file=sys.stderr)
        result = triage(findings, enabled, scan_files(files),
                        baselines.load(args.write_baseline))
    report = annotate(audit_report(ctx, result.findings), result)
    annotate_firewalls(report, ctx)
    _write(args, _render(args, report, lambda: audit_text.render(
        report, result.findings, _style(args)) + _suppressed_note(report)))
    return _finish(args, result.findings)


def cmd_requirements(args: argparse.Namespace) -> int:
    from exaudit.analysis.context import build_context
    from exaudit.exchange.topology import load_topology
    from exaudit.report.build import requirements_report

    _settings(args, "requirements")
    ctx = build_context(load_topology(_topology(args)))
    report = requirements_report(ctx)
    if args.format == "json":
        _write(args, _json(report))
        return EXIT_OK
    out = [f"exaudit requirements of {report['topology']} (Exchange {report['exchange']}): "
           f"{len(report['flows'])} required flow(s)", ""]
    for fw in report["firewalls"]:
        out.append(f"== {fw['name']} ({fw['platform']}, {fw['config']}) ==")
        if not fw["flows"]:
            out += ["no required flow crosses this firewall", ""]
            continue
        out.append("ports to open (and to monitor):")
        out.append(tabulate([[o["dst"], o["address"], o["path"], f"tcp/{o['ports']}"]
                             for o in fw["open"]],
                            headers=["server", "address", "path", "ports"]))
        out.append("")
        out.append(tabulate([[r["id"], f"{r['proto']}/{r['port']}", r["src"], r["dst"],
                              r["path"] if r["path"] != "forward"
                              else f"{r['in']} -> {r['out']}"] for r in fw["flows"]],
                            headers=["flow", "port", "from", "to", "path"]))
        out.append("")
    _write(args, "\n".join(out))
    return EXIT_OK


def _load_config(path: str, platform: str | None) -> tuple[str, bool, Any, Any]:
    from exaudit.core.textfile import read_text

    text = read_text(path)
    guessed = platform is None
    name = platform or platforms.detect(text, path)
    module = platforms.get(name)
    return name, guessed, module, module.parse(text, path)


def cmd_lint(args: argparse.Namespace) -> int:
    from exaudit.checks import run_ruleset_checks
    from exaudit.report.build import TOOL, lines_unparsed, severity_counts, understood
    from exaudit.review import baseline as baselines
    from exaudit.review.suppress import annotate, enabled_checks, scan_files, triage

    _settings(args, "lint")
    enabled = enabled_checks(args.select, args.ignore)
    files, findings, scanned = [], [], []
    for path in args.configs:
        name, guessed, _, ruleset = _load_config(path, args.platform)
        if guessed:
            print(f"exaudit: {path}: platform guessed from content: {name}", file=sys.stderr)
        rules = ruleset.rules()
        files.append({"file": path, "platform": name, "platform_guessed": guessed,
                      "rules": len(rules), "rules_understood": sum(map(understood, rules)),
                      "lines_unparsed": lines_unparsed(ruleset),
                      "notes": [n.message for n in ruleset.notes]})
        findings += run_ruleset_checks(ruleset, None)
        scanned.append((path, name, None))
    findings.sort(key=Finding.sort_key)
    result = triage(findings, enabled, scan_files(scanned),
                    baselines.load(args.baseline) if args.baseline else None)
    findings = result.findings
    summary = severity_counts(findings)
    summary.update({"files": len(files), "rules": sum(f["rules"] for f in files),
                    "rules_understood": sum(f["rules_understood"] for f in files)})
    report = annotate({"schema": "exaudit.lint/1", "tool": TOOL, "summary": summary,
                       "files": files, "findings": []}, result)
    if args.format != "text":
        _write(args, _render(args, report, str))
    else:
        style = _style(args)
        out = []
        for f in files:
            pct = 100.0 * f["rules_understood"] / f["rules"] if f["rules"] else 100.0
            out.append(f"{f['file']}: {f['platform']}, {f['rules']} rules, "
                       f"{f['rules_understood']} fully understood ({pct:.1f}%), "
                       f"{f['lines_unparsed']} line(s) not understood")
            out += [f"  note: {n}" for n in f["notes"]]
        if findings:
            out.append("")
            out.append(tabulate([[f"{x.location.file}:{x.location.line}" if x.location else "-",
                                  x.check, style(x.severity.value, x.severity.value),
                                  "\n".join(textwrap.wrap(x.message, 60)),
                                  textwrap.shorten(x.text or "", 50, placeholder=" ...")]
                                 for x in findings],
                                headers=["where", "check", "severity", "finding", "line"]))
        out.append("")
        out.append(", ".join(f"{summary[k]} {k}" for k in ("error", "warning", "info")))
        _write(args, "\n".join(out) + "\n" + _suppressed_note(report))
    return _finish(args, findings)


def cmd_query(args: argparse.Namespace) -> int:
    from exaudit.core.textfile import read_text
    from exaudit.pipeline.query import Packet, Querier, answer_text, packet_from_json

    if not args.queries and (not args.src or not args.dst):
        raise InputError(None, None, "query needs --src and --dst (or --queries FILE)")
    name, guessed, module, ruleset = _load_config(args.config, args.platform)
    if guessed:
        print(f"exaudit: {args.config}: platform guessed from content: {name}",
              file=sys.stderr)
    querier = Querier(module, ruleset)
    answers = []
    if args.queries:
        for number, line in enumerate(read_text(args.queries).splitlines(), 1):
            if line.strip():
                packet = packet_from_json(line, args.queries, number)
                answers.append(querier.answer(packet, args.queries, number))
    else:
        packet = Packet(args.proto, args.src, args.dst, args.dport, args.sport, args.in_iface,
                        args.out_iface, args.chain, args.established)
        answers.append(querier.answer(packet))
    if args.format == "json":
        if args.queries:
            _write(args, "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers))
        else:
            _write(args, _json(answers[0]))
    else:
        _write(args, "\n\n".join(answer_text(a) for a in answers) + "\n")
    return EXIT_OK


def checks_markdown() -> str:
    """docs/checks.md: every check's docstring under a heading GitHub anchors."""
    from exaudit import checks
    from exaudit.reporters.sarif import doc_sections

    out = ["# exaudit checks", "",
           "Generated from the checks' docstrings by `exaudit explain --all`; "
           "do not edit by hand.", ""]
    for m in checks.ALL:
        out += [f"## {m.CODE} {m.NAME}", "", f"Severity: {m.SEVERITY.value}.", ""]
        for title, body in doc_sections(m).items():
            out += [f"### {title}", "", body, ""]
    return "\n".join(out).rstrip() + "\n"


def cmd_explain(args: argparse.Namespace) -> int:
    from exaudit import checks

    if args.all or not args.check:
        sys.stdout.write(checks_markdown())
        return EXIT_OK
    module = checks.get(args.check)
    if module is None:
        raise InputError(None, None, f"unknown check {args.check!r} "
                         f"(known: {', '.join(checks.BY_CODE)})")
    sys.stdout.write(f"{module.CODE} {module.NAME} ({module.SEVERITY.value})\n\n")
    doc = (module.__doc__ or "").split("\n", 1)[1] if module.__doc__ else ""
    sys.stdout.write(textwrap.dedent(doc).strip() + "\n")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from exaudit.review import diff
    from exaudit.review.suppress import enabled_checks

    _settings(args, "diff")
    result = diff.run_diff(_topology(args), args.before,
                           enabled_checks(args.select, args.ignore), args.baseline)
    data = diff.report(result)
    if args.format not in ("text", "json", "sarif"):  # a configured default for audit
        print(f"exaudit: note: diff has no {args.format} format; writing text",
              file=sys.stderr)
    render = {"json": _json, "sarif": diff.render_sarif}.get(args.format, diff.render_text)
    _write(args, render(data))
    return _finish(args, [f for f, _, _ in result.introduced])


def cmd_config(args: argparse.Namespace) -> int:
    from exaudit.cli import settings

    found = settings.resolve({}, config=args.config, isolated=args.isolated)
    sys.stdout.write(settings.render(found, args.format))
    return EXIT_OK


COMMANDS = {"audit": cmd_audit, "requirements": cmd_requirements, "lint": cmd_lint,
            "query": cmd_query, "explain": cmd_explain, "diff": cmd_diff, "config": cmd_config}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--explain"]:  # ruff-style alias: exaudit --explain EXA201
        argv[0] = "explain"
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        sys.stdout.flush()
        sys.stderr.write(f"exaudit: error: {exc}\n")
        return EXIT_INPUT
    except RecursionError:
        sys.stderr.write("exaudit: error: input nested too deeply to read\n")
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: still one line for the user; EXAUDIT_DEBUG=1 shows it
        if os.environ.get("EXAUDIT_DEBUG"):
            raise
        sys.stderr.write(f"exaudit: error: internal error ({type(exc).__name__}: {exc}); "
                         "please report it (EXAUDIT_DEBUG=1 shows where)\n")
        return EXIT_INPUT


if __name__ == "__main__":
    raise SystemExit(main())

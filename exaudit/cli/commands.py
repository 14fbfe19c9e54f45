"""What each subcommand does: settings, the pipeline, the report in the chosen format."""

from __future__ import annotations

import os
import sys

from exaudit.cli.options import EXIT_FINDINGS, EXIT_OK
from exaudit.cli.output import Output, render_all, write
from exaudit.core.errors import InputError
from exaudit.reporters import names_for

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:  # start-up is a feature of a CLI: what a command needs, it imports
    import argparse
    from typing import Any

    from exaudit.core.findings import Finding
    from exaudit.pipeline.runner import Runner

# lint's findings are warnings at worst (lines not read, rules that never match): a lint
# that should fail a pre-commit hook fails on warnings unless the settings say otherwise
FAIL_ON_DEFAULTS = {"lint": "warning"}
# The settings each command takes from the command line, else the configuration file.
_REPORTING = ("format", "fail-on", "exit-zero", "select", "ignore", "baseline")
SETTINGS = {
    "audit": ("topology", *_REPORTING, "allow-outside-paths"),
    "lint": (*_REPORTING, "allow-outside-paths"),
    "diff": ("topology", *_REPORTING, "allow-outside-paths"),
    "requirements": ("topology", "allow-outside-paths"),
}


def _write(args: argparse.Namespace, text: str) -> None:
    write(Output(args.format, args.output), text)


def _json(data: Any) -> str:
    import json

    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _note(message: str) -> None:
    print(f"exaudit: {message}", file=sys.stderr)


def _settings(args: argparse.Namespace, command: str) -> None:
    """Fill the options left unset from the configuration file, else the defaults."""
    from exaudit.cli import settings

    keys = SETTINGS[command]
    given = {k: getattr(args, k.replace("-", "_"), None) for k in keys}
    formats = given.pop("format", None)  # repeatable on the command line, one in a file
    found = settings.resolve(given, config=args.config, isolated=args.isolated, keys=keys)
    settings.warn(found)
    for key in keys:
        setattr(args, key.replace("-", "_"), found[key])
    if "format" in keys:
        args.format = formats or [found["format"]]
        args.format_configured = not formats
    if command in FAIL_ON_DEFAULTS and found.sources.get("fail-on") == "default":
        args.fail_on = FAIL_ON_DEFAULTS[command]
    if found["allow-outside-paths"]:
        from exaudit.core.confine import ALLOW_OUTSIDE_ENV

        os.environ[ALLOW_OUTSIDE_ENV] = "1"


def _topology(args: argparse.Namespace) -> str:
    if not args.topology:
        raise InputError(
            None,
            None,
            "no topology given: pass TOPOLOGY or set topology "
            "in exaudit.toml or [tool.exaudit] of pyproject.toml",
        )
    return str(args.topology)


def _runner(args: argparse.Namespace) -> Runner:
    from exaudit.cli.progress import Progress
    from exaudit.pipeline.cache import Cache, default_dir
    from exaudit.pipeline.pool import default_jobs
    from exaudit.pipeline.runner import Runner

    cache = None if args.no_cache else Cache(args.cache_dir or default_dir())
    options: dict[str, Any] = {} if args.quiet else {"notify": _note}
    if args.verbose:
        options["detail"] = _note
    if Progress.wanted(args.quiet):
        options["progress"] = Progress()
    return Runner(args.jobs or default_jobs(), cache, **options)


def _enabled(args: argparse.Namespace) -> frozenset[str]:
    from exaudit.checks.selection import enabled_checks

    return enabled_checks(args.select, args.ignore)


def _finish(args: argparse.Namespace, findings: list[Finding]) -> int:
    from exaudit.core.findings import fails

    if args.exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if fails(findings, args.fail_on) else EXIT_OK


def _report(args: argparse.Namespace, report: Any, kind: str) -> int:
    """Render ``report`` in every format asked for; the exit code its findings give."""
    if args.format_configured and args.format[0] not in names_for(kind):
        # a format from the settings file is audit's; a command without it writes text
        _note(f"note: {kind} has no {args.format[0]} format; writing text")
        args.format = ["text"]
    render_all(args, report, names_for(kind))
    return _finish(args, report.counted)


def cmd_audit(args: argparse.Namespace) -> int:
    from exaudit.pipeline.audit import audit

    _settings(args, "audit")
    report = audit(
        _topology(args), _enabled(args), args.baseline, args.write_baseline, _runner(args)
    )
    return _report(args, report, "audit")


def cmd_requirements(args: argparse.Namespace) -> int:
    from exaudit.pipeline.requirements import requirements

    _settings(args, "requirements")
    render_all(args, requirements(_topology(args)), names_for("requirements"))
    return EXIT_OK


def cmd_lint(args: argparse.Namespace) -> int:
    from exaudit.pipeline.lint import lint

    _settings(args, "lint")
    report = lint(
        args.configs, args.platform, _enabled(args), args.baseline, _runner(args), args.skip_unknown
    )
    return _report(args, report, "lint")


def cmd_query(args: argparse.Namespace) -> int:
    from exaudit.core.textfile import read_text
    from exaudit.pipeline.query import Packet, Querier, packet_from_json
    from exaudit.pipeline.sources import read_config
    from exaudit.reporters.text_query import answer_text

    if not args.queries and (not args.src or not args.dst):
        raise InputError(None, None, "query needs --src and --dst (or --queries FILE)")
    config = read_config(args.config, args.platform)
    if config.guessed:
        _note(f"{config.path}: platform guessed from content: {config.platform.name}")
    querier = Querier(config.platform, config.parse())
    answers = []
    if args.queries:
        for number, line in enumerate(read_text(args.queries).splitlines(), 1):
            if line.strip():
                packet = packet_from_json(line, args.queries, number)
                answers.append(querier.answer(packet, args.queries, number))
    else:
        packet = Packet(
            args.proto,
            args.src,
            args.dst,
            args.dport,
            args.sport,
            args.in_iface,
            args.out_iface,
            args.chain,
            args.established,
        )
        answers.append(querier.answer(packet))
    if args.format == "json":
        if args.queries:
            import json

            _write(args, "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers))
        else:
            _write(args, _json(answers[0]))
    else:
        _write(args, "\n\n".join(answer_text(a) for a in answers) + "\n")
    return EXIT_OK


def checks_markdown() -> str:
    """docs/checks.md: every check's docstring under a heading GitHub anchors."""
    from exaudit import checks

    out = [
        "# exaudit checks",
        "",
        "Generated from the checks' docstrings by `exaudit explain --all`; do not edit by hand.",
        "",
    ]
    for c in checks.ALL:
        out += [f"## {c.code} {c.name}", "", f"Severity: {c.severity.value}.", ""]
        for title, body in c.sections().items():
            out += [f"### {title}", "", body, ""]
    return "\n".join(out).rstrip() + "\n"


def cmd_explain(args: argparse.Namespace) -> int:
    import textwrap

    from exaudit import checks

    if args.all or not args.check:
        sys.stdout.write(checks_markdown())
        return EXIT_OK
    found = checks.get(args.check)
    if found is None:
        raise InputError(
            None, None, f"unknown check {args.check!r} (known: {', '.join(checks.BY_CODE)})"
        )
    sys.stdout.write(f"{found.code} {found.name} ({found.severity.value})\n\n")
    doc = found.doc.split("\n", 1)[1] if "\n" in found.doc else ""
    sys.stdout.write(textwrap.dedent(doc).strip() + "\n")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from exaudit.pipeline.diff import diff

    _settings(args, "diff")
    report = diff(_topology(args), args.before, _enabled(args), args.baseline, _runner(args))
    return _report(args, report, "diff")


def cmd_config(args: argparse.Namespace) -> int:
    from exaudit.cli import settings

    found = settings.resolve({}, config=args.config, isolated=args.isolated)
    sys.stdout.write(settings.render(found, args.format))
    return EXIT_OK


COMMANDS = {
    "audit": cmd_audit,
    "requirements": cmd_requirements,
    "lint": cmd_lint,
    "query": cmd_query,
    "explain": cmd_explain,
    "diff": cmd_diff,
    "config": cmd_config,
}

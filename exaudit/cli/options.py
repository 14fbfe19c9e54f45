"""The command line's options: one argparse parser, its subcommands and their help."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from exaudit import __version__, platforms
from exaudit.reporters import names_for

# --fail-on levels (as ``exaudit.core.findings.FAIL_ON``, which a test keeps equal)
FAIL_ON_LEVELS = ("error", "warning", "info", "never")

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]  # argparse: NoReturn
        self.print_usage(sys.stderr)
        sys.stderr.write(f"exaudit: error: {message}\n")
        raise SystemExit(EXIT_INPUT)


def _plain_output(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")


def _config_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="settings from FILE instead of the "
                   "nearest exaudit.toml or pyproject.toml [tool.exaudit]")
    p.add_argument("--isolated", action="store_true", help="ignore configuration files")


def _ci_options(p: argparse.ArgumentParser, formats: Sequence[str],
                baseline: bool = True) -> None:
    """Options of the commands that report findings; ``None`` defers to the settings."""
    p.add_argument("--format", choices=formats, default=None, help="report format "
                   "(default text)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    p.add_argument("--fail-on", choices=FAIL_ON_LEVELS, default=None,
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
    _work_options(p)
    _config_options(p)


def _work_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N",
                   help="firewalls (or files) audited in N processes at once (default: one "
                   "per CPU; 1 for none)")
    p.add_argument("--cache-dir", metavar="DIR", help="where results are cached by the hash "
                   "of their inputs (default: $EXAUDIT_CACHE_DIR, else the user's cache "
                   "directory)")
    p.add_argument("--no-cache", action="store_true",
                   help="neither read nor write the result cache")


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of processes: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("--jobs needs at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="exaudit", description="Audit firewall rulesets against the ports "
                    "Microsoft Exchange needs.")
    parser.add_argument("--version", action="version", version=f"exaudit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("audit", help="audit every firewall of a topology (the main job)")
    p.add_argument("topology", nargs="?", help="the topology file (default: the "
                   "configuration's topology)")
    _ci_options(p, names_for("audit"))
    p.add_argument("--write-baseline", metavar="FILE",
                   help="write the findings that count to FILE as the new baseline")

    p = sub.add_parser("requirements", help="the required flows per firewall")
    p.add_argument("topology", nargs="?")
    _plain_output(p)
    _config_options(p)

    p = sub.add_parser("lint", help="topology-free checks of rulesets")
    p.add_argument("configs", nargs="+", metavar="CONFIG")
    p.add_argument("--platform", choices=platforms.NAMES)
    _ci_options(p, names_for("lint"))

    p = sub.add_parser("diff", help="what a change to the configs or topology changes")
    p.add_argument("topology", nargs="?")
    p.add_argument("--before", required=True, metavar="REV_OR_DIR",
                   help="a git revision (HEAD, main, a commit) or a directory of old files")
    _ci_options(p, names_for("diff"))

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
    _plain_output(p)

    p = sub.add_parser("explain", help="the documentation of a check")
    p.add_argument("check", nargs="?", help="a check code (EXA201) or name")
    p.add_argument("--all", action="store_true",
                   help="every check, as the Markdown of docs/checks.md")
    return parser

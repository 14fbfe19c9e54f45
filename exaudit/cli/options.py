"""The command line's options: one argparse parser, its subcommands and their help."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from exaudit import __version__, platforms
from exaudit.reporters import names_for

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

# --fail-on levels (as ``exaudit.core.findings.FAIL_ON``, which a test keeps equal)
FAIL_ON_LEVELS = ("error", "warning", "info", "never")
EXIT_CODES = (
    "exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, "
    "2 the input could not be used (one line: exaudit: error: FILE:LINE: what)"
)


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]  # argparse: NoReturn
        self.print_usage(sys.stderr)
        sys.stderr.write(f"exaudit: error: {message}\n")
        raise SystemExit(EXIT_INPUT)


def _plain_output(p: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    p.add_argument("--format", choices=formats, default="text", help="report format (default text)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")


def _config_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        metavar="FILE",
        help="settings from FILE instead of the "
        "nearest exaudit.toml or pyproject.toml [tool.exaudit]",
    )
    p.add_argument("--isolated", action="store_true", help="ignore configuration files")
    p.add_argument(
        "--allow-outside-paths",
        action="store_const",
        const=True,
        default=None,
        help="let config: paths and includes name files outside the repository "
        "(default: refused; devices and /proc files are refused always)",
    )


def _ci_options(
    p: argparse.ArgumentParser, kind: str, fail_on_default: str, baseline: bool = True
) -> None:
    """Options of the commands that report findings; ``None`` defers to the settings."""
    formats = names_for(kind)
    p.add_argument(
        "--format",
        action="append",
        metavar="FORMAT[:FILE]",
        help=f"report format, repeatable: {', '.join(formats)} (default text); "
        "FORMAT:FILE writes that format to FILE, e.g. --format sarif:x.sarif "
        "--format text",
    )
    p.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write the report (the one --format without a FILE) to FILE",
    )
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON_LEVELS,
        default=None,
        help=f"exit 1 when a finding counts at or above this level (default {fail_on_default})",
    )
    p.add_argument(
        "--exit-zero",
        action="store_const",
        const=True,
        default=None,
        help="exit 0 even with failing findings (2 still means unusable input)",
    )
    p.add_argument(
        "--select",
        action="append",
        metavar="CHECKS",
        help="only these checks: codes, prefixes (EXA1) or names, comma-separated",
    )
    p.add_argument(
        "--ignore",
        action="append",
        metavar="CHECKS",
        help="leave out these checks: codes, prefixes or names, comma-separated",
    )
    if baseline:
        p.add_argument(
            "--baseline", metavar="FILE", help="findings listed in this baseline file do not count"
        )
    _text_options(p)
    _work_options(p)
    _config_options(p)


def _text_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour in text output (auto: on a terminal; NO_COLOR and FORCE_COLOR are honoured)",
    )
    p.add_argument(
        "--quiet", "-q", action="store_true", help="text: the findings only; no progress"
    )
    p.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="say on standard error what was read and how long each part took",
    )
    p.add_argument(
        "--statistics",
        action="store_true",
        help="text: how many findings of each check on each firewall, instead of the findings",
    )


def _work_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=None,
        metavar="N",
        help="firewalls (or files) audited in N processes at once (default: one "
        "per CPU; 1 for none)",
    )
    p.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="where results are cached by the hash "
        "of their inputs (default: $EXAUDIT_CACHE_DIR, else the user's cache "
        "directory)",
    )
    p.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the result cache"
    )


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of processes: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("--jobs needs at least 1")
    return value


def _command(
    sub: argparse._SubParsersAction,
    name: str,
    summary: str,
    description: str,
    examples: Sequence[str],
    codes: bool = True,
) -> argparse.ArgumentParser:
    epilog = "examples:\n" + "\n".join(f"  {e}" for e in examples)
    if codes:
        epilog += "\n\n" + EXIT_CODES
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="exaudit",
        description="Audit firewall rulesets against the ports Microsoft Exchange needs.",
        epilog=EXIT_CODES,
    )
    parser.add_argument("--version", action="version", version=f"exaudit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = _command(
        sub,
        "audit",
        "audit every firewall of a topology (the main job)",
        "Audit every firewall of the topology against the flows Exchange needs: "
        "blocked flows, permits wider than needed, plaintext without SSL.",
        [
            "exaudit audit network/topology.yaml",
            "exaudit audit network/topology.yaml --format sarif:exaudit.sarif --format text",
            "exaudit audit --baseline exaudit-baseline.json   # topology from exaudit.toml",
        ],
    )
    p.add_argument(
        "topology", nargs="?", help="the topology file (default: the configuration's topology)"
    )
    _ci_options(p, "audit", "error")
    p.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="write the findings that count to FILE as the new baseline",
    )

    p = _command(
        sub,
        "requirements",
        "the required flows per firewall",
        "What each firewall must open (and monitor) for the topology's Exchange "
        "flows, with the source of each requirement, and what its config opens to the "
        "servers that no required flow needs (open but not required; policy.allow "
        "entries marked with their reason).",
        [
            "exaudit requirements network/topology.yaml",
            "exaudit requirements network/topology.yaml --format json",
        ],
    )
    p.add_argument(
        "topology", nargs="?", help="the topology file (default: the configuration's topology)"
    )
    _plain_output(p, names_for("requirements"))
    _config_options(p)

    p = _command(
        sub,
        "lint",
        "topology-free checks of rulesets",
        "Parse coverage and rule hygiene of firewall configs, without a topology: "
        "lines exaudit cannot read (EXA001), matches it does not model (EXA002), "
        "rules that never match (EXA501), any-any permits (EXA502). CONFIG - reads "
        "standard input.",
        [
            "exaudit lint fw/*.rules",
            "exaudit lint edge.cfg --platform asa",
            "iptables-save | exaudit lint -",
        ],
    )
    p.add_argument("configs", nargs="+", metavar="CONFIG")
    p.add_argument(
        "--platform",
        choices=platforms.NAMES,
        help="the firewall syntax (default: guessed from each file's content)",
    )
    p.add_argument(
        "--skip-unknown",
        action="store_true",
        help="leave out, with a note, files that read as no firewall syntax "
        "(instead of exit 2); for hooks that pick files by name",
    )
    _ci_options(p, "lint", "warning")

    p = _command(
        sub,
        "diff",
        "what a change to the configs or topology changes",
        "Audit the topology now and before a change, and report only what the "
        "change changes: flows newly blocked or open, findings introduced and "
        "resolved, rules that decide differently.",
        [
            "exaudit diff network/topology.yaml --before origin/main",
            "exaudit diff network/topology.yaml --before /srv/fw-backup",
        ],
    )
    p.add_argument(
        "topology", nargs="?", help="the topology file (default: the configuration's topology)"
    )
    p.add_argument(
        "--before",
        required=True,
        metavar="REV_OR_DIR",
        help="a git revision (HEAD, main, a commit) or a directory of old files",
    )
    _ci_options(p, "diff", "error")

    p = _command(
        sub,
        "config",
        "the effective settings and where each comes from",
        "The effective value of every setting and where it comes from (the "
        "command line, a configuration file, the default).",
        ["exaudit config", "exaudit config --format json"],
        codes=False,
    )
    p.add_argument(
        "--format", choices=["text", "json"], default="text", help="text or json (default text)"
    )
    _config_options(p)

    p = _command(
        sub,
        "query",
        "the verdict for one packet and the line that decides",
        "The verdict of a firewall for one packet (or a JSON Lines batch), the "
        "line that decides it and the path it takes. CONFIG - reads standard "
        "input.",
        [
            "exaudit query edge.rules --src 10.10.1.5 --dst 10.1.0.10 --dport 993 "
            "--in eth1 --out eth2",
            "exaudit query edge.rules --queries packets.jsonl --format json",
        ],
    )
    p.add_argument("config")
    p.add_argument(
        "--platform",
        choices=platforms.NAMES,
        help="the firewall syntax (default: guessed from the content)",
    )
    p.add_argument("--src", help="the source address")
    p.add_argument("--dst", help="the destination address")
    p.add_argument("--dport", type=int, help="the destination port (ICMP: the type)")
    p.add_argument("--sport", type=int, help="source port (default: any client port >= 1024)")
    p.add_argument("--proto", default="tcp", help="protocol name or number (default tcp)")
    p.add_argument("--in", dest="in_iface", metavar="IF", help="the interface it arrives on")
    p.add_argument("--out", dest="out_iface", metavar="IF", help="the interface it leaves by")
    p.add_argument("--chain", help="where to start: an iptables chain, pf in/out")
    p.add_argument(
        "--established",
        action="store_true",
        help="ask about a packet of an established connection (ACK set)",
    )
    p.add_argument("--queries", metavar="FILE.jsonl", help="many packets, one JSON per line")
    _plain_output(p, ("text", "json"))

    p = _command(
        sub,
        "explain",
        "the documentation of a check",
        "The documentation of a check: what it does, why it matters, an example "
        "and what to write instead.",
        [
            "exaudit explain EXA201",
            "exaudit explain over-broad-ephemeral-range",
            "exaudit explain --all > docs/checks.md",
        ],
        codes=False,
    )
    p.add_argument("check", nargs="?", help="a check code (EXA201) or name")
    p.add_argument(
        "--all", action="store_true", help="every check, as the Markdown of docs/checks.md"
    )
    return parser

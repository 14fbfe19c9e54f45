"""Where reports go: ``--format FORMAT[:FILE]`` (repeatable) and ``--output FILE``."""

from __future__ import annotations

import sys

from exaudit.core.errors import InputError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    import argparse
    from typing import Any


class Output:
    """One report format and where it goes (``path`` None: standard output).

    A plain class, not a dataclass: ``exaudit --version`` imports this module, and start-up
    is a feature of a CLI (dataclasses pulls in inspect, ast and dis).
    """

    __slots__ = ("format", "path")

    def __init__(self, format: str, path: str | None) -> None:
        self.format = format
        self.path = path

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Output) and (self.format, self.path) == (other.format, other.path)

    def __hash__(self) -> int:
        return hash((self.format, self.path))

    def __repr__(self) -> str:
        return f"Output({self.format!r}, {self.path!r})"


def outputs(args: argparse.Namespace, choices: tuple[str, ...]) -> list[Output]:
    """Each requested format with its destination; one format at most on standard output.

    ``--format sarif:exaudit.sarif --format text`` writes SARIF to a file and text to the
    terminal; ``--output FILE`` is where the one format without a file of its own goes.
    """
    specs = args.format if isinstance(args.format, list) else [args.format or "text"]
    found: list[Output] = []
    for spec in specs:
        name, sep, path = spec.partition(":")
        if name not in choices:
            raise InputError(
                None,
                None,
                f"--format: {name!r} is not a format of "
                f"{args.command} (choose from {', '.join(choices)})",
            )
        if sep and not path:
            raise InputError(None, None, f"--format {spec}: no file after ':'")
        found.append(Output(name, path or None))
    bare = [o for o in found if o.path is None]
    if args.output:
        if len(bare) != 1:
            raise InputError(
                None,
                None,
                "--output names the file of the one --format "
                "without a file of its own (FORMAT:FILE)",
            )
        found[found.index(bare[0])] = Output(bare[0].format, args.output)
    elif len(bare) > 1:
        raise InputError(
            None,
            None,
            "only one --format can go to standard output; give the "
            "others a file (--format FORMAT:FILE)",
        )
    return found


def terminal_width() -> int:
    """``COLUMNS``, else the terminal's width, else 100 (a file or a pipe)."""
    import shutil  # (imported when a report is written: shutil pulls in bz2 and lzma)

    return shutil.get_terminal_size((100, 24)).columns


def write(out: Output, text: str) -> None:
    if out.path is None:
        sys.stdout.write(text)
        return
    try:
        with open(out.path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise InputError(out.path, None, f"cannot write: {exc.strerror}") from None


def render_all(args: argparse.Namespace, report: Any, choices: tuple[str, ...]) -> None:
    """The report in every requested format, each to its destination."""
    from exaudit.pipeline.sources import refuse_overwrite
    from exaudit.reporters import FORMATS
    from exaudit.reporters.options import RenderOptions
    from exaudit.reporters.style import PLAIN, Style

    every = outputs(args, choices)
    for out in every:  # before anything is written
        if out.path is not None:
            refuse_overwrite(
                "--output" if out.path == args.output else "--format",
                out.path,
                getattr(report, "inputs", ()),
            )
    for out in every:
        terminal = out.path is None
        style = Style.for_stream(sys.stdout, getattr(args, "color", "auto")) if terminal else PLAIN
        options = RenderOptions(
            style,
            terminal_width() if terminal else 100,
            quiet=bool(getattr(args, "quiet", False)),
            statistics=bool(getattr(args, "statistics", False)),
        )
        write(out, FORMATS[out.format].render(report, options))

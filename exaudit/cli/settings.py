"""Configuration discovery: ``exaudit.toml`` or ``[tool.exaudit]``, then the command line.

The nearest configuration to the working directory wins, looking in each directory
from there up to the git top-level (or the filesystem root outside a repository):
``exaudit.toml`` (keys at its top level, or under ``[tool.exaudit]``) before
``pyproject.toml`` with a ``[tool.exaudit]`` table; a ``pyproject.toml`` without that
table is passed over. Files are not merged. Command-line options override the file;
``--config FILE`` names the file and ``--isolated`` ignores every file. Paths in a file
(``baseline``, ``topology``) are relative to the file's directory.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from exaudit.core.errors import InputError
from exaudit.core.findings import FAIL_ON
from exaudit.reporters import FORMATS as REPORT_FORMATS

if sys.version_info >= (3, 11):
    import tomllib as _toml
else:  # pragma: no cover - Python 3.10 reads TOML with tomli, if it is installed
    try:
        import tomli as _toml
    except ImportError:
        _toml = None  # then configuration files are ignored, with a note

FORMATS = tuple(REPORT_FORMATS)
CONFIG_NAMES = ("exaudit.toml", "pyproject.toml")


@dataclass(frozen=True)
class Key:
    kind: str  # str | list | bool | path
    default: Any
    choices: tuple[str, ...] = ()
    help: str = ""


KEYS: dict[str, Key] = {
    "topology": Key("path", None, help="the topology file audit, diff and requirements use"),
    "format": Key("str", "text", FORMATS, "report format"),
    "fail-on": Key("str", "error", tuple(FAIL_ON), "exit 1 at or above this severity"),
    "exit-zero": Key("bool", False, help="exit 0 even when findings fail"),
    "select": Key("list", [], help="checks to run: codes, prefixes or names (empty: all)"),
    "ignore": Key("list", [], help="checks not to run: codes, prefixes or names"),
    "baseline": Key("path", None, help="a baseline file of accepted findings"),
    "allow-outside-paths": Key(
        "bool", False, help="read configs and includes outside the repository too"
    ),
}


@dataclass
class Settings:
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # key -> "default" | file | CLI
    file: str | None = None
    notes: list[str] = field(default_factory=list)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


def _repo_top(directory: str) -> str | None:
    from exaudit.core.paths import repo_root

    return repo_root(directory)


def discover(start: str | None = None) -> str | None:
    """The nearest configuration file from ``start`` (default: the working directory) up."""
    current = os.path.abspath(start or os.getcwd())
    stop = _repo_top(current)
    while True:
        for name in CONFIG_NAMES:
            path = os.path.join(current, name)
            if os.path.isfile(path) and (name != "pyproject.toml" or _has_table(path)):
                return path
        parent = os.path.dirname(current)
        if current == stop or parent == current:
            return None
        current = parent


def _has_table(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return any(re.match(r"\s*\[\s*tool\s*\.\s*exaudit\s*[\].]", line) for line in fh)
    except OSError:
        return False


def _line_of(text: str, key: str) -> int | None:
    """The line setting ``key`` inside the exaudit table (TOML parsers give no lines)."""
    lines = text.splitlines()
    header = next(
        (n for n, t in enumerate(lines) if re.match(r"\s*\[\s*tool\s*\.\s*exaudit\s*\]", t)), -1
    )
    pattern = re.compile(r"^\s*[\"']?" + re.escape(key).replace(r"\-", "[-_]") + r"[\"']?\s*=")
    for number in range(header + 1, len(lines)):
        if re.match(r"\s*\[", lines[number]):
            break
        if pattern.match(lines[number]):
            return number + 1
    return None


def read_file(path: str) -> tuple[dict[str, Any], str]:
    """The ``[tool.exaudit]`` table (or an exaudit.toml's top level) and the file's text."""
    from exaudit.core.textfile import read_text

    text = read_text(path)
    if _toml is None:  # pragma: no cover - Python 3.10 without tomli
        raise ImportError
    try:
        data = _toml.loads(text)
    except _toml.TOMLDecodeError as exc:
        # tomllib puts the position in the message ("... (at line 2, column 10)")
        where = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        detail = str(exc).replace(where.group(0), "").strip() if where else str(exc)
        raise InputError(
            path, int(where.group(1)) if where else None, f"bad TOML: {detail}"
        ) from None
    table = data.get("tool", {}).get("exaudit")
    if table is None:
        table = (
            {}
            if os.path.basename(path) == "pyproject.toml"
            else {k: v for k, v in data.items() if k != "tool"}
        )
    if not isinstance(table, dict):
        raise InputError(path, _line_of(text, "exaudit"), "[tool.exaudit] is not a table")
    return table, text


def _value(key: str, raw: Any, where: str, line: int | None, base: str | None) -> Any:
    spec = KEYS[key]
    if spec.kind == "bool":
        if not isinstance(raw, bool):
            raise InputError(where, line, f"{key} must be true or false, not {raw!r}")
        return raw
    if spec.kind == "list":
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise InputError(where, line, f"{key} must be a list of strings, not {raw!r}")
        return [p.strip() for i in items for p in i.split(",") if p.strip()]
    if not isinstance(raw, str) or not raw:
        raise InputError(where, line, f"{key} must be a string, not {raw!r}")
    if spec.choices and raw not in spec.choices:
        raise InputError(
            where, line, f"{key} must be one of {', '.join(spec.choices)}, not {raw!r}"
        )
    if spec.kind == "path" and base is not None:
        path = os.path.normpath(os.path.join(base, raw))
        # relative to the working directory, unless the two only share the root
        try:
            shared = os.path.commonpath([path, os.getcwd()])
        except ValueError:  # different drives
            return path
        return path if shared == os.path.abspath(os.sep) else os.path.relpath(path)
    return raw


def resolve(
    cli: dict[str, Any],
    *,
    config: str | None = None,
    isolated: bool = False,
    keys: tuple[str, ...] = tuple(KEYS),
    start: str | None = None,
) -> Settings:
    """The effective settings: command line (values not None), else the file, else defaults."""
    out = Settings()
    path = None if isolated else (config or discover(start))
    table: dict[str, Any] = {}
    text = ""
    if path is not None:
        try:
            table, text = read_file(path)
            out.file = path
        except ImportError:  # pragma: no cover - Python 3.10 without tomli
            if config:
                raise InputError(
                    path, None, "reading TOML needs Python 3.11 or the tomli package"
                ) from None
            out.notes.append(f"{path} ignored: reading TOML needs Python 3.11 or the tomli package")
    for raw_key in table:
        key = raw_key.replace("_", "-")
        if key not in KEYS:
            raise InputError(
                path,
                _line_of(text, raw_key),
                f"unknown key {raw_key!r} in the exaudit configuration (known: {', '.join(KEYS)})",
            )
    normalized = {k.replace("_", "-"): v for k, v in table.items()}
    for key in keys:
        if cli.get(key) is not None:
            out.values[key] = _value(key, cli[key], "exaudit", None, None)
            out.sources[key] = "command line"
        elif key in normalized:
            out.values[key] = _value(
                key,
                normalized[key],
                path or "",
                _line_of(text, key),
                os.path.dirname(os.path.abspath(path or ".")),
            )
            out.sources[key] = path or ""
        else:
            out.values[key] = KEYS[key].default
            out.sources[key] = "default"
    return out


def render(s: Settings, fmt: str = "text") -> str:
    """``exaudit config``: the effective value of every key and where it came from."""
    import json

    if fmt == "json":
        data = {
            "schema": "exaudit.config/1",
            "file": s.file,
            "settings": {k: {"value": s.values[k], "source": s.sources[k]} for k in s.values},
        }
        return json.dumps(data, indent=2) + "\n"
    lines = [f"# configuration file: {s.file or 'none found'}"]
    lines += [f"# note: {n}" for n in s.notes]
    width = max(len(k) for k in s.values)
    for key, value in s.values.items():
        shown = _toml_value(value)
        lines.append(f"{key.ljust(width)} = {shown.ljust(24)} # {s.sources[key]}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return f'"{value}"'


def warn(s: Settings) -> None:
    for note in s.notes:
        print(f"exaudit: note: {note}", file=sys.stderr)

"""Reading input files as text, with one clear error for what cannot be read."""

from __future__ import annotations

import re
import sys

MAX_BYTES = 256 * 1024 * 1024
BOM = b"\xef\xbb\xbf"
STDIN = "-"  # a path that means standard input
STDIN_NAME = "<stdin>"  # how findings and errors name it


# control characters no text configuration holds (tab, newlines, form feed are fine), and
# the replacement character of undecodable bytes
_CONTROL = re.compile("[\x01-\x08\x0e-\x1f\x7f\ufffd]")
SAMPLE = 65536  # binary junk shows at the start: no need to scan it all


def refuse_binary(text: str, path: str, what: str = "a text configuration") -> None:
    """Binary data is an ``InputError``: at its first NUL byte, or for its control bytes."""
    from exaudit.core.errors import InputError

    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise InputError(path, line, f"binary data (NUL byte), not {what}")
    sample = text[:SAMPLE]
    if _CONTROL.search(sample) and len(_CONTROL.findall(sample)) * 20 > len(sample):
        raise InputError(path, None, f"binary data (control bytes), not {what}")


def shown(path: str) -> str:
    return STDIN_NAME if path == STDIN else path


def read_text(path: str) -> str:
    """The file's text; missing, unreadable, binary or empty input is an ``InputError``.

    ``-`` is standard input (a pipe: ``iptables-save | exaudit lint -``).
    """
    from exaudit.core.errors import InputError

    try:
        if path == STDIN:
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
            path = STDIN_NAME
        else:
            with open(path, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise InputError(path, None, "is a directory, not a file") from None
    except FileNotFoundError:
        raise InputError(path, None, "no such file") from None
    except OSError as exc:
        raise InputError(path, None, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise InputError(path, None, f"larger than {MAX_BYTES // (1024 * 1024)} MiB")
    # A UTF-8 byte-order mark is not part of the text (editors on Windows write one);
    # left in, it would glue itself to the first word and hide the first statement.
    if data.startswith(BOM):
        data = data[len(BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes any byte string
            line = data[: exc.start].count(b"\n") + 1
            raise InputError(path, line, "not text (cannot decode)") from None
    refuse_binary(text, path)
    if not text.strip():
        raise InputError(path, None, "the file is empty")
    return text

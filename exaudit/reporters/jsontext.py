"""JSON text that diffs well and is written by the C encoder: one entry per line.

``json.dumps(..., indent=2)`` falls back to the pure-Python encoder, which took longer
than the rest of the report on 20,000 findings. Here the outer levels are laid out by
hand (an object's keys, a list's items, each on its own line) and everything below them
is one compact C-encoded line: a finding, a flow, a SARIF result.
"""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Any

try:
    from _json import make_encoder as c_make_encoder
except ImportError:  # pragma: no cover - a Python without the C accelerator
    c_make_encoder = None  # type: ignore[assignment,misc]  # the slow path below


def _unknown(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


# The C encoder, made once (json.dumps makes one per call): no circular-reference check,
# reports are trees. Non-ASCII text is written as it is, as ``ensure_ascii=False`` does.
_ENCODE = (
    c_make_encoder(None, _unknown, encode_basestring, None, ": ", ", ", False, False, True)
    if c_make_encoder is not None
    else None
)


def _compact(value: Any) -> str:
    if _ENCODE is None:  # pragma: no cover - a Python without the C accelerator
        import json

        return json.dumps(value, ensure_ascii=False)
    return "".join(_ENCODE(value, 0))


def dumps(value: Any, depth: int = 2) -> str:
    """``value`` as JSON, its first ``depth`` levels of containers spread over lines."""
    out: list[str] = []
    _write(value, depth, "", out)
    out.append("\n")
    return "".join(out)


def _write(value: Any, depth: int, indent: str, out: list[str]) -> None:
    if depth <= 0 or not isinstance(value, (dict, list)) or not value:
        out.append(_compact(value))
        return
    inner = indent + "  "
    if isinstance(value, dict):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            out.append(",\n" if i else "\n")
            out.append(inner + encode_basestring(key) + ": ")
            _write(item, depth - 1, inner, out)
        out.append("\n" + indent + "}")
    else:
        out.append("[")
        for i, item in enumerate(value):
            out.append(",\n" if i else "\n")
            out.append(inner)
            _write(item, depth - 1, inner, out)
        out.append("\n" + indent + "]")

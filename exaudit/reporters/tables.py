"""Text tables, with tabulate imported only when a table is drawn (it is slow to import)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def tabulate(
    rows: Sequence[Sequence[Any]], headers: Sequence[str], tablefmt: str = "simple"
) -> str:
    from tabulate import tabulate as draw

    return str(draw(rows, headers=headers, tablefmt=tablefmt))
